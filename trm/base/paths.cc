#include "trm/base/paths.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

absl::StatusOr<std::string> ResolveConfiguredDir(const std::string& flag_name,
                                                 const std::string& flag_value,
                                                 const std::string& config_field,
                                                 const std::string& config_value) {
  std::error_code ec;
  if (!flag_value.empty()) {
    const std::string dir = ResolveUserPath(flag_value);
    if (fs::is_directory(dir, ec)) return dir;
    return absl::NotFoundError(
        absl::StrCat(flag_name, "=", flag_value, ": no such folder (", dir, ")"));
  }
  if (config_value.empty()) return std::string();
  std::vector<std::string> candidates;
  if (fs::path(config_value).is_absolute()) {
    candidates.push_back(config_value);
  } else {
    if (const std::string root = WorkspaceRoot(); !root.empty()) {
      candidates.push_back((fs::path(root) / config_value).string());
    }
    candidates.push_back(fs::absolute(config_value, ec).lexically_normal().string());
  }
  for (const std::string& dir : candidates) {
    if (fs::is_directory(dir, ec)) return dir;
  }
  return absl::NotFoundError(absl::StrCat(config_field, " '", config_value,
                                          "': no such folder (searched ",
                                          absl::StrJoin(candidates, ", "), ")"));
}

}  // namespace trm
