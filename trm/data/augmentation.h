// Augmentations as plugins, selected by name and in order in the experiment's
// `data.augmentations`. The core only names and creates them: what an augmentation does is the
// business of the domain whose builder uses it (for ARC, plugins/arc/common/arc_augmentation.h:
// variant and placement augmentations drawing from the builder's NumPy-legacy generator).
#ifndef TRM_DATA_AUGMENTATION_H_
#define TRM_DATA_AUGMENTATION_H_

#include "absl/status/status.h"
#include "trm/config/experiment.pb.h"
#include "trm/registry/registry.h"

namespace trm {

class Augmentation {
 public:
  virtual ~Augmentation() = default;
  // What is wrong with the configuration the factory received (e.g. an unsupported knob).
  virtual absl::Status Validate() const { return absl::OkStatus(); }
};

TRM_DECLARE_REGISTRY(AugmentationRegistry, Augmentation, const config::AugmentationConfig&);

}  // namespace trm

#endif  // TRM_DATA_AUGMENTATION_H_
