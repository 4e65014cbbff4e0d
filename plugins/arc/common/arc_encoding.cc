#include "plugins/arc/common/arc_encoding.h"

#include <cstring>

namespace trm {

void EncodeAugmentedGrid(const Grid& grid, const DihedralColorAugmentation& augmentation,
                         Placement at, int canvas, uint8_t* tokens) {
  std::memset(tokens, kPadToken, static_cast<size_t>(canvas) * canvas);
  uint8_t token_of[kNumColors];
  for (int c = 0; c < kNumColors; ++c) token_of[c] = augmentation.colors[c] + kColorTokenOffset;
  const DihedralLayout layout = GetDihedralLayout(augmentation.transform, grid.rows, grid.cols);
  const uint8_t* source = grid.cells.data();
  for (int i = 0; i < layout.out_rows; ++i) {
    uint8_t* row = tokens + static_cast<size_t>(at.row + i) * canvas + at.col;
    int s = layout.base + i * layout.row_step;
    for (int j = 0; j < layout.out_cols; ++j, s += layout.col_step) row[j] = token_of[source[s]];
  }
  const int end_row = at.row + layout.out_rows, end_col = at.col + layout.out_cols;
  if (end_row < canvas) {
    std::memset(tokens + static_cast<size_t>(end_row) * canvas + at.col, kEosToken,
                layout.out_cols);
  }
  if (end_col < canvas) {
    for (int r = at.row; r < end_row; ++r)
      tokens[static_cast<size_t>(r) * canvas + end_col] = kEosToken;
  }
}

}  // namespace trm
