#include "tools/checkpoint_source.h"

#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"
#include "trm/train/checkpoint_dir.h"
#include "trm/train/train_state.h"

namespace trm {

absl::StatusOr<CheckpointSource> ResolveCheckpoint(const std::string& flag) {
  namespace fs = std::filesystem;
  const std::string path = ResolveUserPath(flag);
  if (!fs::exists(path)) return absl::NotFoundError(absl::StrCat(path, ": no such checkpoint"));
  if (!fs::is_directory(path)) return CheckpointSource{path, ""};
  std::string folder = path;
  if (!fs::exists(CheckpointWeightsPath(folder))) {
    // A run folder (or its checkpoints/ folder): its newest complete checkpoint.
    for (const std::string& root : {path, path + "/checkpoints"}) {
      if (!fs::is_directory(root)) continue;
      TRM_ASSIGN_OR_RETURN(std::optional<std::string> latest, CheckpointDir(root).Latest());
      if (latest.has_value()) {
        folder = *latest;
        break;
      }
    }
    if (!fs::exists(CheckpointWeightsPath(folder))) {
      return absl::NotFoundError(
          absl::StrCat(path, ": neither a checkpoint folder (no ",
                       fs::path(CheckpointWeightsPath(path)).filename().string(),
                       ") nor a run folder with checkpoints"));
    }
  }
  return CheckpointSource{CheckpointWeightsPath(folder), folder};
}

}  // namespace trm
