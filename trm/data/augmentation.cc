#include "trm/data/augmentation.h"

namespace trm {

TRM_DEFINE_REGISTRY(AugmentationRegistry, "augmentations", Augmentation,
                    const config::AugmentationConfig&);

}  // namespace trm
