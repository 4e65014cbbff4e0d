#include "trm/base/strings.h"

#include <algorithm>

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

TEST(HtmlEscapeTest, EscapesMarkupAndQuotesOnly) {
  EXPECT_EQ(HtmlEscape("a<b> & \"c\" 'd' é"), "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; é");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
}

TEST(NaturalLessTest, TrailingNumbersCompareAsNumbers) {
  std::vector<std::string> names = {"ARC/pass@10", "all/accuracy", "ARC/pass@2", "ARC/pass@1000",
                                    "ARC/pass@1", "ARC/pass@100", "ARC/pass@5"};
  std::sort(names.begin(), names.end(), NaturalLess);
  EXPECT_EQ(names, (std::vector<std::string>{"ARC/pass@1", "ARC/pass@2", "ARC/pass@5",
                                             "ARC/pass@10", "ARC/pass@100", "ARC/pass@1000",
                                             "all/accuracy"}));
  EXPECT_TRUE(NaturalLess("step_9", "step_010"));
  EXPECT_TRUE(NaturalLess("step", "step_1"));
  EXPECT_FALSE(NaturalLess("x99999999999999999999999", "x1"));
}

}  // namespace
}  // namespace trm
