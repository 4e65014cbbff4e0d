#include "trm/data/grid.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "trm/data/sha256.h"

namespace trm {

Grid Dihedral(const Grid& a, int id) {
  const int h = a.rows, w = a.cols;
  const bool swap = id == 1 || id == 3 || id == 6 || id == 7;
  Grid out(swap ? w : h, swap ? h : w);
  for (int i = 0; i < out.rows; ++i) {
    for (int j = 0; j < out.cols; ++j) {
      uint8_t v;
      switch (id) {
        case 1: v = a.at(j, w - 1 - i); break;
        case 2: v = a.at(h - 1 - i, w - 1 - j); break;
        case 3: v = a.at(h - 1 - j, i); break;
        case 4: v = a.at(i, w - 1 - j); break;
        case 5: v = a.at(h - 1 - i, j); break;
        case 6: v = a.at(j, i); break;
        case 7: v = a.at(h - 1 - j, w - 1 - i); break;
        default: v = a.at(i, j); break;
      }
      out.at(i, j) = v;
    }
  }
  return out;
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
