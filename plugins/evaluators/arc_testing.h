// Test helpers of the ARC evaluator: grids onto a token canvas the way the dataset builder
// encodes them (spec §7.8, no translation).
#ifndef PLUGINS_EVALUATORS_ARC_TESTING_H_
#define PLUGINS_EVALUATORS_ARC_TESTING_H_

#include <cstdint>
#include <vector>

#include "plugins/evaluators/arc_crop.h"
#include "plugins/arc/common/grid.h"

namespace trm::plugins::arc_testing {

inline constexpr int32_t kPadToken = 0;
inline constexpr int32_t kEosToken = 1;

// `grid` at the top-left of a `side` x `side` PAD canvas, with the EOS row below it and the EOS
// column right of it (the corner stays PAD).
inline std::vector<int32_t> EncodeOnCanvas(const Grid& grid, int side) {
  std::vector<int32_t> tokens(static_cast<size_t>(side) * side, kPadToken);
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.cols; ++c) tokens[r * side + c] = grid.at(r, c) + kFirstColorToken;
  if (grid.rows < side)
    for (int c = 0; c < grid.cols; ++c) tokens[grid.rows * side + c] = kEosToken;
  if (grid.cols < side)
    for (int r = 0; r < grid.rows; ++r) tokens[r * side + grid.cols] = kEosToken;
  return tokens;
}

}  // namespace trm::plugins::arc_testing

#endif  // PLUGINS_EVALUATORS_ARC_TESTING_H_
