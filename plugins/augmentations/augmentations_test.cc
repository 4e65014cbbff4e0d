#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/augmentations/dihedral_color.h"
#include "plugins/augmentations/translate.h"

namespace trm::plugins {
namespace {

using ::testing::ElementsAre;

config::AugmentationConfig Named(const std::string& name, double probability = 1.0) {
  config::AugmentationConfig config;
  config.set_name(name);
  config.set_probability(probability);
  return config;
}

TEST(DihedralColorTest, DrawsLikeTheReferenceAug) {
  // The arc_aug fixture: np.random.seed(200) -> "49d1d64f|||t2|||0946728351",
  // np.random.seed(210) -> "0c786b71|||t2|||0731429658".
  DihedralColor dihedral_color(Named("dihedral_color"));
  NumpyRandomState rng(200);
  EXPECT_EQ(AugmentedName("49d1d64f", dihedral_color.Draw(rng)), "49d1d64f|||t2|||0946728351");
  rng.Seed(210);
  EXPECT_EQ(AugmentedName("0c786b71", dihedral_color.Draw(rng)), "0c786b71|||t2|||0731429658");
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(dihedral_color.Draw(rng).colors[0], 0);
  EXPECT_TRUE(dihedral_color.Validate().ok());
  EXPECT_FALSE(DihedralColor(Named("dihedral_color", 0.5)).Validate().ok());
}

TEST(TranslateTest, DrawsTheAnchoredIndexThenRowsThenColumns) {
  Translate translate(Named("translate"));
  NumpyRandomState rng(100);
  std::vector<Placement> placements(1);
  const std::vector<ExampleExtent> extents = {{4, 5}};
  // One example: it is the anchored one, nothing moves and nothing is drawn.
  translate.Place("train", extents, 30, rng, absl::MakeSpan(placements));
  EXPECT_EQ(placements[0], (Placement{0, 0}));
  // Two examples, the first anchored: randint(0, 2) then the second example's offsets.
  NumpyRandomState reference(100);
  const int64_t anchored = reference.RandInt(0, 2);
  const int row = static_cast<int>(reference.RandInt(0, 30 - 4 + 1));
  const int col = static_cast<int>(reference.RandInt(0, 30 - 5 + 1));
  std::vector<Placement> two(2);
  translate.Place("train", {{4, 5}, {4, 5}}, 30, rng, absl::MakeSpan(two));
  EXPECT_EQ(two[anchored], (Placement{0, 0}));
  EXPECT_EQ(two[1 - anchored], (Placement{row, col}));
  EXPECT_TRUE(rng.state() == reference.state());
}

TEST(TranslateTest, TestSplitStaysAnchoredButDrawsTheKeepIndex) {
  Translate translate(Named("translate"));
  NumpyRandomState rng(5), reference(5);
  std::vector<Placement> placements(3);
  translate.Place("test", {{3, 3}, {2, 2}, {1, 1}}, 30, rng, absl::MakeSpan(placements));
  EXPECT_THAT(placements, ElementsAre(Placement{}, Placement{}, Placement{}));
  reference.RandInt(0, 3);
  EXPECT_TRUE(rng.state() == reference.state());
}

TEST(TranslateTest, FullCanvasExamplesCannotMoveAndDrawNothing) {
  Translate translate(Named("translate"));
  NumpyRandomState rng(9), reference(9);
  std::vector<Placement> placements(2);
  translate.Place("train", {{30, 30}, {30, 30}}, 30, rng, absl::MakeSpan(placements));
  EXPECT_THAT(placements, ElementsAre(Placement{}, Placement{}));
  reference.RandInt(0, 2);  // only the anchored-example draw
  EXPECT_TRUE(rng.state() == reference.state());
}

TEST(TranslateTest, ProbabilityKeepsSomeExamplesInPlace) {
  Translate never(Named("translate", 0.0));
  NumpyRandomState rng(3);
  std::vector<Placement> placements(50);
  std::vector<ExampleExtent> extents(50, ExampleExtent{2, 2});
  never.Place("train", extents, 30, rng, absl::MakeSpan(placements));
  for (const Placement& p : placements) EXPECT_EQ(p, Placement{});
  EXPECT_FALSE(Translate(Named("translate", 1.5)).Validate().ok());
}

}  // namespace
}  // namespace trm::plugins
