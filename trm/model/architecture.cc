#include "trm/model/architecture.h"

namespace trm {

TRM_DEFINE_REGISTRY(ArchitectureRegistry, "architectures", Architecture, const config::ArchConfig&);

}  // namespace trm
