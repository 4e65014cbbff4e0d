#include "plugins/exact_match/report.h"

#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int32_t kIgnore = static_cast<int32_t>(kIgnoreLabel);

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// Every element but the void ones is closed, in order; "" when so, else the first problem.
std::string TagBalanceProblem(const std::string& html) {
  static const std::regex kTag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>)");
  std::vector<std::string> open;
  for (std::sregex_iterator it(html.begin(), html.end(), kTag), end; it != end; ++it) {
    const std::string name = (*it)[2];
    if (name == "meta" || name == "br") continue;
    if ((*it)[1].length() == 0) {
      open.push_back(name);
    } else if (open.empty() || open.back() != name) {
      return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : open.back());
    } else {
      open.pop_back();
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ExactMatchOptions options;
    options.set_glyphs(" .12<");
    layout_ = *MakeBoardLayout(options, 4, 5);
    tally_.examples = 3;
    tally_.exact = 1;
    tally_.tokens = 11;
    tally_.tokens_right = 8;
    tally_.solved = {4};
    tally_.failed = {0, 7};
    tally_.solved_samples = {{4, true, {1, 1, 2, 3}, {2, 3, 2, 3}, {2, 3, kIgnore, 3}}};
    tally_.failed_samples = {{0, false, {1, 1, 1, 1}, {2, 2, 4, 3}, {2, 3, 2, 3}}};
    metrics_ = {{"exact_match/accuracy", 1.0 / 3},
                {"exact_match/count", 3},
                {"exact_match/token_accuracy", 8.0 / 11}};
    run_info_ = {{"experiment", "sudoku<tiny>"}};
  }

  BoardLayout layout_;
  MergedTally tally_;
  std::map<std::string, double> metrics_;
  std::vector<std::pair<std::string, std::string>> run_info_;
};

TEST_F(ReportTest, IsSelfContainedWellFormedAndShowsTheBoards) {
  const std::string html = RenderExactMatchReport(tally_, metrics_, layout_, run_info_);
  EXPECT_EQ(TagBalanceProblem(html), "");
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, Not(HasSubstr("http")));  // nothing loaded from elsewhere
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("sudoku&lt;tiny&gt;"));
  EXPECT_THAT(html, HasSubstr("exact_match/accuracy</td><td class=\"num\">33.33%"));
  EXPECT_THAT(html, HasSubstr("exact_match/count</td><td class=\"num\">3<"));
  EXPECT_THAT(html, HasSubstr("Solved (1 of 1)"));
  EXPECT_THAT(html, HasSubstr("Failed (first 1 of 2)"));
  EXPECT_THAT(html, HasSubstr("example 4 &middot; all 3 cells right"));
  EXPECT_THAT(html, HasSubstr("example 0 &middot; 2 of 4 cells wrong"));
  EXPECT_EQ(Count(html, "<div class=\"board\""), 6);  // input | prediction | target, twice
  EXPECT_EQ(Count(html, "<span class=\"x\">"), 2);    // the failed prediction's wrong cells
  EXPECT_THAT(html, HasSubstr("<span class=\"x\">&lt;</span>"));  // glyphs escaped
  // The solved example's unscored cell: dimmed in prediction and (empty) in the target.
  EXPECT_THAT(html, HasSubstr("<span class=\"i\">1</span>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"i\"></span>"));
}

TEST_F(ReportTest, TagBalanceCheckCatchesBrokenMarkup) {
  EXPECT_EQ(TagBalanceProblem("<div><span></div>"), "</div> closes span");
  EXPECT_EQ(TagBalanceProblem("<div>"), "<div> never closed");
}

TEST_F(ReportTest, SaysWhenThereIsNothingToShow) {
  tally_.solved.clear();
  tally_.solved_samples.clear();
  const std::string html = RenderExactMatchReport(tally_, metrics_, layout_, run_info_);
  EXPECT_THAT(html, HasSubstr("Solved (0 of 0)</h2>\n<p class=\"note\">none</p>"));
  EXPECT_EQ(TagBalanceProblem(html), "");
}

}  // namespace
}  // namespace trm::exact_match
