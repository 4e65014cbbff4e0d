// A built-in single-machine launcher, the equivalent of `torchrun --nproc_per_node=N tool ...`:
// re-executes the running tool N times with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT set, forwards SIGINT/SIGTERM/SIGUSR1 to the workers, and stops the others as soon as
// one fails.
#ifndef TRM_DISTRIBUTED_LAUNCHER_H_
#define TRM_DISTRIBUTED_LAUNCHER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace trm {

// A TCP port on 127.0.0.1 that was free a moment ago.
absl::StatusOr<int> PickFreePort();

// Runs `nproc` copies of `executable` with `args` (argv[1..]) and the rendezvous environment
// (MASTER_PORT: $MASTER_PORT if set, else a free port; OMP_WAIT_POLICY=passive unless set).
// Returns the exit status of the launch: 0 when every worker exited 0, else the first failing
// worker's status (128 + signal number for a worker killed by a signal), also after a forwarded
// signal (a trainer stopped by SIGTERM exits 75, and so does the launch).
absl::StatusOr<int> LaunchLocalWorkers(const std::string& executable,
                                       const std::vector<std::string>& args, int nproc);

// The path of the running executable (/proc/self/exe).
std::string SelfExecutable();

// `argv[1..]` without the flag `--name=value` / `--name value` (also single-dash forms).
std::vector<std::string> ArgsWithoutFlag(int argc, char** argv, const std::string& name);

}  // namespace trm

#endif  // TRM_DISTRIBUTED_LAUNCHER_H_
