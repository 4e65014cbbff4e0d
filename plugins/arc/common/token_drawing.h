// Draws ARC token canvases (and grids) in a terminal: two columns per cell, in the ARC palette
// with 24-bit ANSI colours, or as digits ('.' PAD, '#' EOS) without colour. Used by dataset_info
// and by the ARC evaluator's end-of-run summary.
#ifndef PLUGINS_ARC_COMMON_TOKEN_DRAWING_H_
#define PLUGINS_ARC_COMMON_TOKEN_DRAWING_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "plugins/arc/common/grid.h"

namespace trm {

// Square token canvases (side x side, row-major) side by side under their titles, cropped to the
// last non-PAD row and column of any of them; one '\n'-terminated line per row.
std::string DrawTokenCanvases(const std::vector<std::string>& titles,
                              const std::vector<std::vector<int64_t>>& canvases, int side,
                              bool color);

// Grids side by side, each drawn as encoded at the top-left of a canvas (so EOS marks its edge).
std::string DrawGrids(const std::vector<std::string>& titles, const std::vector<Grid>& grids,
                      bool color);

// The legend line for the drawings above.
std::string DrawingLegend(bool color);

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_TOKEN_DRAWING_H_
