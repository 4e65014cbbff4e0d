#include "plugins/optimizers/adam.h"

#include <cmath>

#include <ATen/Parallel.h>

#include "absl/strings/str_cat.h"
#include "trm/plugin/plugin_api.h"

namespace trm::plugins {
namespace {

// Per-step constants, computed in double and rounded to the math type T once, as the reference
// kernel does.
template <typename T>
struct StepConstants {
  T weight_decay_factor;  // 1 - lr * wd
  T one_minus_beta1;
  T one_minus_beta2;
  T step_size;              // lr / (1 - beta1^t)
  T bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  T eps;
};

// lerp(a, b, w) with two fused multiply-adds: w*b + (a - w*a).
template <typename T>
inline T FusedLerp(T a, T b, T w) {
  return std::fma(w, b, std::fma(-w, a, a));
}

template <typename T, AdamOptimizer::Rule rule>
void UpdateElements(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n,
                    const StepConstants<T>& c) {
  at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T g = grad[i];
      T p = param[i] * c.weight_decay_factor;
      const T m = FusedLerp(exp_avg[i], g, c.one_minus_beta1);
      const T v = FusedLerp(exp_avg_sq[i], g * g, c.one_minus_beta2);
      const T denom = std::sqrt(v) / c.bias_correction2_sqrt;
      if constexpr (rule == AdamOptimizer::Rule::kAtan2) {
        p -= c.step_size * std::atan2(m, denom);
      } else {
        p -= c.step_size * (m / (denom + c.eps));
      }
      param[i] = p;
      exp_avg[i] = m;
      exp_avg_sq[i] = v;
    }
  });
}

template <typename T>
void Update(AdamOptimizer::Rule rule, at::Tensor& param, const at::Tensor& grad,
            at::Tensor& exp_avg, at::Tensor& exp_avg_sq, const StepConstants<T>& c) {
  const int64_t n = param.numel();
  auto* p = param.data_ptr<T>();
  const auto* g = grad.data_ptr<T>();
  auto* m = exp_avg.data_ptr<T>();
  auto* v = exp_avg_sq.data_ptr<T>();
  if (rule == AdamOptimizer::Rule::kAtan2) {
    UpdateElements<T, AdamOptimizer::Rule::kAtan2>(p, g, m, v, n, c);
  } else {
    UpdateElements<T, AdamOptimizer::Rule::kAdamW>(p, g, m, v, n, c);
  }
}

// The update of UpdateElements as ATen ops, for tensors on any device. The scalars are rounded to
// the tensors' dtype by ATen, as MakeConstants<T> rounds them for the host loop.
void UpdateWithTensorOps(AdamOptimizer::Rule rule, at::Tensor& param, const at::Tensor& grad,
                         at::Tensor& exp_avg, at::Tensor& exp_avg_sq,
                         const StepConstants<double>& c) {
  param.mul_(c.weight_decay_factor);
  exp_avg.lerp_(grad, c.one_minus_beta1);
  exp_avg_sq.lerp_(grad * grad, c.one_minus_beta2);
  at::Tensor denom = exp_avg_sq.sqrt().div_(c.bias_correction2_sqrt);
  at::Tensor direction =
      rule == AdamOptimizer::Rule::kAtan2 ? at::atan2(exp_avg, denom) : exp_avg / denom.add_(c.eps);
  param.sub_(direction.mul_(c.step_size));
}

template <typename T>
StepConstants<T> MakeConstants(double lr, double weight_decay, double beta1, double beta2,
                               double eps, double step) {
  const double bias_correction1 = 1.0 - std::pow(beta1, step);
  const double bias_correction2 = 1.0 - std::pow(beta2, step);
  return StepConstants<T>{static_cast<T>(1.0 - lr * weight_decay),
                          static_cast<T>(1.0 - beta1),
                          static_cast<T>(1.0 - beta2),
                          static_cast<T>(lr / bias_correction1),
                          static_cast<T>(std::sqrt(bias_correction2)),
                          static_cast<T>(eps)};
}

}  // namespace

