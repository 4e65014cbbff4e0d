// The process's place in a data-parallel run, from the torchrun-compatible environment
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), so that torchrun, Slurm scripts
// written for torchrun, and our own --nproc_per_node launcher all start the tools unchanged.
#ifndef TRM_DISTRIBUTED_ENV_H_
#define TRM_DISTRIBUTED_ENV_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace trm {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // torchrun's agent already hosts the TCP store (TORCHELASTIC_USE_AGENT_STORE=True): every rank
  // connects as a client instead of rank 0 serving it.
  bool agent_hosts_store = false;
};

// Reads the environment. No RANK/WORLD_SIZE = a single process. Errors name the variable.
absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment();

// Same, from an explicit lookup (tests).
absl::StatusOr<DistributedEnv> DistributedEnvFrom(
    const std::function<const char*(const char*)>& getenv);

}  // namespace trm

#endif  // TRM_DISTRIBUTED_ENV_H_
