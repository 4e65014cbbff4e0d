#include "plugins/evaluators/arc_crop.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace trm::plugins {

absl::StatusOr<int> CanvasSide(int64_t seq_len) {
  const int64_t side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(seq_len))));
  if (seq_len <= 0 || side * side != seq_len || side > kMaxGridSide) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ARC sequences encode a square canvas of at most ", kMaxGridSide, "x", kMaxGridSide,
        " cells; seq_len ", seq_len, " is not such a square"));
  }
  return static_cast<int>(side);
}

Grid CropGrid(const int32_t* tokens, int side) {
  int best_area = 0, best_rows = 0, best_cols = 0;
  int width = side;
  for (int rows = 1; rows <= side; ++rows) {
    const int32_t* row = tokens + static_cast<int64_t>(rows - 1) * side;
    for (int c = 0; c < width; ++c) {
      if (row[c] < kFirstColorToken || row[c] > kLastColorToken) {
        width = c;
        break;
      }
    }
    if (rows * width > best_area) {
      best_area = rows * width;
      best_rows = rows;
      best_cols = width;
    }
  }
  Grid grid(best_rows, best_cols);
  for (int r = 0; r < best_rows; ++r) {
    for (int c = 0; c < best_cols; ++c) {
      grid.at(r, c) = static_cast<uint8_t>(tokens[r * side + c] - kFirstColorToken);
    }
  }
  return grid;
}

}  // namespace trm::plugins