AdamOptimizer::AdamOptimizer(Rule rule, const config::OptimizerConfig& config,
                             const OptimizerTarget& target, Implementation implementation)
    : rule_(rule),
      implementation_(implementation),
      beta1_(config.beta1()),
      beta2_(config.beta2()),
      eps_(config.eps()) {
  absl::StatusOr<std::vector<ParameterSettings>> settings =
      ResolveParameterGroups(config, target.parameters);
  TORCH_CHECK(settings.ok(), std::string(settings.status().message()));
  for (size_t i = 0; i < target.parameters.size(); ++i) {
    const auto& [name, param] = target.parameters[i];
    TORCH_CHECK(param.scalar_type() == at::kFloat || param.scalar_type() == at::kDouble,
                "optimizer '", config.name(), "': parameter '", name, "' has dtype ",
                param.scalar_type(), "; only float32 and float64 are supported");
    TORCH_CHECK(param.is_contiguous(), "optimizer '", config.name(), "': parameter '", name,
                "' is not contiguous");
    states_.push_back(ParameterState{name, param, at::zeros({}, at::kFloat),
                                     at::zeros_like(param, at::MemoryFormat::Contiguous),
                                     at::zeros_like(param, at::MemoryFormat::Contiguous),
                                     (*settings)[i]});
  }
}

void AdamOptimizer::UpdateOne(ParameterState& state, const at::Tensor& grad, double lr) {
  at::NoGradGuard no_grad;
  state.step.add_(1);
  const double step = state.step.item<float>();
  const double group_lr = lr * state.settings.lr_scale;
  const at::Tensor g = grad.to(state.param.scalar_type()).contiguous();
  at::Tensor data = state.param.detach();
  if (!data.is_cpu() || implementation_ == Implementation::kTensorOps) {
    UpdateWithTensorOps(
        rule_, data, g, state.exp_avg, state.exp_avg_sq,
        MakeConstants<double>(group_lr, state.settings.weight_decay, beta1_, beta2_, eps_, step));
  } else if (data.scalar_type() == at::kFloat) {
    Update<float>(rule_, data, g, state.exp_avg, state.exp_avg_sq,
                  MakeConstants<float>(group_lr, state.settings.weight_decay, beta1_, beta2_,
                                       eps_, step));
  } else {
    Update<double>(rule_, data, g, state.exp_avg, state.exp_avg_sq,
                   MakeConstants<double>(group_lr, state.settings.weight_decay, beta1_, beta2_,
                                         eps_, step));
  }
}

void AdamOptimizer::Step(double lr) {
  for (ParameterState& state : states_) {
    const at::Tensor& grad = state.param.grad();
    if (!grad.defined()) continue;  // as the reference: no gradient, no update, no step
    UpdateOne(state, grad, lr);
  }
}

void AdamOptimizer::ZeroGrad() {
  for (ParameterState& state : states_) state.param.mutable_grad().reset();
}

std::vector<std::pair<std::string, at::Tensor>> AdamOptimizer::StateTensors() const {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const ParameterState& state : states_) {
    tensors.emplace_back(state.name + ".step", state.step);
    tensors.emplace_back(state.name + ".exp_avg", state.exp_avg);
    tensors.emplace_back(state.name + ".exp_avg_sq", state.exp_avg_sq);
  }
  return tensors;
}

absl::Status AdamOptimizer::LoadStateTensors(const std::map<std::string, at::Tensor>& state) {
  // Check everything before changing anything, so a bad file leaves the optimizer as it was.
  std::vector<std::pair<at::Tensor, at::Tensor>> copies;
  for (const auto& [name, tensor] : StateTensors()) {
    auto it = state.find(name);
    if (it == state.end()) {
      return absl::NotFoundError(absl::StrCat("optimizer state has no tensor '", name, "'"));
    }
    if (it->second.sizes() != tensor.sizes() || it->second.scalar_type() != tensor.scalar_type()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "optimizer state tensor '", name, "' has ", it->second.toString(), " ",
          c10::str(it->second.sizes()), ", expected ", tensor.toString(), " ",
          c10::str(tensor.sizes())));
    }
    copies.emplace_back(tensor, it->second);
  }
  if (copies.size() != state.size()) {
    return absl::InvalidArgumentError(absl::StrCat("optimizer state has ", state.size(),
                                                   " tensors, expected ", copies.size()));
  }
  at::NoGradGuard no_grad;
  for (auto& [destination, source] : copies) destination.copy_(source);
  return absl::OkStatus();
}

TRM_REGISTER(OptimizerRegistry, "adam_atan2",
             [](const config::OptimizerConfig& config, const OptimizerTarget& target) {
               return std::make_unique<AdamOptimizer>(AdamOptimizer::Rule::kAtan2, config, target);
             },
             "AdamATan2 as the reference's adam_atan2 package: atan2(m, sqrt(v)), no eps, a=b=1");
TRM_REGISTER(OptimizerRegistry, "adamw",
             [](const config::OptimizerConfig& config, const OptimizerTarget& target) {
               return std::make_unique<AdamOptimizer>(AdamOptimizer::Rule::kAdamW, config, target);
             },
             "AdamW (decoupled weight decay, epsilon in the denominator)");

}  // namespace trm::plugins
