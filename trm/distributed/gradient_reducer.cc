#include "trm/distributed/gradient_reducer.h"

namespace trm {

GradientReducer::GradientReducer(std::vector<at::Tensor> parameters, int64_t bucket_bytes,
                                 Communicator* communicator)
    : parameters_(std::move(parameters)),
      bucket_bytes_(std::max<int64_t>(bucket_bytes, 1)),
      communicator_(communicator) {}

void GradientReducer::AllReduceGradients() {
  last_bucket_count_ = 0;
  if (communicator_->world_size() == 1) return;
  at::NoGradGuard no_grad;
  // Consecutive gradients of one dtype and device share a bucket until it holds bucket_bytes.
  std::vector<std::vector<at::Tensor>> buckets;
  int64_t filled = 0;
  for (const at::Tensor& parameter : parameters_) {
    const at::Tensor& grad = parameter.grad();
    if (!grad.defined()) continue;
    const int64_t bytes = grad.numel() * static_cast<int64_t>(grad.element_size());
    const bool fits = !buckets.empty() &&
                      buckets.back().front().scalar_type() == grad.scalar_type() &&
                      buckets.back().front().device() == grad.device() &&
                      filled + bytes <= bucket_bytes_;
    if (!fits) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(grad);
    filled += bytes;
  }
  std::vector<at::Tensor> flat;
  for (const std::vector<at::Tensor>& bucket : buckets) {
    std::vector<at::Tensor> pieces;
    for (const at::Tensor& grad : bucket) pieces.push_back(grad.reshape({-1}));
    flat.push_back(at::cat(pieces));
  }
  communicator_->AllReduceSum(flat);
  for (size_t b = 0; b < buckets.size(); ++b) {
    int64_t offset = 0;
    for (at::Tensor& grad : buckets[b]) {
      const int64_t n = grad.numel();
      grad.copy_(flat[b].slice(0, offset, offset + n).view(grad.sizes()));
      offset += n;
    }
  }
  last_bucket_count_ = static_cast<int>(buckets.size());
}

}  // namespace trm
