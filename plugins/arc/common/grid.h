// ARC grids and the reference's grid-level operations: the 8 dihedral transforms (spec §7.4),
// colour maps and the dihedral+colour augmentation with its name format (§7.5), and grid hashes
// (§7.6). Shared by the dataset builder, the augmentation plugins and the ARC evaluator.
#ifndef PLUGINS_ARC_COMMON_GRID_H_
#define PLUGINS_ARC_COMMON_GRID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trm {

inline constexpr int kNumColors = 10;
inline constexpr int kMaxGridSide = 30;

struct Grid {
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> cells;  // row-major, rows * cols colours 0..9

  Grid() = default;
  Grid(int rows, int cols) : rows(rows), cols(cols), cells(static_cast<size_t>(rows) * cols, 0) {}
  Grid(int rows, int cols, std::vector<uint8_t> cells)
      : rows(rows), cols(cols), cells(std::move(cells)) {}

  uint8_t at(int r, int c) const { return cells[static_cast<size_t>(r) * cols + c]; }
  uint8_t& at(int r, int c) { return cells[static_cast<size_t>(r) * cols + c]; }
  bool operator==(const Grid& other) const {
    return rows == other.rows && cols == other.cols && cells == other.cells;
  }
  bool operator!=(const Grid& other) const { return !(*this == other); }
};

// Dihedral transform `id` (0 identity, 1 rot90 ccw, 2 rot180, 3 rot270, 4 flip left-right,
// 5 flip up-down, 6 transpose, 7 anti-transpose); any other id is the identity, as in the
// reference.
Grid Dihedral(const Grid& grid, int id);
inline constexpr int kNumDihedral = 8;
inline constexpr std::array<int, kNumDihedral> kInverseDihedral = {0, 3, 2, 1, 4, 5, 6, 7};
inline int InverseDihedralId(int id) { return id >= 0 && id < 8 ? kInverseDihedral[id] : id; }
inline bool DihedralSwapsAxes(int id) { return id == 1 || id == 3 || id == 6 || id == 7; }
// The id of "apply `first`, then `second`".
int ComposeDihedral(int first, int second);

// Where the cells of Dihedral(grid, id) come from in a rows x cols source (row-major):
// out(i, j) = source[base + i * row_step + j * col_step], out being out_rows x out_cols.
struct DihedralLayout {
  int out_rows = 0;
  int out_cols = 0;
  int base = 0;
  int row_step = 0;
  int col_step = 0;
};
DihedralLayout GetDihedralLayout(int id, int rows, int cols);

using ColorMap = std::array<uint8_t, kNumColors>;  // new colour of each old colour
inline constexpr ColorMap kIdentityColors = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
Grid Recolor(const Grid& grid, const ColorMap& map);
ColorMap InvertColorMap(const ColorMap& map);

// The reference's named augmentation: recolour with `colors`, then dihedral `transform`.
struct DihedralColorAugmentation {
  int transform = 0;
  ColorMap colors = kIdentityColors;

  Grid Apply(const Grid& grid) const { return Dihedral(Recolor(grid, colors), transform); }
  Grid Invert(const Grid& grid) const {
    return Recolor(Dihedral(grid, InverseDihedralId(transform)), InvertColorMap(colors));
  }
  // This augmentation followed by `next` (recolouring and dihedral transforms commute).
  DihedralColorAugmentation Then(const DihedralColorAugmentation& next) const;
  bool operator==(const DihedralColorAugmentation& other) const {
    return transform == other.transform && colors == other.colors;
  }
};

inline constexpr char kAugmentationSeparator[] = "|||";

// "<id>|||t<transform>|||<10 colour digits>", e.g. "8b28cd80|||t3|||0768314952".
std::string AugmentedName(const std::string& id, const DihedralColorAugmentation& augmentation);

struct ParsedName {
  std::string id;                          // the original puzzle id
  DihedralColorAugmentation augmentation;  // identity for a plain id
};
// Inverse of AugmentedName; a name without "|||" is the identity. nullopt for a malformed suffix.
std::optional<ParsedName> ParseAugmentedName(const std::string& name);

// SHA-256 hex of [rows, cols] + cells as bytes (the reference's grid_hash).
std::string GridHash(const Grid& grid);

// "rows x cols" string for messages.
std::string GridShape(const Grid& grid);

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_GRID_H_
