// The "sudoku" dataset builder (spec §11, §11.1): reads <task_dir>/{train,test}.csv (the
// Sudoku-Extreme layout, sudoku_csv.h) or generates the puzzles (option `generate`), and writes
// the reference's on-disk format (spec §8):
//
//   <out>/train/{dataset.json, all__inputs.npy, all__labels.npy, all__puzzle_identifiers.npy,
//                all__puzzle_indices.npy, all__group_indices.npy}
//   <out>/test/...
//   <out>/identifiers.json          ["<blank>"]
//   <out>/source/{train,test}.csv   (generated puzzles only)
//
// Tokens are digit + 1 (1 = blank, 2..10 = digits 1-9), 81 per row. Every train puzzle is a group
// of 1 + data.num_aug one-example puzzles (the original, then random shuffles); test puzzles are
// one-puzzle groups. With data.seed set, the draws (subsample, then the shuffles in order) are
// those of the reference after np.random.seed(seed), so the files are byte for byte its output;
// unset, a seed is drawn and reported in the summary's notices.
#ifndef PLUGINS_SUDOKU_SUDOKU_BUILDER_H_
#define PLUGINS_SUDOKU_SUDOKU_BUILDER_H_

#include "trm/config/experiment.pb.h"
#include "trm/data/dataset_builder.h"

namespace trm::sudoku {

class SudokuDatasetBuilder final : public DatasetBuilder {
 public:
  explicit SudokuDatasetBuilder(const config::DataConfig& config);

  absl::StatusOr<DatasetBuildSummary> Build(const DatasetBuildOptions& options) override;

 private:
  config::DataConfig config_;
};

}  // namespace trm::sudoku

#endif  // PLUGINS_SUDOKU_SUDOKU_BUILDER_H_
