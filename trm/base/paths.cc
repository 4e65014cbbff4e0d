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

absl::StatusOr<std::string> ResolveArcDataDir(const std::string& flag_value,
                                              const std::string& config_value) {
  std::error_code ec;
  if (!flag_value.empty()) {
    const std::string dir = ResolveUserPath(flag_value);
    if (fs::is_directory(dir, ec)) return dir;
    return absl::NotFoundError(
        absl::StrCat("--arc_dir=", flag_value, ": no such folder (", dir, "); ", kArcDataHint));
  }
  const std::string root = WorkspaceRoot();
  if (!config_value.empty()) {
    std::vector<std::string> candidates;
    if (fs::path(config_value).is_absolute()) {
      candidates.push_back(config_value);
    } else {
      if (!root.empty()) candidates.push_back((fs::path(root) / config_value).string());
      candidates.push_back(fs::absolute(config_value, ec).lexically_normal().string());
    }
    for (const std::string& dir : candidates) {
      if (fs::is_directory(dir, ec)) return dir;
    }
    return absl::NotFoundError(absl::StrCat("data.task_dir '", config_value,
                                            "': no such folder (searched ",
                                            absl::StrJoin(candidates, ", "), "); ", kArcDataHint));
  }
  if (std::string env = Env("TRM_ARC_DIR"); !env.empty()) {
    if (fs::is_directory(env, ec)) return env;
    return absl::NotFoundError(
        absl::StrCat("$TRM_ARC_DIR=", env, ": no such folder; ", kArcDataHint));
  }
  const std::string shared =
      root.empty()
          ? ""
          : (fs::path(root) / ".." / "shared" / "data" / "arc").lexically_normal().string();
  if (!shared.empty() && fs::is_directory(shared, ec)) return shared;
  return absl::NotFoundError(
      absl::StrCat("no ARC task files: --arc_dir, data.task_dir and $TRM_ARC_DIR are unset and ",
                   shared.empty() ? "no workspace was found to look for ../shared/data/arc"
                                  : absl::StrCat(shared, " does not exist"),
                   "; ", kArcDataHint));
}

}  // namespace trm
