#include "plugins/augmentations/dihedral_color.h"

#include "absl/strings/str_cat.h"
#include "trm/plugin/plugin_api.h"

namespace trm::plugins {

absl::Status DihedralColor::Validate() const {
  if (config_.probability() != 1.0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "probability ", config_.probability(),
        " is not supported (every candidate is a new draw; num_aug sets how many are kept)"));
  }
  return absl::OkStatus();
}

DihedralColorAugmentation DihedralColor::Draw(NumpyRandomState& rng) const {
  DihedralColorAugmentation draw;
  draw.transform = static_cast<int>(rng.RandInt(0, kNumDihedral));
  rng.Shuffle(draw.colors.data() + 1, kNumColors - 1);  // colours 1..9
  return draw;
}

TRM_REGISTER_CLASS(
    AugmentationRegistry, "dihedral_color", DihedralColor,
    "variant: random dihedral transform + permutation of colours 1..9 (the reference)");

}  // namespace trm::plugins
