#include "trm/nn/cross_entropy.h"

#include "trm/model/batch.h"

namespace trm::nn {
namespace {

at::Tensor ValidMask(const at::Tensor& labels, const at::Tensor& valid) {
  return valid.defined() ? valid : labels.ne(kIgnoreLabel);
}

}  // namespace

at::Tensor Stablemax(const at::Tensor& x) {
  return at::where(x < 0, at::reciprocal(at::rsub(x, 1) + 1e-30), x + 1);
}

at::Tensor StablemaxCrossEntropy(const at::Tensor& logits, const at::Tensor& labels,
                                 const at::Tensor& valid) {
  const at::Tensor s = Stablemax(logits.to(at::kDouble));
  const at::Tensor logprobs = at::log(s / s.sum(-1, /*keepdim=*/true));
  const at::Tensor mask = ValidMask(labels, valid);
  const at::Tensor index = at::where(mask, labels, at::zeros_like(labels)).to(at::kLong);
  const at::Tensor picked = logprobs.gather(-1, index.unsqueeze(-1)).squeeze(-1);
  return -at::where(mask, picked, at::zeros_like(picked));
}

at::Tensor SoftmaxCrossEntropy(const at::Tensor& logits, const at::Tensor& labels,
                               const at::Tensor& valid) {
  const int64_t vocab = logits.size(-1);
  const at::Tensor target =
      at::where(ValidMask(labels, valid), labels, at::full_like(labels, kIgnoreLabel))
          .to(at::kLong);
  return at::cross_entropy_loss(logits.to(at::kFloat).reshape({-1, vocab}), target.reshape({-1}),
                                /*weight=*/{}, at::Reduction::None, kIgnoreLabel)
      .view(labels.sizes());
}

}  // namespace trm::nn
