#include "trm/model/loss_head.h"

namespace trm {

TRM_DEFINE_REGISTRY(LossRegistry, "losses", LossHead, const config::LossConfig&);

}  // namespace trm
