// The reference's augmentation loop for one puzzle (spec §7.6): draw up to retries * num_aug
// candidates, keep those whose content differs from every member kept so far (the original
// included), stop at num_aug + 1 members.
//
// The reference compares SHA-256 digests of every augmented grid. Here a candidate is first
// compared by what determines its content (the dihedral id and the images of the colours the
// puzzle uses), then by a 64-bit content hash computed from per-colour position sums in O(colours)
// per grid, and any hash match is confirmed by comparing the materialised grids, so accept/reject
// decisions are exactly the reference's (barring a SHA-256 collision) at a fraction of the cost.
#ifndef PLUGINS_ARC_GROUP_AUGMENTER_H_
#define PLUGINS_ARC_GROUP_AUGMENTER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "plugins/arc/arc_tasks.h"
#include "plugins/arc/common/arc_augmentation.h"
#include "plugins/arc/common/grid.h"
#include "trm/data/numpy_random.h"

namespace trm::arc {

class GroupAugmenter {
 public:
  // `pairs`: every example of the puzzle, all splits together (the reference hashes them all);
  // every pair has its output.
  explicit GroupAugmenter(std::vector<const ArcPair*> pairs);

  // The members of the group: the original (identity) first, then the accepted candidates in
  // drawing order.
  std::vector<DihedralColorAugmentation> Augment(const AugmentationPipeline& pipeline, int num_aug,
                                                 int retries_per_aug, NumpyRandomState& rng) const;

  // Content equality of the puzzle under two augmentations (multiset of augmented pairs).
  bool SameContent(const DihedralColorAugmentation& a, const DihedralColorAugmentation& b) const;
  uint64_t ContentHash(const DihedralColorAugmentation& augmentation) const;

 private:
  // Per grid and dihedral id: sum of the position keys of the cells of each colour.
  using ColorSums = std::array<std::array<uint64_t, kNumColors>, kNumDihedral>;

  uint64_t Key(const DihedralColorAugmentation& augmentation) const;
  uint64_t GridHash(size_t grid, const DihedralColorAugmentation& augmentation) const;

  std::vector<const ArcPair*> pairs_;
  std::vector<const Grid*> grids_;  // input, output of each pair
  std::vector<ColorSums> sums_;     // one per grid
  std::array<bool, kNumColors> used_{};
};

// Packs an augmentation into 64 bits (4 bits per colour, 4 bits of dihedral id) and back.
uint64_t PackAugmentation(const DihedralColorAugmentation& augmentation);
DihedralColorAugmentation UnpackAugmentation(uint64_t packed);

}  // namespace trm::arc

#endif  // PLUGINS_ARC_GROUP_AUGMENTER_H_
