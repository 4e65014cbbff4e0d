#include "trm/train/ema.h"

#include "absl/strings/str_cat.h"

namespace trm {

ExponentialMovingAverage::ExponentialMovingAverage(
    std::vector<std::pair<std::string, at::Tensor>> parameters, double rate)
    : parameters_(std::move(parameters)), rate_(rate) {
  at::NoGradGuard no_grad;
  for (const auto& [name, param] : parameters_) {
    shadows_.push_back(param.detach().to(at::kFloat, /*non_blocking=*/false, /*copy=*/true));
  }
}

void ExponentialMovingAverage::Update() {
  at::NoGradGuard no_grad;
  // (1 - mu) * param + mu * shadow, evaluated in that order as the reference does.
  for (size_t i = 0; i < parameters_.size(); ++i) {
    at::Tensor blended = at::mul(parameters_[i].second.detach().to(at::kFloat), 1.0 - rate_);
    blended.add_(at::mul(shadows_[i], rate_));
    shadows_[i].copy_(blended);
  }
}

ExponentialMovingAverage::Swap::Swap(ExponentialMovingAverage* ema) : ema_(ema) {
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < ema_->parameters_.size(); ++i) {
    at::Tensor live = ema_->parameters_[i].second.detach();
    saved_.push_back(live.clone());
    live.copy_(ema_->shadows_[i]);
  }
}

ExponentialMovingAverage::Swap::~Swap() {
  if (ema_ == nullptr) return;
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < saved_.size(); ++i) ema_->parameters_[i].second.detach().copy_(saved_[i]);
}

ExponentialMovingAverage::Swap ExponentialMovingAverage::SwapIn() { return Swap(this); }

std::vector<std::pair<std::string, at::Tensor>> ExponentialMovingAverage::ShadowTensors() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (size_t i = 0; i < parameters_.size(); ++i)
    out.emplace_back(parameters_[i].first, shadows_[i]);
  return out;
}

absl::Status ExponentialMovingAverage::LoadShadowTensors(
    const std::map<std::string, at::Tensor>& shadows) {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    auto it = shadows.find(parameters_[i].first);
    if (it == shadows.end()) {
      return absl::NotFoundError(
          absl::StrCat("EMA state has no tensor '", parameters_[i].first, "'"));
    }
    if (it->second.sizes() != shadows_[i].sizes()) {
      return absl::InvalidArgumentError(
          absl::StrCat("EMA tensor '", parameters_[i].first, "' has the wrong shape"));
    }
  }
  if (shadows.size() != parameters_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("EMA state has ", shadows.size(), " tensors, expected ", parameters_.size()));
  }
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    shadows_[i].copy_(shadows.at(parameters_[i].first));
  }
  return absl::OkStatus();
}

}  // namespace trm
