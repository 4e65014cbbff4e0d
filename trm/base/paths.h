// Path resolution for tools that run under `bazel run` (whose working directory is the runfiles
// tree, not the user's shell directory).
#ifndef TRM_BASE_PATHS_H_
#define TRM_BASE_PATHS_H_

#include <string>

namespace trm {

// A path the user typed: relative paths are taken relative to the directory `bazel run` was
// invoked from ($BUILD_WORKING_DIRECTORY), else to the current directory.
std::string ResolveUserPath(const std::string& path);

// The source workspace root: $BUILD_WORKSPACE_DIRECTORY under `bazel run`, else the nearest
// ancestor of the current directory that holds a WORKSPACE file, else "".
std::string WorkspaceRoot();

// The folder of ARC task files: `flag_value` if non-empty, else $TRM_ARC_DIR, else
// <workspace>/../shared/data/arc. Returns "" when none of them exists.
std::string ResolveArcDataDir(const std::string& flag_value);

}  // namespace trm

#endif  // TRM_BASE_PATHS_H_
