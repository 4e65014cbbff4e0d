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

  Batch To(const at::Device& device) const {
    return Batch{inputs.to(device), labels.to(device), puzzle_identifiers.to(device)};
  }
};

}  // namespace trm

#endif  // TRM_MODEL_BATCH_H_
