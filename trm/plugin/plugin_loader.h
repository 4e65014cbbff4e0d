// Loads plugin shared objects with dlopen and commits their registrations (see plugin_api.h).
#ifndef TRM_PLUGIN_PLUGIN_LOADER_H_
#define TRM_PLUGIN_PLUGIN_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

struct LoadedPlugin {
  std::string name;
  std::string description;
  std::string path;  // canonical path of the shared object
  void* handle = nullptr;
};

class PluginLoader {
 public:
  // Loads one plugin file. Every failure is a one-line error that names the file: missing file,
  // dlopen failure (e.g. an unresolved symbol), missing entry point, API or LibTorch version
  // mismatch, a plugin name loaded from two files, or a registration name already taken. Loading
  // the same file twice is a no-op.
  absl::StatusOr<const LoadedPlugin*> Load(const std::string& path);

  // Loads every `libtrm_*.so` below `dir` (recursively, in sorted path order).
  absl::Status LoadDirectory(const std::string& dir);

  // Loads plugin `name_or_path`: a path to a .so, or a plugin name looked up as
  // `libtrm_<name>.so` below each of `search_dirs`.
  absl::Status LoadByNameOrPath(const std::string& name_or_path,
                                const std::vector<std::string>& search_dirs);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }

 private:
  std::vector<LoadedPlugin> plugins_;
};

// The process-wide loader used by the tools.
PluginLoader& GlobalPluginLoader();

// Folders searched for plugins by default: $TRM_PLUGIN_DIR if set, then the `plugins` folder of
// the binary's Bazel runfiles (so `bazel run`/`bazel test` find the plugins built with the tool).
std::vector<std::string> DefaultPluginDirs(const std::string& argv0);

// Every `libtrm_*.so` below `dir`, sorted.
std::vector<std::string> FindPluginFiles(const std::string& dir);

}  // namespace trm

#endif  // TRM_PLUGIN_PLUGIN_LOADER_H_
