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

// A folder named by a tool flag or by the experiment, the flag first:
//   1. `flag_value` (relative to the user's directory), named `flag_name` in errors,
//   2. `config_value` (relative to the workspace root, or to the current directory, which is the
//      runfiles tree under `bazel test`), named `config_field` in errors.
// "" when neither is set (the caller's default applies). One that is set but missing is a
// one-line error naming it and every place searched.
absl::StatusOr<std::string> ResolveConfiguredDir(const std::string& flag_name,
                                                 const std::string& flag_value,
                                                 const std::string& config_field,
                                                 const std::string& config_value);

}  // namespace trm

#endif  // TRM_BASE_PATHS_H_
