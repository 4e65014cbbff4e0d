// Dataset builders turn raw task files into the on-disk dataset format (spec §8), as plugins
// selected by `data.builder` ("arc"). `bazel run //tools:build_dataset` drives them.
#ifndef TRM_DATA_DATASET_BUILDER_H_
#define TRM_DATA_DATASET_BUILDER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trm/config/experiment.pb.h"
#include "trm/registry/registry.h"

namespace trm {

struct DatasetBuildOptions {
  // Folder of the raw task files (already resolved).
  std::string task_dir;
  // Dataset root to create. It must not exist unless `overwrite`; the build happens in a temporary
  // sibling folder that replaces it only once complete.
  std::string output_dir;
  bool overwrite = false;
  int num_threads = 1;
  // Progress of the current stage ("augment", "train", "test"), from the building thread.
  std::function<void(const std::string& stage, int64_t done, int64_t total)> progress;
  // Set asynchronously (e.g. by SIGINT) to abandon the build; it then fails with kCancelled and
  // leaves nothing behind.
  const std::atomic<bool>* cancelled = nullptr;
};

struct SplitSummary {
  std::string name;  // "train", "test"
  int64_t rows = 0;
  int64_t puzzles = 0;
  int64_t groups = 0;
};

struct DatasetBuildSummary {
  std::vector<SplitSummary> splits;
  int64_t num_puzzle_identifiers = 0;
  // Things worth telling the user (e.g. groups with fewer augmentations than asked for).
  std::vector<std::string> notices;
};

class DatasetBuilder {
 public:
  virtual ~DatasetBuilder() = default;
  virtual absl::StatusOr<DatasetBuildSummary> Build(const DatasetBuildOptions& options) = 0;
};

TRM_DECLARE_REGISTRY(DatasetBuilderRegistry, DatasetBuilder, const config::DataConfig&);

}  // namespace trm

#endif  // TRM_DATA_DATASET_BUILDER_H_
