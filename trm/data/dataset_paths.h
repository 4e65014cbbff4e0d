// Where built datasets live: `data.path` of an experiment is resolved against a data root, so that
// experiments name datasets without machine-specific paths.
#ifndef TRM_DATA_DATASET_PATHS_H_
#define TRM_DATA_DATASET_PATHS_H_

#include <string>

namespace trm {

// The data root: `flag_value` (a user path) if set, else $TRM_DATA_ROOT, else
// <workspace>/runs/data, else runs/data.
std::string ResolveDataRoot(const std::string& flag_value);

// `path` itself when absolute, else `path` under ResolveDataRoot(data_root_flag); "" for "".
std::string ResolveDatasetPath(const std::string& path, const std::string& data_root_flag);

}  // namespace trm

#endif  // TRM_DATA_DATASET_PATHS_H_
