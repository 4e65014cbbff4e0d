// The process's place in a data-parallel run, from the environment, so that torchrun, Slurm's
// srun, and our own --nproc_per_node launcher all start the tools unchanged:
//
// - torchrun (and the launcher): RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
//   MASTER_PORT. They win whenever RANK/WORLD_SIZE are set.
// - Slurm, in a job step started by srun (SLURM_STEP_ID is set): SLURM_PROCID is the rank,
//   SLURM_STEP_NUM_TASKS (else SLURM_NTASKS) the world size, SLURM_LOCALID the local rank, this
//   node's entry of SLURM_STEP_TASKS_PER_NODE (else SLURM_TASKS_PER_NODE; "2(x3),1", indexed by
//   SLURM_NODEID) the local world size, MASTER_ADDR or else the first host of
//   SLURM_STEP_NODELIST (else SLURM_JOB_NODELIST) the rendezvous host, and MASTER_PORT or else
//   15000 + (10 * SLURM_JOB_ID + SLURM_STEP_ID) % 17000 its port: below Linux's ephemeral ports,
//   and distinct for the first ten steps of jobs less than 1700 ids apart.
//   A batch script that runs a tool without srun is one process even when the job has several
//   tasks: the batch step has SLURM_NTASKS and SLURM_PROCID but no SLURM_STEP_ID.
// - Neither: a single process.
#ifndef TRM_DISTRIBUTED_ENV_H_
#define TRM_DISTRIBUTED_ENV_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace trm {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  // Processes of this run on this machine (they share its cores).
  int local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // torchrun's agent already hosts the TCP store (TORCHELASTIC_USE_AGENT_STORE=True): every rank
  // connects as a client instead of rank 0 serving it.
  bool agent_hosts_store = false;
};

// Reads the environment (see the top of this file). Errors are one line naming the variable.
absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment();

// Same, from an explicit lookup (tests).
absl::StatusOr<DistributedEnv> DistributedEnvFrom(
    const std::function<const char*(const char*)>& getenv);

// The first host of a Slurm hostlist: "node[01-04,07],gpu5" -> "node01",
// "rack[2-3]-n[8-9]" -> "rack2-n8".
absl::StatusOr<std::string> FirstHostOfHostlist(absl::string_view hostlist);

// Entry `node` (0-based) of a Slurm tasks-per-node list: "2(x3),1" is 2, 2, 2, 1.
absl::StatusOr<int> TasksOnNode(absl::string_view tasks_per_node, int node);

}  // namespace trm

#endif  // TRM_DISTRIBUTED_ENV_H_
