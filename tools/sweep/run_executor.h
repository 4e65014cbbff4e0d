// Executes one run of a sweep in its folder: takes the folder's lock, records the attempt, starts
// the train tool with `--resume=latest` (so an interrupted run continues from its last
// checkpoint and a finished one is never re-run), turns the first SIGTERM/SIGINT/SIGUSR1 it gets
// into one SIGUSR1 for the train tool (which then checkpoints and exits 75), and records how the
// run ended. The local executor and every Slurm array task go through this.
#ifndef TOOLS_SWEEP_RUN_EXECUTOR_H_
#define TOOLS_SWEEP_RUN_EXECUTOR_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/run_folder.h"
#include "tools/sweep/sweep_spec.h"

namespace trm::sweep {

// The train tool's exit status for "stopped by a signal after writing a checkpoint".
inline constexpr int kStoppedExitCode = 75;

struct RunExecutorOptions {
  std::string train_binary;
  // Passed on to the train tool when not empty.
  std::string data_root;
  std::string task_dir;
  std::string device;
  // Intra-op threads of the run (train.num_threads; 0 = the trainer's default).
  int threads = 0;
  // Words put before the train tool's command (e.g. {"srun", "--ntasks=2"} in a Slurm job).
  std::vector<std::string> launcher;
  // Recorded in sweep_run.json ("local", "slurm:<job>").
  std::string executor = "local";
  // Whether the run's processes get SIGTERM when the calling process dies (the local executor's
  // sweep process; not under Slurm, whose own signals stop them).
  bool stop_with_parent = false;
};

struct SpawnOptions {
  // Where the process's stdout and stderr are appended ("" = this process's).
  std::string log;
  // The process gets SIGTERM when the calling thread's process dies (PR_SET_PDEATHSIG).
  bool stop_with_parent = false;
  // Set in the process's environment.
  std::vector<std::pair<std::string, std::string>> env;
};

// fork + exec (PATH lookup). The process inherits the descriptors that are not close-on-exec: a
// run folder's lock among them.
absl::StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& command,
                                   const SpawnOptions& options);

// Waits for `pid` (retrying on EINTR): its exit status, or 128 + the signal that killed it.
int WaitForExit(pid_t pid);

// --data_root, --task_dir and (with_device) --device as `options` holds them: what every tool the
// sweep starts is told.
std::vector<std::string> ForwardedFlags(const RunExecutorOptions& options, bool with_device);

// The train tool's command line for `run` in `folder`.
std::vector<std::string> TrainCommand(const SweepRun& run, const RunFolder& folder,
                                      const RunExecutorOptions& options);

// Runs `run` to its end or interruption and returns its record. A finished run is returned as
// it is (not re-run); a run whose folder is locked by another process is an Unavailable error
// naming its pid and host;
// an experiment.textproto that differs from the spec's (the spec changed since the run started)
// is a FailedPrecondition error naming the run, and nothing in the folder is touched.
absl::StatusOr<RunRecord> ExecuteRun(const SweepRun& run, const RunFolder& folder,
                                     const RunExecutorOptions& options);

}  // namespace trm::sweep

#endif  // TOOLS_SWEEP_RUN_EXECUTOR_H_
