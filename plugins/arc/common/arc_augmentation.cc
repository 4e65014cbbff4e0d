#include "plugins/arc/common/arc_augmentation.h"

#include "absl/strings/str_cat.h"

namespace trm {

AugmentationPipeline::AugmentationPipeline(
    std::vector<std::unique_ptr<VariantAugmentation>> variants,
    std::unique_ptr<PlacementAugmentation> placement)
    : variants_(std::move(variants)), placement_(std::move(placement)) {}

absl::StatusOr<AugmentationPipeline> AugmentationPipeline::FromConfig(
    const config::DataConfig& data) {
  std::vector<config::AugmentationConfig> configs(data.augmentations().begin(),
                                                  data.augmentations().end());
  if (configs.empty()) {
    configs.resize(2);
    configs[0].set_name("dihedral_color");
    configs[1].set_name("translate");
  }
  std::vector<std::unique_ptr<VariantAugmentation>> variants;
  std::unique_ptr<PlacementAugmentation> placement;
  std::string placement_name;
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string& name = configs[i].name();
    absl::StatusOr<std::unique_ptr<Augmentation>> created =
        AugmentationRegistry().Create(name, configs[i]);
    if (!created.ok()) {
      return absl::Status(created.status().code(), absl::StrCat("data.augmentations[", i,
                                                                "]: ", created.status().message()));
    }
    std::unique_ptr<Augmentation> augmentation = *std::move(created);
    if (absl::Status status = augmentation->Validate(); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("data.augmentations[", i, "] ('", name,
                                                      "'): ", status.message()));
    }
    if (dynamic_cast<VariantAugmentation*>(augmentation.get()) != nullptr) {
      variants.emplace_back(static_cast<VariantAugmentation*>(augmentation.release()));
    } else if (dynamic_cast<PlacementAugmentation*>(augmentation.get()) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("data.augmentations[", i, "]: '", name,
                       "' is not an ARC augmentation (neither a variant nor a placement)"));
    } else if (placement != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("data.augmentations[", i, "]: '", name, "' and '", placement_name,
                       "' both place examples on the canvas; choose one"));
    } else {
      placement.reset(static_cast<PlacementAugmentation*>(augmentation.release()));
      placement_name = name;
    }
  }
  return AugmentationPipeline(std::move(variants), std::move(placement));
}

DihedralColorAugmentation AugmentationPipeline::DrawVariant(NumpyRandomState& rng) const {
  DihedralColorAugmentation composed;
  for (const auto& variant : variants_) composed = composed.Then(variant->Draw(rng));
  return composed;
}

}  // namespace trm
