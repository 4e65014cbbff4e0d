// The Slurm executor: one job array per submission, one array task per run. Each task runs
// `sweep --run_index=$SLURM_ARRAY_TASK_ID` (the same per-run code as the local executor), which
// starts the train tool with --resume=latest; with tasks_per_run > 1 the train tool is started
// with `srun`, and the trainer reads its rank from Slurm's variables. Before the time limit
// (sbatch --signal=B:USR1@grace) or on preemption (SIGTERM) the job script tells the run to stop;
// the trainer checkpoints and exits 75, and the script requeues the task, which then resumes.
#ifndef TOOLS_SWEEP_SLURM_H_
#define TOOLS_SWEEP_SLURM_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/sweep.pb.h"

namespace trm::sweep {

struct ArrayJob {
  std::string job_name;
  SlurmOptions slurm;
  std::vector<int> indices;          // array task ids = run indices
  std::string output_dir;            // %A_%a.out logs go here
  std::vector<std::string> command;  // the per-run command, without --run_index
  std::vector<std::pair<std::string, std::string>> env;  // exported before the command
};

// "0-3,5,7-9" (+ "%N" when max_concurrent > 0).
std::string ArraySpec(const std::vector<int>& indices, int max_concurrent);

// The batch script of the array job.
std::string ArrayJobScript(const ArrayJob& job);

// Writes the script to `script_path` and submits it with `sbatch --parsable` (and --wait when
// `wait`): returns the job id. sbatch's own error is returned on one line.
absl::StatusOr<std::string> SubmitArrayJob(const ArrayJob& job, const std::string& script_path,
                                           bool wait);

}  // namespace trm::sweep

#endif  // TOOLS_SWEEP_SLURM_H_
