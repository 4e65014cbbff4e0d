// Where the ARC builder finds the raw task files when neither --task_dir nor data.task_dir names
// a folder: $TRM_ARC_DIR, else <workspace>/../shared/data/arc.
#ifndef PLUGINS_ARC_ARC_DATA_DIR_H_
#define PLUGINS_ARC_ARC_DATA_DIR_H_

#include <string>

#include "absl/status/statusor.h"

namespace trm::arc {

// `task_dir` when it is set (already resolved by the tool), else the default above. When nothing
// is found the one-line error names every place searched and how to get the files.
absl::StatusOr<std::string> ResolveArcTaskDir(const std::string& task_dir);

// The hint appended to errors about missing ARC task files.
inline constexpr char kArcDataHint[] =
    "pass --task_dir=DIR or set TRM_ARC_DIR=DIR to a folder of ARC task files; "
    "tools/download_arc_data.sh DIR fetches the public ones";

}  // namespace trm::arc

#endif  // PLUGINS_ARC_ARC_DATA_DIR_H_
