#include "plugins/optimizers/sparse_sign_sgd.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "trm/plugin/plugin_api.h"

namespace trm::plugins {

void SparseSignSgdUpdate(at::Tensor& table, const at::Tensor& gradients, const at::Tensor& ids,
                         double lr, double weight_decay) {
  at::NoGradGuard no_grad;
  at::Tensor unique_ids, inverse;
  std::tie(unique_ids, inverse, std::ignore) =
      at::_unique2(ids.to(at::kLong), /*sorted=*/true, /*return_inverse=*/true);
  at::Tensor summed = at::zeros({unique_ids.size(0), gradients.size(1)}, gradients.options());
  summed.index_add_(0, inverse, gradients);
  at::Tensor rows = table.index_select(0, unique_ids);
  rows.mul_(1.0 - lr * weight_decay).add_(summed.sign(), -lr);
  table.index_copy_(0, unique_ids, rows);
}

SparseSignSgd::SparseSignSgd(const config::OptimizerConfig& config, const OptimizerTarget& target)
    : weight_decay_(config.weight_decay()), communicator_(target.communicator) {
  TORCH_CHECK(target.sparse_embedding.has_value(), "optimizer '", config.name(),
              "' needs a model with a sparse puzzle embedding");
  TORCH_CHECK(communicator_ != nullptr, "optimizer '", config.name(), "' needs a communicator");
  embedding_ = *target.sparse_embedding;
}

void SparseSignSgd::Step(double lr) {
  const at::Tensor& grad = embedding_.local_weights.grad();
  if (!grad.defined()) return;
  at::Tensor gradients = grad;
  at::Tensor ids = embedding_.local_ids;
  if (communicator_->world_size() > 1) {
    gradients = communicator_->AllGather(grad.contiguous());
    ids = communicator_->AllGather(ids.contiguous());
  }
  SparseSignSgdUpdate(embedding_.table, gradients, ids, lr, weight_decay_);
}

void SparseSignSgd::ZeroGrad() { embedding_.local_weights.mutable_grad().reset(); }

absl::Status SparseSignSgd::LoadStateTensors(const std::map<std::string, at::Tensor>& state) {
  if (!state.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sparse_sign_sgd has no state, but the checkpoint holds ", state.size(), " tensors"));
  }
  return absl::OkStatus();
}

TRM_REGISTER_CLASS(OptimizerRegistry, "sparse_sign_sgd", SparseSignSgd,
                   "sign-SGD with weight decay on the puzzle-embedding rows of the global batch");

}  // namespace trm::plugins
