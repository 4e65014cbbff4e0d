// The reference's token encoding of ARC grids (spec §7.8): a grid is drawn on a square canvas
// (30 x 30 for ARC) at a placement, colours c become tokens c + 2, the row below and the column
// right of the grid are EOS (their corner cell stays PAD), everything else is PAD; the canvas is
// flattened row-major.
#ifndef PLUGINS_ARC_COMMON_ARC_ENCODING_H_
#define PLUGINS_ARC_COMMON_ARC_ENCODING_H_

#include <cstdint>

#include "plugins/arc/common/grid.h"

namespace trm {

inline constexpr uint8_t kPadToken = 0;
inline constexpr uint8_t kEosToken = 1;
inline constexpr uint8_t kColorTokenOffset = 2;
inline constexpr int kArcVocabSize = kNumColors + 2;

// Top-left corner of an example on the canvas.
struct Placement {
  int row = 0;
  int col = 0;
  bool operator==(const Placement& other) const { return row == other.row && col == other.col; }
};

// Writes canvas * canvas tokens for `augmentation.Apply(grid)` placed at `at` (which must fit).
void EncodeAugmentedGrid(const Grid& grid, const DihedralColorAugmentation& augmentation,
                         Placement at, int canvas, uint8_t* tokens);
inline void EncodeGrid(const Grid& grid, Placement at, int canvas, uint8_t* tokens) {
  EncodeAugmentedGrid(grid, DihedralColorAugmentation{}, at, canvas, tokens);
}

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_ARC_ENCODING_H_
