// The data-parallel start-up that train, eval and solve share: the --device and --nproc_per_node
// flags, starting the local workers, and this process's device and communicator.
//
//   trm::InitTool(argc, argv, usage);
//   if (std::optional<int> status = trm::LaunchLocalWorkersIfAsked(argc, argv)) return *status;
//   config::Experiment experiment = trm::ExperimentFromFlagsOrDie();
//   trm::ProcessGroup group = trm::JoinProcessGroupOrDie(experiment);
#ifndef TOOLS_PROCESS_GROUP_H_
#define TOOLS_PROCESS_GROUP_H_

#include <memory>
#include <optional>
#include <string>

#include "trm/config/experiment.pb.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/env.h"

namespace trm {

// With --nproc_per_node=N > 1 and no RANK in the environment (not started by torchrun, srun or
// this function): runs N copies of this tool as the ranks of one run on this machine and returns
// their exit status. Else nullopt: this process is a rank.
std::optional<int> LaunchLocalWorkersIfAsked(int argc, char** argv);

struct ProcessGroup {
  DistributedEnv env;
  std::string device;  // "cpu", or "cuda:LOCAL_RANK" for --device=cuda
  std::unique_ptr<Communicator> communicator;
};

// This process's place in the run: its rank (torchrun's or Slurm's variables), its device
// (checked), the communicator of distributed.backend, and its share of the machine's cores
// (train.num_threads if set, else the cores divided between the local ranks). Errors end the
// process with one line.
ProcessGroup JoinProcessGroupOrDie(const config::Experiment& experiment);

}  // namespace trm

#endif  // TOOLS_PROCESS_GROUP_H_
