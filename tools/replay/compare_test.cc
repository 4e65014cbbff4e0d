#include "tools/replay/compare.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::parity {
namespace {

using ::testing::HasSubstr;

TEST(CompareTest, CloseUsesAbsolutePlusRelativeBound) {
  const at::Tensor expected = at::tensor({1.0, 100.0});
  EXPECT_TRUE(CompareClose("x", at::tensor({1.0005f, 100.01f}), expected, 1e-3, 1e-4).pass);
  const Comparison fail = CompareClose("x", at::tensor({1.0, 100.03}), expected, 1e-3, 1e-4);
  EXPECT_FALSE(fail.pass);
  EXPECT_NEAR(fail.max_abs_error, 0.03, 1e-9);
  EXPECT_FALSE(CompareClose("x", at::tensor({NAN, 100.0}), expected, 1e9, 1).pass);
}

TEST(CompareTest, ShapeMismatchFailsWithANote) {
  const Comparison c = CompareClose("x", at::zeros({2, 3}), at::zeros({3, 2}), 1, 1);
  EXPECT_FALSE(c.pass);
  EXPECT_THAT(c.note, HasSubstr("[2, 3]"));
  EXPECT_FALSE(CompareExact("x", at::Tensor(), at::zeros({1})).pass);
}

TEST(CompareTest, ExactAcrossDtypes) {
  EXPECT_TRUE(CompareExact("n", at::tensor({3}, at::kLong), at::tensor({3}, at::kInt)).pass);
  EXPECT_FALSE(
      CompareExact("n", at::tensor({1, 0}).to(at::kBool), at::tensor({1, 1}).to(at::kBool)).pass);
}

TEST(CompareTest, GradientBoundIsRelativeToTheLargestReferenceEntry) {
  const at::Tensor expected = at::tensor({10.0, 0.0});
  EXPECT_TRUE(CompareGradient("g", at::tensor({10.0009, 0.0009}), expected, 1e-4).pass);
  EXPECT_FALSE(CompareGradient("g", at::tensor({10.0, 0.0011}), expected, 1e-4).pass);
}

TEST(CompareTest, ArgmaxAllowsAGivenNumberOfFlips) {
  const at::Tensor expected = at::tensor({1, 2, 3, 4}, at::kInt);
  const at::Tensor actual = at::tensor({1, 2, 0, 4}, at::kLong);
  EXPECT_TRUE(CompareArgmax("p", actual, expected, 1).pass);
  const Comparison c = CompareArgmax("p", actual, expected, 0);
  EXPECT_FALSE(c.pass);
  EXPECT_EQ(c.max_abs_error, 1.0);
}

TEST(CompareTest, FormatHasNameErrorToleranceAndVerdict) {
  Comparison c = CompareClose("eval.step1.logits", at::tensor({1.0}), at::tensor({1.0}), 1e-4, 0);
  EXPECT_THAT(FormatComparison(c),
              ::testing::MatchesRegex("eval\\.step1\\.logits +0 +atol 0\\.0001 \\+ rtol 0 +PASS"));
}

}  // namespace
}  // namespace trm::parity
