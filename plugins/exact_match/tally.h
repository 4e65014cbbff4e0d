// What the exact_match evaluator counts on one rank, and the merge of every rank's count into
// the result of the whole test split.
//
// Examples are numbered in the test loader's order: batch after batch, within a batch rank after
// rank (each rank gets a contiguous slice of the global batch, its padding rows at the end), so a
// rank records how many examples each of its batches held and the merge interleaves them back.
// With one test set whose examples all carry labels, an example's number is its row in
// test/<set>__inputs.npy.
#ifndef PLUGINS_EXACT_MATCH_TALLY_H_
#define PLUGINS_EXACT_MATCH_TALLY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace trm::exact_match {

// One scored example kept for the report; labels hold kIgnoreLabel where nothing is scored.
struct ExampleRecord {
  int64_t index = 0;  // example number (see the top comment); rank-local until merged
  bool exact = false;
  std::vector<int32_t> input;
  std::vector<int32_t> prediction;
  std::vector<int32_t> label;

  int64_t WrongCells() const;
};

class ExactMatchTally {
 public:
  // Keeps the first `keep_solved` solved and `keep_failed` failed examples of this rank.
  ExactMatchTally(int keep_solved, int keep_failed);

  void Clear();
  // Starts the next test batch (every rank starts the same number).
  void StartBatch();
  // One example of the current batch: `seq_len` tokens each; positions whose label is
  // kIgnoreLabel are not scored. An example needs at least one scored position.
  void AddExample(const int32_t* input, const int32_t* prediction, const int32_t* label,
                  int64_t seq_len);

  int64_t examples() const { return static_cast<int64_t>(exact_.size()); }
  std::string Serialize() const;

 private:
  int keep_solved_;
  int keep_failed_;
  std::vector<int64_t> examples_per_batch_;
  std::string exact_;  // '1' / '0' per example of this rank, in order
  int64_t tokens_ = 0;
  int64_t tokens_right_ = 0;
  std::vector<ExampleRecord> solved_;
  std::vector<ExampleRecord> failed_;
};

// Every rank's tally together.
struct MergedTally {
  int64_t examples = 0;
  int64_t exact = 0;
  int64_t tokens = 0;
  int64_t tokens_right = 0;
  std::vector<int64_t> solved;  // example numbers, ascending
  std::vector<int64_t> failed;
  std::vector<ExampleRecord> solved_samples;  // the first keep_solved of `solved`
  std::vector<ExampleRecord> failed_samples;  // the first keep_failed of `failed`

  // `serialized`: ExactMatchTally::Serialize of ranks 0, 1, ... in order.
  static absl::StatusOr<MergedTally> Merge(const std::vector<std::string>& serialized,
                                           int keep_solved, int keep_failed);
};

}  // namespace trm::exact_match

#endif  // PLUGINS_EXACT_MATCH_TALLY_H_
