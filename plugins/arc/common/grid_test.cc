#include "plugins/arc/common/grid.h"

#include <random>

#include "gtest/gtest.h"
#include "trm/data/sha256.h"

namespace trm {
namespace {

Grid Make(std::vector<std::vector<int>> rows) {
  Grid g(static_cast<int>(rows.size()), static_cast<int>(rows[0].size()));
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) g.at(r, c) = static_cast<uint8_t>(rows[r][c]);
  return g;
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(GridTest, DihedralExamplesFromTheSpec) {
  const Grid g = Make({{1, 2}, {3, 4}});
  EXPECT_EQ(Dihedral(g, 1), Make({{2, 4}, {1, 3}}));
  EXPECT_EQ(Dihedral(g, 3), Make({{3, 1}, {4, 2}}));
  EXPECT_EQ(Dihedral(g, 7), Make({{4, 2}, {3, 1}}));
  EXPECT_EQ(Dihedral(g, 6), Make({{1, 3}, {2, 4}}));
  EXPECT_EQ(Dihedral(g, 9), g);
}

TEST(GridTest, EveryTransformInvertsOnNonSquareGrids) {
  std::mt19937 rng(7);
  Grid g(3, 5);
  for (uint8_t& cell : g.cells) cell = rng() % 10;
  for (int id = 0; id < 8; ++id) {
    const Grid t = Dihedral(g, id);
    const bool swapped = id == 1 || id == 3 || id == 6 || id == 7;
    EXPECT_EQ(t.rows, swapped ? 5 : 3) << id;
    EXPECT_EQ(Dihedral(t, InverseDihedralId(id)), g) << id;
  }
}

TEST(GridTest, AugmentationNameRoundTripsAndInverts) {
  DihedralColorAugmentation aug{3, {0, 7, 6, 8, 3, 1, 4, 9, 5, 2}};
  const std::string name = AugmentedName("8b28cd80", aug);
  EXPECT_EQ(name, "8b28cd80|||t3|||0768314952");
  auto parsed = ParseAugmentedName(name);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "8b28cd80");
  EXPECT_EQ(parsed->augmentation.transform, 3);
  EXPECT_EQ(parsed->augmentation.colors, aug.colors);
  const Grid g = Make({{0, 1, 2}, {3, 4, 5}});
  EXPECT_EQ(aug.Invert(aug.Apply(g)), g);

  auto plain = ParseAugmentedName("8b28cd80");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->augmentation.transform, 0);
  EXPECT_FALSE(ParseAugmentedName("x|||t3|||012").has_value());
  EXPECT_FALSE(ParseAugmentedName("x|||3|||0123456789").has_value());
  EXPECT_FALSE(ParseAugmentedName("x|||t3|||0123456788").has_value());
}

TEST(GridTest, GridHashMatchesTheReferenceDefinition) {
  // sha256(bytes([1, 1, 0])).
  EXPECT_EQ(GridHash(Make({{0}})), Sha256Hex(std::string("\x01\x01\x00", 3)));
}

}  // namespace
}  // namespace trm
