// Sums parameter gradients over all ranks in flat buckets of about `bucket_bytes`, so that a
// model with many small tensors costs a few collectives per step instead of one per tensor
// (as DistributedDataParallel does). Only defined gradients take part; every rank must have the
// same set (they run the same model).
#ifndef TRM_DISTRIBUTED_GRADIENT_REDUCER_H_
#define TRM_DISTRIBUTED_GRADIENT_REDUCER_H_

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "trm/distributed/communicator.h"

namespace trm {

class GradientReducer {
 public:
  GradientReducer(std::vector<at::Tensor> parameters, int64_t bucket_bytes,
                  Communicator* communicator);

  // All-reduce (sum) of every defined `.grad()`, in place. A no-op in a single-process run.
  void AllReduceGradients();

  // Number of collectives the last call issued (for tests and logs).
  int last_bucket_count() const { return last_bucket_count_; }

 private:
  std::vector<at::Tensor> parameters_;
  int64_t bucket_bytes_;
  Communicator* communicator_;
  int last_bucket_count_ = 0;
};

}  // namespace trm

#endif  // TRM_DISTRIBUTED_GRADIENT_REDUCER_H_
