// Augmentations of ARC datasets (spec §7.5-§7.8): registered in the core's AugmentationRegistry,
// selected by name and in order in the experiment's `data.augmentations`. They come in two stages:
//
//  * Variant augmentations make new puzzles out of a puzzle (the reference's "dihedral transform +
//    colour permutation"). Each draws one candidate transform per call; the builder composes the
//    draws of every listed variant augmentation, applies the result to every grid of the puzzle,
//    drops candidates whose content repeats an earlier member of the group, and names accepted ones
//    "<id>|||t<k>|||<colour digits>".
//  * A placement augmentation decides where each example of a puzzle sits on the canvas (the
//    reference's random translation of training pairs, with one anchored pair per puzzle).
//
// Both draw from the builder's NumPy-legacy generator in the order the builder calls them, which is
// the reference's order; an augmentation that wants to reproduce the reference must draw exactly
// what the reference draws.
#ifndef PLUGINS_ARC_COMMON_ARC_AUGMENTATION_H_
#define PLUGINS_ARC_COMMON_ARC_AUGMENTATION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "plugins/arc/common/arc_encoding.h"
#include "plugins/arc/common/grid.h"
#include "trm/config/experiment.pb.h"
#include "trm/data/augmentation.h"
#include "trm/data/numpy_random.h"

namespace trm {

class VariantAugmentation : public Augmentation {
 public:
  // One candidate: a dihedral transform and a colour map, applied to every grid of the puzzle.
  virtual DihedralColorAugmentation Draw(NumpyRandomState& rng) const = 0;
};

// The rows and columns an example occupies on the canvas: the larger of its input and output.
struct ExampleExtent {
  int rows = 0;
  int cols = 0;
};

class PlacementAugmentation : public Augmentation {
 public:
  // Places every example of one puzzle of `split` ("train" or "test") on a `canvas` x `canvas`
  // canvas: sets placements[k] (initially 0, 0) so that the example fits. Called once for every
  // puzzle, in the order the puzzles are written.
  virtual void Place(const std::string& split, absl::Span<const ExampleExtent> examples, int canvas,
                     NumpyRandomState& rng, absl::Span<Placement> placements) const = 0;
};

// The augmentations of a DataConfig, created from the registry: any number of variant
// augmentations (composed in order) and at most one placement augmentation. An empty list means
// the reference's pair: "dihedral_color" then "translate".
class AugmentationPipeline {
 public:
  static absl::StatusOr<AugmentationPipeline> FromConfig(const config::DataConfig& data);
  AugmentationPipeline() = default;
  AugmentationPipeline(std::vector<std::unique_ptr<VariantAugmentation>> variants,
                       std::unique_ptr<PlacementAugmentation> placement);

  bool has_variants() const { return !variants_.empty(); }
  // The composition of one draw of each variant augmentation, in order.
  DihedralColorAugmentation DrawVariant(NumpyRandomState& rng) const;
  // Null when examples stay at the top-left corner.
  const PlacementAugmentation* placement() const { return placement_.get(); }

 private:
  std::vector<std::unique_ptr<VariantAugmentation>> variants_;
  std::unique_ptr<PlacementAugmentation> placement_;
};

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_ARC_AUGMENTATION_H_
