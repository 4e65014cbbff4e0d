#include "trm/data/dataset_paths.h"

#include <cstdlib>
#include <filesystem>

#include "trm/base/paths.h"

namespace trm {

namespace fs = std::filesystem;

std::string ResolveDataRoot(const std::string& flag_value) {
  if (!flag_value.empty()) return ResolveUserPath(flag_value);
  if (const char* env = std::getenv("TRM_DATA_ROOT"); env != nullptr && *env != '\0') {
    return ResolveUserPath(env);
  }
  const std::string workspace = WorkspaceRoot();
  return (fs::path(workspace.empty() ? "." : workspace) / "runs" / "data")
      .lexically_normal()
      .string();
}

std::string ResolveDatasetPath(const std::string& path, const std::string& data_root_flag) {
  if (path.empty()) return "";
  if (fs::path(path).is_absolute()) return path;
  return (fs::path(ResolveDataRoot(data_root_flag)) / path).lexically_normal().string();
}

}  // namespace trm
