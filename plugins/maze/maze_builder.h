// The "maze" dataset builder (spec §11, §11.2): Maze-Hard style CSVs -> the reference's on-disk
// format (spec §8), byte for byte:
//
//   <out>/train/{dataset.json, all__inputs.npy, all__labels.npy, all__puzzle_identifiers.npy,
//                all__puzzle_indices.npy, all__group_indices.npy}
//   <out>/test/...
//   <out>/identifiers.json    (["<blank>"]: every puzzle uses identifier 0)
//   <out>/source/{train,test}.csv   (only with [trm.maze.maze].generate: the generated mazes)
//
// Options are the extension [trm.maze.maze] of DataConfig (plugins/maze/maze.proto). The mazes
// come from <task_dir>/{train,test}.csv, or from the generator when `generate` is set. The train
// split may be subsampled (NumPy's choice(n, size, replace=False) seeded with data.seed; the
// reference never seeds, so an unset data.seed draws a seed, reported in the summary's notices)
// and augmented (a group of the 8 dihedral transforms per maze, ids 0..7); the test split never.
#ifndef PLUGINS_MAZE_MAZE_BUILDER_H_
#define PLUGINS_MAZE_MAZE_BUILDER_H_

#include "trm/config/experiment.pb.h"
#include "trm/data/dataset_builder.h"

namespace trm::maze {

class MazeDatasetBuilder final : public DatasetBuilder {
 public:
  explicit MazeDatasetBuilder(const config::DataConfig& config);

  absl::StatusOr<DatasetBuildSummary> Build(const DatasetBuildOptions& options) override;

 private:
  config::DataConfig config_;
};

}  // namespace trm::maze

#endif  // PLUGINS_MAZE_MAZE_BUILDER_H_
