// Recovering an ARC grid from a model's token sequence (spec §10.1).
#ifndef PLUGINS_EVALUATORS_ARC_CROP_H_
#define PLUGINS_EVALUATORS_ARC_CROP_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "plugins/arc/common/grid.h"

namespace trm::plugins {

// Tokens: 0 PAD, 1 EOS, colour c -> c + 2 (spec §7.8).
inline constexpr int32_t kFirstColorToken = 2;
inline constexpr int32_t kLastColorToken = kFirstColorToken + kNumColors - 1;

// The side of the square canvas a sequence of `seq_len` tokens encodes (30 for ARC's 900).
absl::StatusOr<int> CanvasSide(int64_t seq_len);

// The largest-area all-colour rectangle anchored at the top-left corner of the `side` x `side`
// canvas, scanning rows top-down with a width that only shrinks (the reference's rule: the first
// rectangle of maximal area wins). Anything outside it (EOS border, padding, junk) is ignored; a
// canvas that starts with a non-colour token gives the empty 0x0 grid.
Grid CropGrid(const int32_t* tokens, int side);

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_CROP_H_
