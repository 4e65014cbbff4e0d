// The checkpoints of a run: `<root>/step_<N>/` folders that appear atomically. A checkpoint is
// staged in `<root>/step_<N>.tmp/` (every rank writes its files there, each file itself written
// atomically and fsynced), then renamed into place and the root fsynced. A kill at any moment
// leaves every complete checkpoint loadable; staging folders of killed runs are ignored and
// removed at the next start.
#ifndef TRM_TRAIN_CHECKPOINT_DIR_H_
#define TRM_TRAIN_CHECKPOINT_DIR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

// Checksums of checkpoint files: `<file>.crc32c` holds "<crc32c in hex> <size in bytes>" of
// <file>. Written next to each file inside the staging folder (so they commit with it); checked
// before a checkpoint is loaded, so that a truncated or bit-flipped file is caught instead of being
// loaded (or crashing the loader).
absl::Status WriteChecksumFile(const std::string& path);
// OK when the file matches its checksum, or has none (checkpoints written before checksums);
// DataLoss naming the file otherwise (missing, truncated, different contents).
absl::Status VerifyChecksumFile(const std::string& path);

class CheckpointDir {
 public:
  explicit CheckpointDir(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string PathFor(int64_t step) const;
  std::string StagingPathFor(int64_t step) const;

  // Steps of the complete checkpoints, ascending.
  absl::StatusOr<std::vector<int64_t>> CompletedSteps() const;
  // The newest complete checkpoint folder, if any.
  absl::StatusOr<std::optional<std::string>> Latest() const;

  // Creates an empty staging folder for `step` (removing a stale one).
  absl::StatusOr<std::string> BeginStaging(int64_t step) const;
  // Moves the staging folder into place (replacing an older checkpoint of the same step) and
  // makes the rename durable.
  absl::Status Commit(int64_t step) const;
  // Removes all but the newest `keep` complete checkpoints (keep <= 0: keeps all).
  absl::Status Prune(int keep) const;
  // Removes staging folders left by killed runs.
  absl::Status RemoveStaging() const;

 private:
  std::string root_;
};

}  // namespace trm

#endif  // TRM_TRAIN_CHECKPOINT_DIR_H_
