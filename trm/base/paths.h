// Path resolution for tools that run under `bazel run` (whose working directory is the runfiles
// tree, not the user's shell directory).
#ifndef TRM_BASE_PATHS_H_
#define TRM_BASE_PATHS_H_

#include <string>

#include "absl/status/statusor.h"

namespace trm {

// A path the user typed: relative paths are taken relative to the directory `bazel run` was
// invoked from ($BUILD_WORKING_DIRECTORY), else to the current directory.
std::string ResolveUserPath(const std::string& path);

// The source workspace root: $BUILD_WORKSPACE_DIRECTORY under `bazel run`, else the nearest
// ancestor of the current directory that holds a WORKSPACE file, else "".
std::string WorkspaceRoot();

// The folder of raw ARC task files, from the first source that is set:
//   1. `flag_value` (--arc_dir; relative to the user's directory),
//   2. `config_value` (data.task_dir of the experiment; relative to the workspace root, or to the
//      current directory, which is the runfiles tree under `bazel test`),
//   3. $TRM_ARC_DIR,
//   4. <workspace>/../shared/data/arc.
// A source that is set but does not exist is an error naming it; when nothing is set and the
// default is missing, the one-line error names every place searched and how to get the files.
absl::StatusOr<std::string> ResolveArcDataDir(const std::string& flag_value,
                                              const std::string& config_value = "");

// The hint appended to errors about missing ARC task files.
inline constexpr char kArcDataHint[] =
    "pass --arc_dir=DIR or set TRM_ARC_DIR=DIR to a folder of ARC task files; "
    "tools/download_arc_data.sh DIR fetches the public ones";

}  // namespace trm

#endif  // TRM_BASE_PATHS_H_
