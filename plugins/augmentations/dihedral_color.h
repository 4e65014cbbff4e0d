// "dihedral_color": the reference's named augmentation (spec §7.5): a dihedral transform drawn as
// randint(0, 8), then a permutation of colours 1..9 (colour 0, the background, stays), drawn as
// np.random.permutation(np.arange(1, 10)).
#ifndef PLUGINS_AUGMENTATIONS_DIHEDRAL_COLOR_H_
#define PLUGINS_AUGMENTATIONS_DIHEDRAL_COLOR_H_

#include "trm/config/experiment.pb.h"
#include "plugins/arc/common/arc_augmentation.h"

namespace trm::plugins {

class DihedralColor final : public VariantAugmentation {
 public:
  explicit DihedralColor(const config::AugmentationConfig& config) : config_(config) {}
  absl::Status Validate() const override;
  DihedralColorAugmentation Draw(NumpyRandomState& rng) const override;

 private:
  config::AugmentationConfig config_;
};

}  // namespace trm::plugins

#endif  // PLUGINS_AUGMENTATIONS_DIHEDRAL_COLOR_H_
