// The training and evaluation data stream (spec §9): reads datasets in the reference's format
// (ours or the reference builder's), several roots merged (§9.1), and yields whole batches.
//
// Train mode (§9.4): a pass over a set visits every group `epochs_per_iter` times in shuffled
// order; each visit picks one member puzzle of the group at random and adds up to all of its
// examples (a random subset when the batch has less room left) to the global batch; the final
// partial batch is dropped; each rank takes its contiguous slice of every global batch.
// Test mode (§9.5): every stored example in order, in windows of the global batch, padded.
//
// Differences from the reference, by design: the random choices come from a counter-based
// generator keyed by (seed, pass, position), not from NumPy's Philox and the worker's legacy
// generator, so a position can be saved and restored exactly, and every rank picks the same
// examples (the reference's ranks draw example subsets independently, spec §16.23).
//
// Memory: inputs and labels stay memory-mapped; only the index arrays are loaded.
#ifndef TRM_DATA_PUZZLE_DATASET_H_
#define TRM_DATA_PUZZLE_DATASET_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/npy.h"
#include "trm/model/batch.h"

namespace trm {

struct PuzzleDatasetOptions {
  std::vector<std::string> dataset_paths;  // dataset roots (each with <split>/dataset.json)
  std::string split = "train";             // "train" or "test"
  int64_t global_batch_size = 0;           // rows per step summed over ranks
  bool test_set_mode = false;
  int64_t epochs_per_iter = 1;  // train mode: group visits per pass = epochs x groups
  int rank = 0;
  int num_replicas = 1;
  uint64_t seed = 0;
  // Batches a background thread prepares ahead of Next() (0: none, batches are made on demand).
  // The stream and the saved positions are the same either way.
  int prefetch = 0;
  // Batches in page-locked memory, so that copies to a CUDA device can be asynchronous. Needs a
  // CUDA build with a device.
  bool pin_memory = false;
};

class PuzzleDataset {
 public:
  struct Item {
    std::string set_name;
    Batch batch;                         // int32 tensors, local_batch_size rows
    int64_t global_effective_count = 0;  // rows of the global batch that are not padding
  };

  // Where the stream stands. Restoring it (on any rank, with any world size for the same global
  // batch) continues with exactly the batches that would have come next.
  struct Position {
    int64_t iterations = 0;  // train mode: set passes started so far (the reference's _iters)
    bool in_pass = false;    // inside a pass (between its first batch and its end)
    int64_t set_index = 0;
    int64_t cursor = 0;        // train: next group visit of the pass; test: next window start
    uint64_t fingerprint = 0;  // of the data and the sampling options

    // One line, e.g. "puzzle_dataset_position v1 fingerprint=... iterations=3 in_pass=1 set=0
    // cursor=123".
    std::string ToString() const;
    static absl::StatusOr<Position> FromString(const std::string& text);
    bool operator==(const Position& other) const;
  };

  // Validates options, metadata (merged across roots, §9.1) and every array; errors are one line
  // naming the file.
  static absl::StatusOr<std::unique_ptr<PuzzleDataset>> Open(const PuzzleDatasetOptions& options);
  ~PuzzleDataset();

  const DatasetMetadata& metadata() const { return metadata_; }
  int64_t local_batch_size() const { return local_batch_size_; }
  // "all", then "all1", "all2", ... for further roots.
  std::vector<std::string> set_names() const;
  int64_t num_examples(size_t set) const;

  // The next batch; nullopt when the pass ended (train: every set's group visits; test: every
  // example); the call after that starts the next pass.
  std::optional<Item> Next();

  // The position after the last batch Next() returned.
  Position SavePosition() const { return consumed_; }
  // Fails if the position belongs to different data or sampling options.
  absl::Status RestorePosition(const Position& position);

 private:
  struct Set;
  struct Produced {
    std::optional<Item> item;
    Position after;
  };
  PuzzleDataset() = default;

  // Makes the batch at position_ and advances it.
  std::optional<Item> Produce();
  void StartPrefetch();
  void StopPrefetch();
  std::optional<Item> NextTrain(const Set& set);
  std::optional<Item> NextTest(const Set& set);
  Item Collate(const Set& set, const std::vector<int64_t>& rows,
               const std::vector<int64_t>& puzzles, int64_t global_count) const;

  PuzzleDatasetOptions options_;
  DatasetMetadata metadata_;
  int64_t local_batch_size_ = 0;
  std::vector<std::unique_ptr<Set>> sets_;
  Position position_;  // of the producer (the prefetch thread when there is one)
  Position consumed_;  // after the last batch handed out
  // Prefetching.
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Produced> queue_;
  bool stop_ = false;
  // Cache of the current epoch's group permutation (train mode).
  std::array<int64_t, 3> cached_epoch_key_ = {-1, -1, -1};  // iterations, set, epoch
  std::vector<int64_t> cached_order_;
};

}  // namespace trm

#endif  // TRM_DATA_PUZZLE_DATASET_H_
