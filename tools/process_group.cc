#include "tools/process_group.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "trm/app/app.h"
#include "trm/app/cpu_threads.h"
#include "trm/distributed/c10d_communicator.h"
#include "trm/distributed/launcher.h"

ABSL_FLAG(std::string, device, "cpu", "cpu, or cuda (each process uses cuda:LOCAL_RANK).");
ABSL_FLAG(int, nproc_per_node, 0,
          "Start this many processes on this machine (like torchrun --nproc_per_node).");

namespace trm {

std::optional<int> LaunchLocalWorkersIfAsked(int argc, char** argv) {
  const int nproc = absl::GetFlag(FLAGS_nproc_per_node);
  if (nproc <= 1 || std::getenv("RANK") != nullptr) return std::nullopt;
  const std::string self = SelfExecutable();
  if (self.empty()) Die(absl::InternalError("cannot find the running executable"));
  return OrDie(LaunchLocalWorkers(self, ArgsWithoutFlag(argc, argv, "nproc_per_node"), nproc));
}

ProcessGroup JoinProcessGroupOrDie(const config::Experiment& experiment) {
  ProcessGroup group;
  group.env = OrDie(DistributedEnvFromEnvironment());
  if (experiment.train().num_threads() > 0) {
    SetCpuThreads(experiment.train().num_threads());
  } else if (group.env.local_world_size > 1) {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    SetCpuThreads(std::max(1, cores / group.env.local_world_size));
  }
  group.device = absl::GetFlag(FLAGS_device);
  if (group.device == "cuda") group.device = absl::StrCat("cuda:", group.env.local_rank);
  OrDie(CheckDevice(group.device));
  CommunicatorOptions options;
  options.backend = experiment.distributed().backend();
  options.device = group.device;
  group.communicator = OrDie(MakeCommunicator(group.env, options));
  return group;
}

}  // namespace trm
