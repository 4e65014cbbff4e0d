// Collective operations between the processes of a data-parallel run. The trainer, the sparse
// optimizer and the evaluators only see this interface; implementations wrap c10d (Gloo on CPU,
// NCCL on CUDA builds) or are the trivial single-process one.
#ifndef TRM_DISTRIBUTED_COMMUNICATOR_H_
#define TRM_DISTRIBUTED_COMMUNICATOR_H_

#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/status.h"

namespace trm {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // "single", "gloo", "nccl".
  virtual std::string backend() const = 0;

  // Sums every tensor over all ranks, in place.
  virtual void AllReduceSum(std::vector<at::Tensor>& tensors) = 0;
  // Every rank's `tensor` (same shape everywhere) concatenated along dim 0, rank-major.
  virtual at::Tensor AllGather(const at::Tensor& tensor) = 0;
  // Overwrites `tensor` on every rank with its value on `root`.
  virtual void Broadcast(at::Tensor& tensor, int root) = 0;
  // Every rank's byte string, indexed by rank (lengths may differ).
  virtual std::vector<std::string> AllGatherBytes(const std::string& bytes) = 0;
  virtual void Barrier() = 0;
};

// The communicator of a run with one process: every collective is the identity.
std::unique_ptr<Communicator> MakeSingleProcessCommunicator();

// Every rank passes its own status; all get the first failure (naming its rank), so that no rank
// waits forever in a collective that a failed rank will never join. Collective.
absl::Status AgreeOnStatus(Communicator& communicator, const absl::Status& local);

}  // namespace trm

#endif  // TRM_DISTRIBUTED_COMMUNICATOR_H_
