// The folder of one sweep run: <sweep_dir>/runs/<run name>/ holds the run's merged experiment
// (experiment.textproto), everything the trainer writes (config.textproto, metrics.jsonl,
// checkpoints/, eval/, tensorboard/), the tool's output (log.txt) and the sweep's record of the
// run (sweep_run.json). While a run executes, its process holds an exclusive lock on the folder's
// `.lock` file; the kernel drops it when the process ends, however it ends, so a killed sweep
// never leaves a run marked as running.
#ifndef TOOLS_SWEEP_RUN_FOLDER_H_
#define TOOLS_SWEEP_RUN_FOLDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/base/folder_lock.h"

namespace trm::sweep {

enum class RunState {
  kPending,   // never started
  kRunning,   // its lock is held now
  kStopped,   // started, not finished (killed, preempted, or stopped by a signal): resumes
  kDone,      // the trainer exited 0
  kFailed,    // the trainer exited with an error
};

const char* RunStateName(RunState state);

// What sweep_run.json holds.
struct RunRecord {
  RunState state = RunState::kPending;
  int attempts = 0;         // times the run was started
  int exit_code = 0;        // of the last attempt (128 + signal when killed by one)
  std::string host;         // of the last attempt
  std::string executor;     // "local" or "slurm:<job id>"
  double started = 0;       // Unix time of the last attempt's start
  double finished = 0;      // and end (0 while running)
  double wall_seconds = 0;  // summed over attempts
  std::string error;        // last line of the tool's error output, for failed runs
};

class RunFolder {
 public:
  explicit RunFolder(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string experiment_path() const { return path_ + "/experiment.textproto"; }
  std::string metrics_path() const { return path_ + "/metrics.jsonl"; }
  std::string log_path() const { return path_ + "/log.txt"; }
  std::string record_path() const { return path_ + "/sweep_run.json"; }

  // The record on disk; kPending with no attempts when there is none. kRunning is reported only
  // while the lock is held: a record left "running" by a killed process reads as kStopped.
  absl::StatusOr<RunRecord> Read() const;
  absl::Status Write(const RunRecord& record) const;

  // Takes the lock without waiting (creating the folder); held elsewhere: Unavailable, naming the
  // holder. Inheritable: the run's process keeps it while it lives.
  absl::StatusOr<std::unique_ptr<FolderLock>> Lock() const;
  bool IsLocked() const;

  // The newest complete checkpoint's step, and the last step in metrics.jsonl.
  std::optional<int64_t> LatestCheckpointStep() const;
  std::optional<int64_t> LastLoggedStep() const;

 private:
  std::string path_;
};

}  // namespace trm::sweep

#endif  // TOOLS_SWEEP_RUN_FOLDER_H_
