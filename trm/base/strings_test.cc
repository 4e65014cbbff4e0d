#include "trm/base/strings.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

TEST(EditDistanceTest, Basics) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("abc", ""), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("L_cycles", "l_cycles"), 0);
}

TEST(ClosestMatchesTest, SuggestsNearNamesBestFirst) {
  std::vector<std::string> fields = {"L_cycles", "H_cycles", "L_layers", "hidden_size"};
  EXPECT_THAT(ClosestMatches("L_cycle", fields), testing::ElementsAre("L_cycles", "H_cycles"));
  EXPECT_THAT(ClosestMatches("bogus", fields), testing::IsEmpty());
  EXPECT_EQ(DidYouMean("hiden_size", fields), " (did you mean 'hidden_size'?)");
  EXPECT_EQ(DidYouMean("zzz", fields), "");
}

}  // namespace
}  // namespace trm
