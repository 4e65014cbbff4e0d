#include "plugins/schedules/warmup_cosine.h"

#include <algorithm>
#include <cmath>

#include "trm/plugin/plugin_api.h"

namespace trm::plugins {

WarmupCosine::WarmupCosine(const config::LrScheduleConfig& config, int64_t total_steps)
    : warmup_steps_(config.warmup_steps()),
      total_steps_(total_steps),
      min_ratio_(config.lr_min_ratio()),
      num_cycles_(config.num_cycles()) {}

double WarmupCosine::LearningRate(double base_lr, int64_t step) const {
  if (step < warmup_steps_) {
    return base_lr * static_cast<double>(step) /
           static_cast<double>(std::max<int64_t>(1, warmup_steps_));
  }
  const double progress = static_cast<double>(step - warmup_steps_) /
                          static_cast<double>(std::max<int64_t>(1, total_steps_ - warmup_steps_));
  const double cosine =
      (1.0 - min_ratio_) * 0.5 * (1.0 + std::cos(M_PI * 2.0 * num_cycles_ * progress));
  return base_lr * (min_ratio_ + std::max(0.0, cosine));
}

TRM_REGISTER_CLASS(LrScheduleRegistry, "warmup_cosine", WarmupCosine,
                   "linear warm-up, then cosine decay to lr_min_ratio (the reference schedule)");

}  // namespace trm::plugins
