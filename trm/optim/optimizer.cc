#include "trm/optim/optimizer.h"

namespace trm {

TRM_DEFINE_REGISTRY(OptimizerRegistry, "optimizers", Optimizer, const config::OptimizerConfig&,
                    const OptimizerTarget&);
TRM_DEFINE_REGISTRY(LrScheduleRegistry, "lr_schedules", LrSchedule,
                    const config::LrScheduleConfig&, int64_t);

}  // namespace trm
