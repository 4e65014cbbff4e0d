// Linear warm-up, then a cosine decay to lr_min_ratio (spec §6.3).
#ifndef PLUGINS_SCHEDULES_WARMUP_COSINE_H_
#define PLUGINS_SCHEDULES_WARMUP_COSINE_H_

#include <cstdint>

#include "trm/config/experiment.pb.h"
#include "trm/optim/optimizer.h"

namespace trm::plugins {

class WarmupCosine : public LrSchedule {
 public:
  WarmupCosine(const config::LrScheduleConfig& config, int64_t total_steps);
  double LearningRate(double base_lr, int64_t step) const override;

 private:
  int64_t warmup_steps_;
  int64_t total_steps_;
  double min_ratio_;
  double num_cycles_;
};

}  // namespace trm::plugins

#endif  // PLUGINS_SCHEDULES_WARMUP_COSINE_H_
