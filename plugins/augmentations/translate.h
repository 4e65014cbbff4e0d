// "translate": the reference's placement of examples (spec §7.8). For every puzzle it draws the
// index of one example that stays anchored at the top-left corner (randint(0, n), in both splits);
// in the train split every other example is moved to a uniformly random offset where it fits
// (randint over rows, then over columns; input and output share the offset). `probability` < 1
// translates each of those examples only with that probability (one extra draw per example; the
// reference's behaviour is 1).
#ifndef PLUGINS_AUGMENTATIONS_TRANSLATE_H_
#define PLUGINS_AUGMENTATIONS_TRANSLATE_H_

#include <string>

#include "trm/config/experiment.pb.h"
#include "plugins/arc/common/arc_augmentation.h"

namespace trm::plugins {

class Translate final : public PlacementAugmentation {
 public:
  explicit Translate(const config::AugmentationConfig& config)
      : probability_(config.probability()) {}
  absl::Status Validate() const override;
  void Place(const std::string& split, absl::Span<const ExampleExtent> examples, int canvas,
             NumpyRandomState& rng, absl::Span<Placement> placements) const override;

 private:
  double probability_;
};

}  // namespace trm::plugins

#endif  // PLUGINS_AUGMENTATIONS_TRANSLATE_H_
