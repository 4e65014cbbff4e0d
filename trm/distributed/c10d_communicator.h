// Communicators over LibTorch's c10d: Gloo for CPU tensors (always), NCCL for CUDA tensors on
// LibTorch builds that have it (USE_C10D_NCCL). Rendezvous through a TCP store at
// MASTER_ADDR:MASTER_PORT, as torch.distributed's env:// initialisation does.
#ifndef TRM_DISTRIBUTED_C10D_COMMUNICATOR_H_
#define TRM_DISTRIBUTED_C10D_COMMUNICATOR_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/env.h"

namespace trm {

struct CommunicatorOptions {
  // "auto" (NCCL when `device` is CUDA, else Gloo), "gloo", "nccl". NCCL in a build without it is
  // an error, never a fall-back to Gloo.
  std::string backend = "auto";
  // "cpu" or "cuda[:N]"; the device the trainer's tensors live on.
  std::string device = "cpu";
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  // Build the process groups even for one process (which otherwise gets the single-process
  // communicator and needs no store): how a machine with one GPU tests its NCCL collectives, as
  // NCCL refuses two ranks on one device.
  bool process_group_for_one = false;
};

// Whether this LibTorch build can run NCCL collectives.
bool NcclAvailable();

// The single-process communicator when env.world_size == 1 (unless process_group_for_one), else a
// c10d one. Errors (unreachable store, NCCL needed without support, even for one process, ...) are
// one line.
absl::StatusOr<std::unique_ptr<Communicator>> MakeCommunicator(const DistributedEnv& env,
                                                               const CommunicatorOptions& options);

}  // namespace trm

#endif  // TRM_DISTRIBUTED_C10D_COMMUNICATOR_H_
