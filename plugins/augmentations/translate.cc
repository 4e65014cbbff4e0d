#include "plugins/augmentations/translate.h"

#include "absl/strings/str_cat.h"
#include "trm/plugin/plugin_api.h"

namespace trm::plugins {

absl::Status Translate::Validate() const {
  if (!(probability_ >= 0.0 && probability_ <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability ", probability_, " is not in [0, 1]"));
  }
  return absl::OkStatus();
}

void Translate::Place(const std::string& split, absl::Span<const ExampleExtent> examples,
                      int canvas, NumpyRandomState& rng, absl::Span<Placement> placements) const {
  const int64_t anchored = rng.RandInt(0, static_cast<int64_t>(examples.size()));
  if (split != "train") return;
  for (size_t k = 0; k < examples.size(); ++k) {
    if (static_cast<int64_t>(k) == anchored) continue;
    if (probability_ < 1.0 && rng.RandomSample() >= probability_) continue;
    placements[k].row = static_cast<int>(rng.RandInt(0, canvas - examples[k].rows + 1));
    placements[k].col = static_cast<int>(rng.RandInt(0, canvas - examples[k].cols + 1));
  }
}

TRM_REGISTER_CLASS(
    AugmentationRegistry, "translate", Translate,
    "placement: random offsets for training examples, one anchored per puzzle (the reference)");

}  // namespace trm::plugins
