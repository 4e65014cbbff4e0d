#include "tools/sweep/slurm.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::sweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SlurmTest, ArraySpecCompressesRanges) {
  EXPECT_EQ(ArraySpec({0, 1, 2, 3, 5, 7, 8, 9}, 0), "0-3,5,7-9");
  EXPECT_EQ(ArraySpec({4}, 2), "4%2");
  EXPECT_EQ(ArraySpec({0, 2, 4}, 0), "0,2,4");
}

TEST(SlurmTest, JobScriptRunsOneRunPerArrayTaskAndRequeuesStoppedRuns) {
  ArrayJob job;
  job.job_name = "sweep-x";
  job.slurm.set_partition("gpu");
  job.slurm.set_time("4:00:00");
  job.slurm.set_gpus_per_task(1);
  job.slurm.set_cpus_per_task(8);
  job.slurm.set_tasks_per_run(4);
  job.slurm.set_max_concurrent(3);
  job.slurm.add_sbatch_args("--account=abc");
  job.indices = {0, 1, 2, 5};
  job.output_dir = "/runs/x/slurm";
  job.command = {"/bin/sweep", "--sweep=/s/x.textproto", "--sweep_dir=/runs/it's"};
  job.env = {{"RUNFILES_DIR", "/r"}};
  const std::string script = ArrayJobScript(job);
  for (const char* line :
       {"#SBATCH --array=0-2,5%3\n", "#SBATCH --output=/runs/x/slurm/%A_%a.out\n",
        "#SBATCH --requeue\n", "#SBATCH --signal=B:USR1@120\n", "#SBATCH --ntasks=4\n",
        "#SBATCH --partition=gpu\n", "#SBATCH --time=4:00:00\n", "#SBATCH --cpus-per-task=8\n",
        "#SBATCH --gpus-per-task=1\n", "#SBATCH --account=abc\n", "export RUNFILES_DIR='/r'\n",
        "trap stop USR1 TERM INT\n", "'--sweep_dir=/runs/it'\\''s' --run_index=\"$SLURM_ARRAY_TASK_ID\"",
        "if [ \"$status\" -eq 75 ]; then",
        "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""}) {
    EXPECT_THAT(script, HasSubstr(line));
  }
  job.slurm = SlurmOptions();
  EXPECT_THAT(ArrayJobScript(job), Not(HasSubstr("--partition")));
  EXPECT_THAT(ArrayJobScript(job), Not(HasSubstr("--gpus-per-task")));
}

}  // namespace
}  // namespace trm::sweep
