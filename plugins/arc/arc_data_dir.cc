#include "plugins/arc/arc_data_dir.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "trm/base/paths.h"

namespace trm::arc {
namespace fs = std::filesystem;

absl::StatusOr<std::string> ResolveArcTaskDir(const std::string& task_dir) {
  if (!task_dir.empty()) return task_dir;
  std::error_code ec;
  if (const char* env = std::getenv("TRM_ARC_DIR"); env != nullptr && *env != '\0') {
    if (fs::is_directory(env, ec)) return std::string(env);
    return absl::NotFoundError(
        absl::StrCat("$TRM_ARC_DIR=", env, ": no such folder; ", kArcDataHint));
  }
  const std::string root = WorkspaceRoot();
  const std::string shared =
      root.empty()
          ? ""
          : (fs::path(root) / ".." / "shared" / "data" / "arc").lexically_normal().string();
  if (!shared.empty() && fs::is_directory(shared, ec)) return shared;
  return absl::NotFoundError(
      absl::StrCat("no ARC task files: --task_dir, data.task_dir and $TRM_ARC_DIR are unset and ",
                   shared.empty() ? "no workspace was found to look for ../shared/data/arc"
                                  : absl::StrCat(shared, " does not exist"),
                   "; ", kArcDataHint));
}

}  // namespace trm::arc
