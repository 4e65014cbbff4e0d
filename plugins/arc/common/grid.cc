#include "plugins/arc/common/grid.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "trm/data/sha256.h"

namespace trm {

DihedralLayout GetDihedralLayout(int id, int h, int w) {
  const int last_row = (h - 1) * w, last_col = w - 1;
  switch (id) {
    case 1: return {w, h, last_col, -1, w};                 // A[j][w-1-i]
    case 2: return {h, w, last_row + last_col, -w, -1};     // A[h-1-i][w-1-j]
    case 3: return {w, h, last_row, 1, -w};                 // A[h-1-j][i]
    case 4: return {h, w, last_col, w, -1};                 // A[i][w-1-j]
    case 5: return {h, w, last_row, -w, 1};                 // A[h-1-i][j]
    case 6: return {w, h, 0, 1, w};                         // A[j][i]
    case 7: return {w, h, last_row + last_col, -1, -w};     // A[h-1-j][w-1-i]
    default: return {h, w, 0, w, 1};                        // A[i][j]
  }
}

Grid Dihedral(const Grid& a, int id) {
  const DihedralLayout layout = GetDihedralLayout(id, a.rows, a.cols);
  Grid out(layout.out_rows, layout.out_cols);
  uint8_t* dst = out.cells.data();
  for (int i = 0; i < out.rows; ++i) {
    int src = layout.base + i * layout.row_step;
    for (int j = 0; j < out.cols; ++j, src += layout.col_step) *dst++ = a.cells[src];
  }
  return out;
}

int ComposeDihedral(int first, int second) {
  // Found by applying both to a grid whose 8 images are distinct.
  static const auto* const table = [] {
    auto* t = new std::array<std::array<int, kNumDihedral>, kNumDihedral>;
    const Grid probe(2, 3, {0, 1, 2, 3, 4, 5});
    for (int a = 0; a < kNumDihedral; ++a) {
      for (int b = 0; b < kNumDihedral; ++b) {
        const Grid target = Dihedral(Dihedral(probe, a), b);
        for (int c = 0; c < kNumDihedral; ++c) {
          if (Dihedral(probe, c) == target) (*t)[a][b] = c;
        }
      }
    }
    return t;
  }();
  const auto valid = [](int id) { return id >= 0 && id < kNumDihedral ? id : 0; };
  return (*table)[valid(first)][valid(second)];
}

DihedralColorAugmentation DihedralColorAugmentation::Then(
    const DihedralColorAugmentation& next) const {
  DihedralColorAugmentation composed;
  composed.transform = ComposeDihedral(transform, next.transform);
  for (int c = 0; c < kNumColors; ++c) composed.colors[c] = next.colors[colors[c]];
  return composed;
}

Grid Recolor(const Grid& grid, const ColorMap& map) {
  Grid out = grid;
  for (uint8_t& cell : out.cells) cell = map[cell];
  return out;
}

ColorMap InvertColorMap(const ColorMap& map) {
  // argsort of the map (the reference's inverse): inverse[map[c]] = c.
  ColorMap inverse = kIdentityColors;
  for (int c = 0; c < kNumColors; ++c) inverse[map[c]] = static_cast<uint8_t>(c);
  return inverse;
}

std::string AugmentedName(const std::string& id, const DihedralColorAugmentation& augmentation) {
  std::string digits;
  for (uint8_t c : augmentation.colors) digits += static_cast<char>('0' + c);
  return absl::StrCat(id, kAugmentationSeparator, "t", augmentation.transform,
                      kAugmentationSeparator, digits);
}

std::optional<ParsedName> ParseAugmentedName(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, kAugmentationSeparator);
  ParsedName parsed;
  if (parts.size() == 1) {
    parsed.id = name;
    return parsed;
  }
  if (parts.size() != 3 || parts[1].size() < 2 || parts[1][0] != 't' ||
      !absl::SimpleAtoi(parts[1].substr(1), &parsed.augmentation.transform) ||
      parts[2].size() != kNumColors) {
    return std::nullopt;
  }
  std::array<bool, kNumColors> seen{};
  for (int c = 0; c < kNumColors; ++c) {
    const char digit = parts[2][c];
    if (digit < '0' || digit > '9' || seen[digit - '0']) return std::nullopt;
    seen[digit - '0'] = true;
    parsed.augmentation.colors[c] = static_cast<uint8_t>(digit - '0');
  }
  parsed.id = parts[0];
  return parsed;
}

std::string GridHash(const Grid& grid) {
  Sha256 sha;
  const uint8_t shape[2] = {static_cast<uint8_t>(grid.rows), static_cast<uint8_t>(grid.cols)};
  sha.Update(shape, 2);
  sha.Update(grid.cells.data(), grid.cells.size());
  return sha.HexDigest();
}

std::string GridShape(const Grid& grid) { return absl::StrCat(grid.rows, "x", grid.cols); }

}  // namespace trm
