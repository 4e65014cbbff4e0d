// Streams one split of a dataset (spec §8) in the reference's Sudoku/Maze layout (spec §11): every
// puzzle holds one example and the blank identifier 0. Writes all__inputs / all__labels (uint8
// [puzzles, seq_len]), the int32 all__puzzle_identifiers, all__puzzle_indices and
// all__group_indices, and dataset.json. The sizes are given up front, so rows go straight to disk
// and memory does not grow with the split.
#ifndef TRM_DATA_SPLIT_WRITER_H_
#define TRM_DATA_SPLIT_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/data/npy.h"

namespace trm {

class SingleExampleSplitWriter {
 public:
  // Creates `dir` (which must not exist) and the five files for `puzzles` puzzles in `groups`
  // groups. `split` names the split in errors. Fails when int32 indices cannot address the rows.
  static absl::StatusOr<SingleExampleSplitWriter> Create(const std::string& dir,
                                                         const std::string& split,
                                                         int64_t puzzles, int64_t groups,
                                                         int64_t seq_len);

  // One puzzle of the current group: its example's `seq_len` input and label tokens.
  absl::Status AddPuzzle(const uint8_t* input, const uint8_t* label);
  // Closes the current group (after its puzzles).
  absl::Status EndGroup();
  // Finishes the files (fails when fewer rows were written than announced) and writes
  // dataset.json: pad, ignore-label and blank identifier 0, one puzzle identifier, one example per
  // puzzle, and total_puzzles = the number of groups, as the reference counts.
  absl::Status Close(int vocab_size);

  int64_t puzzles_written() const { return puzzles_written_; }

 private:
  SingleExampleSplitWriter() = default;

  std::string dir_;
  int64_t seq_len_ = 0;
  int64_t groups_ = 0;
  int64_t puzzles_written_ = 0;
  std::unique_ptr<NpyWriter> inputs_, labels_, identifiers_, puzzle_indices_, group_indices_;
};

}  // namespace trm

#endif  // TRM_DATA_SPLIT_WRITER_H_
