#include "trm/base/paths.h"

#include <cstdlib>
#include <filesystem>

namespace trm {
namespace fs = std::filesystem;

namespace {
std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}
}  // namespace

std::string ResolveUserPath(const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  const std::string base = Env("BUILD_WORKING_DIRECTORY");
  if (base.empty()) return path;
  return (fs::path(base) / path).lexically_normal().string();
}

std::string WorkspaceRoot() {
  if (std::string root = Env("BUILD_WORKSPACE_DIRECTORY"); !root.empty()) return root;
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "WORKSPACE", ec) && fs::exists(dir / "trm", ec)) return dir.string();
    if (dir == dir.parent_path()) break;
  }
  return "";
}

std::string ResolveArcDataDir(const std::string& flag_value) {
  std::error_code ec;
  if (!flag_value.empty()) {
    const std::string dir = ResolveUserPath(flag_value);
    return fs::is_directory(dir, ec) ? dir : "";
  }
  if (std::string env = Env("TRM_ARC_DIR"); !env.empty()) {
    return fs::is_directory(env, ec) ? env : "";
  }
  const std::string root = WorkspaceRoot();
  if (root.empty()) return "";
  const fs::path shared = (fs::path(root) / ".." / "shared" / "data" / "arc").lexically_normal();
  return fs::is_directory(shared, ec) ? shared.string() : "";
}

}  // namespace trm
