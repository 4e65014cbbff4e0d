// A batch of puzzle examples as the models see it (spec §9.3).
#ifndef TRM_MODEL_BATCH_H_
#define TRM_MODEL_BATCH_H_

#include <cstdint>

#include <ATen/ATen.h>

namespace trm {

// Label value that the loss ignores (the loader maps the dataset's ignore_label_id to it).
inline constexpr int64_t kIgnoreLabel = -100;

struct Batch {
  at::Tensor inputs;              // int32 [B, S] token ids
  at::Tensor labels;              // int32 [B, S] target ids, kIgnoreLabel where there is none
  at::Tensor puzzle_identifiers;  // int32 [B] puzzle-embedding rows (0 = blank / padding)

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }

  // Asynchronous from pinned host memory to a CUDA device (the caching host allocator keeps the
  // source alive until the copy is done); a no-op when the tensors are already on `device`.
  Batch To(const at::Device& device) const {
    const bool non_blocking = device.is_cuda() && inputs.is_pinned();
    return Batch{inputs.to(device, non_blocking), labels.to(device, non_blocking),
                 puzzle_identifiers.to(device, non_blocking)};
  }
};

}  // namespace trm

#endif  // TRM_MODEL_BATCH_H_
