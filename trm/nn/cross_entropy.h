// Per-token cross entropies of the reference's loss head (spec §4.1, §4.2).
#ifndef TRM_NN_CROSS_ENTROPY_H_
#define TRM_NN_CROSS_ENTROPY_H_

#include <ATen/ATen.h>

namespace trm::nn {

// s(x) = x + 1 for x >= 0, 1 / (1 - x + 1e-30) for x < 0: positive, continuous, linear growth.
at::Tensor Stablemax(const at::Tensor& x);

// -log(s(x_label) / Σ_k s(x_k)) per position, computed in float64 (logits are converted first).
// logits [..., V]; labels integer [...]; valid bool [...] (undefined: labels != kIgnoreLabel).
// Invalid positions give exactly 0. Returns float64 [...].
at::Tensor StablemaxCrossEntropy(const at::Tensor& logits, const at::Tensor& labels,
                                 const at::Tensor& valid = at::Tensor());

// Standard log-softmax cross entropy in float32, with the same mask convention (the reference's
// version does not accept a mask; here it is honoured). Returns float32 [...].
at::Tensor SoftmaxCrossEntropy(const at::Tensor& logits, const at::Tensor& labels,
                               const at::Tensor& valid = at::Tensor());

}  // namespace trm::nn

#endif  // TRM_NN_CROSS_ENTROPY_H_
