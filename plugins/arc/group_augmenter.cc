#include "plugins/arc/group_augmenter.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"

namespace trm::arc {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Fixed random keys: one per canvas position and one per colour.
struct HashKeys {
  std::array<uint64_t, kMaxGridSide * kMaxGridSide> position;
  std::array<uint64_t, kNumColors> color;
  HashKeys() {
    uint64_t state = 0x5eed;
    for (uint64_t& key : position) key = Mix(state++);
    for (uint64_t& key : color) key = Mix(state++) | 1;
  }
};
const HashKeys& Keys() {
  static const HashKeys keys;
  return keys;
}

std::string Materialize(const Grid& grid, const DihedralColorAugmentation& augmentation) {
  const Grid out = augmentation.Apply(grid);
  std::string bytes = {static_cast<char>(out.rows), static_cast<char>(out.cols)};
  bytes.append(out.cells.begin(), out.cells.end());
  return bytes;
}

}  // namespace

uint64_t PackAugmentation(const DihedralColorAugmentation& augmentation) {
  uint64_t packed = static_cast<uint64_t>(augmentation.transform) & 0xf;
  for (int c = 0; c < kNumColors; ++c) packed |= uint64_t{augmentation.colors[c]} << (4 + 4 * c);
  return packed;
}

DihedralColorAugmentation UnpackAugmentation(uint64_t packed) {
  DihedralColorAugmentation augmentation;
  augmentation.transform = static_cast<int>(packed & 0xf);
  for (int c = 0; c < kNumColors; ++c) augmentation.colors[c] = (packed >> (4 + 4 * c)) & 0xf;
  return augmentation;
}

GroupAugmenter::GroupAugmenter(std::vector<const ArcPair*> pairs) : pairs_(std::move(pairs)) {
  const HashKeys& keys = Keys();
  for (const ArcPair* pair : pairs_) {
    for (const Grid* grid : {&pair->input, &*pair->output}) {
      grids_.push_back(grid);
      ColorSums sums{};
      for (int t = 0; t < kNumDihedral; ++t) {
        const DihedralLayout layout = GetDihedralLayout(t, grid->rows, grid->cols);
        for (int i = 0; i < layout.out_rows; ++i) {
          int s = layout.base + i * layout.row_step;
          for (int j = 0; j < layout.out_cols; ++j, s += layout.col_step) {
            sums[t][grid->cells[s]] += keys.position[i * kMaxGridSide + j];
          }
        }
      }
      for (uint8_t cell : grid->cells) used_[cell] = true;
      sums_.push_back(sums);
    }
  }
}

uint64_t GroupAugmenter::Key(const DihedralColorAugmentation& augmentation) const {
  uint64_t key = static_cast<uint64_t>(augmentation.transform) & 0xf;
  for (int c = 0; c < kNumColors; ++c) {
    if (used_[c]) key |= uint64_t{augmentation.colors[c]} << (4 + 4 * c);
  }
  return key;
}

uint64_t GroupAugmenter::GridHash(size_t grid,
                                  const DihedralColorAugmentation& augmentation) const {
  const HashKeys& keys = Keys();
  const int t = augmentation.transform >= 0 && augmentation.transform < kNumDihedral
                    ? augmentation.transform
                    : 0;
  const Grid& g = *grids_[grid];
  const bool swap = DihedralSwapsAxes(t);
  uint64_t h = Mix(static_cast<uint64_t>(swap ? g.cols : g.rows) * 64 + (swap ? g.rows : g.cols));
  for (int c = 0; c < kNumColors; ++c) h += keys.color[augmentation.colors[c]] * sums_[grid][t][c];
  return h;
}

uint64_t GroupAugmenter::ContentHash(const DihedralColorAugmentation& augmentation) const {
  // A sum over pairs: independent of their order, like the reference's sorted digest list.
  uint64_t h = 0;
  for (size_t p = 0; p < pairs_.size(); ++p) {
    h += Mix(GridHash(2 * p, augmentation) ^ Mix(GridHash(2 * p + 1, augmentation) + 0x2545f491));
  }
  return h;
}

bool GroupAugmenter::SameContent(const DihedralColorAugmentation& a,
                                 const DihedralColorAugmentation& b) const {
  auto canonical = [&](const DihedralColorAugmentation& augmentation) {
    std::vector<std::string> pairs;
    for (const ArcPair* pair : pairs_) {
      pairs.push_back(Materialize(pair->input, augmentation) + "|" +
                      Materialize(*pair->output, augmentation));
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
  };
  return canonical(a) == canonical(b);
}

std::vector<DihedralColorAugmentation> GroupAugmenter::Augment(const AugmentationPipeline& pipeline,
                                                               int num_aug, int retries_per_aug,
                                                               NumpyRandomState& rng) const {
  std::vector<DihedralColorAugmentation> members = {DihedralColorAugmentation{}};
  if (num_aug <= 0) return members;
  absl::flat_hash_set<uint64_t> seen_keys = {Key(members[0])};
  absl::flat_hash_map<uint64_t, absl::InlinedVector<DihedralColorAugmentation, 1>> seen_content;
  seen_content[ContentHash(members[0])].push_back(members[0]);
  const int64_t trials = static_cast<int64_t>(retries_per_aug) * num_aug;
  for (int64_t trial = 0; trial < trials; ++trial) {
    const DihedralColorAugmentation candidate = pipeline.DrawVariant(rng);
    // A key seen before means content seen before (accepted or a duplicate of an accepted one).
    if (seen_keys.insert(Key(candidate)).second) {
      auto& same_hash = seen_content[ContentHash(candidate)];
      const bool repeated = std::any_of(same_hash.begin(), same_hash.end(), [&](const auto& other) {
        return SameContent(candidate, other);
      });
      if (!repeated) {
        same_hash.push_back(candidate);
        members.push_back(candidate);
      }
    }
    if (static_cast<int64_t>(members.size()) >= int64_t{num_aug} + 1) break;
  }
  return members;
}

}  // namespace trm::arc
