// The "arc" dataset builder (spec §7): reads ARC tasks, augments every puzzle into a group,
// assigns identifiers and writes the reference's on-disk format (spec §8):
//
//   <out>/train/{dataset.json, all__inputs.npy, all__labels.npy, all__puzzle_identifiers.npy,
//                all__puzzle_indices.npy, all__group_indices.npy}
//   <out>/test/...            (test pairs of the test subsets)
//   <out>/identifiers.json    (identifier -> puzzle name, 0 = "<blank>")
//   <out>/test_puzzles.json   (the test subsets' tasks with their solutions)
//
// With the reference's seed and augmentations the bytes are identical to the reference builder's:
// every random draw comes from the NumPy-legacy generator in the reference's order (the subset
// shuffles and the augmentation loops first, then per puzzle the anchored example and the
// translations of the train split, then the test split). Only those draws are sequential; rows are
// encoded by `num_threads` workers and written straight to their place in the output files, so
// the result does not depend on the thread count and memory does not grow with the dataset.
#ifndef PLUGINS_ARC_ARC_BUILDER_H_
#define PLUGINS_ARC_ARC_BUILDER_H_

#include <optional>

#include "trm/config/experiment.pb.h"
#include "plugins/arc/common/arc_augmentation.h"
#include "trm/data/dataset_builder.h"

namespace trm::arc {

class ArcDatasetBuilder final : public DatasetBuilder {
 public:
  // Augmentations come from the registry (data.augmentations) when Build() runs.
  explicit ArcDatasetBuilder(const config::DataConfig& config);
  // With the given augmentations (tests, benchmarks).
  ArcDatasetBuilder(const config::DataConfig& config, AugmentationPipeline augmentations);

  absl::StatusOr<DatasetBuildSummary> Build(const DatasetBuildOptions& options) override;

 private:
  config::DataConfig config_;
  std::optional<AugmentationPipeline> augmentations_;
};

}  // namespace trm::arc

#endif  // PLUGINS_ARC_ARC_BUILDER_H_
