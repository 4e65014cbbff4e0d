#include "plugins/arc/common/token_drawing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugins/arc/common/arc_encoding.h"

namespace trm {
namespace {

// The ARC palette (colours 0..9).
constexpr int kPalette[10][3] = {{0, 0, 0},       {0, 116, 217},   {255, 65, 54},  {46, 204, 64},
                                 {255, 220, 0},   {170, 170, 170}, {240, 18, 190}, {255, 133, 27},
                                 {127, 219, 255}, {135, 12, 37}};

// One token as two terminal columns.
std::string Cell(int64_t token, bool color) {
  if (!color) {
    if (token == kPadToken) return " .";
    if (token == kEosToken) return " #";
    return absl::StrCat(" ", token - kColorTokenOffset);
  }
  if (token == kPadToken) return "\x1b[0m  ";
  if (token == kEosToken) return "\x1b[48;2;70;70;70m\x1b[38;2;160;160;160m::\x1b[0m";
  const int64_t c = std::clamp<int64_t>(token - kColorTokenOffset, 0, 9);
  return absl::StrFormat("\x1b[48;2;%d;%d;%dm  \x1b[0m", kPalette[c][0], kPalette[c][1],
                         kPalette[c][2]);
}

}  // namespace

std::string DrawTokenCanvases(const std::vector<std::string>& titles,
                              const std::vector<std::vector<int64_t>>& canvases, int side,
                              bool color) {
  int used_rows = 0, used_cols = 0;
  for (const auto& canvas : canvases) {
    for (int r = 0; r < side; ++r) {
      for (int c = 0; c < side; ++c) {
        if (canvas[r * side + c] != kPadToken) {
          used_rows = std::max(used_rows, r + 1);
          used_cols = std::max(used_cols, c + 1);
        }
      }
    }
  }
  std::string out;
  const size_t width = static_cast<size_t>(2 * used_cols + 4);
  for (size_t k = 0; k < titles.size(); ++k) {
    out += titles[k];
    if (k + 1 < titles.size())
      out += std::string(width > titles[k].size() ? width - titles[k].size() : 1, ' ');
  }
  out += "\n";
  for (int r = 0; r < used_rows; ++r) {
    for (size_t k = 0; k < canvases.size(); ++k) {
      if (k > 0) out += "    ";
      for (int c = 0; c < used_cols; ++c) out += Cell(canvases[k][r * side + c], color);
    }
    out += "\n";
  }
  return out;
}

std::string DrawGrids(const std::vector<std::string>& titles, const std::vector<Grid>& grids,
                      bool color) {
  int side = 1;
  for (const Grid& grid : grids) side = std::max({side, grid.rows + 1, grid.cols + 1});
  std::vector<std::vector<int64_t>> canvases;
  std::vector<uint8_t> tokens(static_cast<size_t>(side) * side);
  for (const Grid& grid : grids) {
    EncodeGrid(grid, Placement{}, side, tokens.data());
    canvases.emplace_back(tokens.begin(), tokens.end());
  }
  return DrawTokenCanvases(titles, canvases, side, color);
}

std::string DrawingLegend(bool color) {
  return color ? "(blank: PAD, '::': EOS)\n" : "('.': PAD, '#': EOS, digits: colours)\n";
}

}  // namespace trm
