#include "plugins/evaluators/arc_report.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::plugins {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(GridSvgTest, OneRectanglePerNonBlackRun) {
  // Row 0: black, 2 x red(2), blue(1); row 1: 4 x black.
  const std::string svg = GridSvg(Grid(2, 4, {0, 2, 2, 1, 0, 0, 0, 0}), 40);
  EXPECT_THAT(svg, HasSubstr("width=\"40\" height=\"20\" viewBox=\"0 0 4 2\""));
  EXPECT_THAT(svg, HasSubstr("<rect class=\"c2\" x=\"1\" y=\"0\" width=\"2\" height=\"1\"/>"));
  EXPECT_THAT(svg, HasSubstr("<rect class=\"c1\" x=\"3\" y=\"0\" width=\"1\" height=\"1\"/>"));
  EXPECT_EQ(Count(svg, "<rect "), 3);  // background + 2 runs
  EXPECT_THAT(svg, HasSubstr("M0 1H4"));  // grid lines
  EXPECT_THAT(GridSvg(Grid()), HasSubstr("empty"));
}

TEST(GridSvgTest, CellSizeFitsTheBudgetWithinLimits) {
  EXPECT_THAT(GridSvg(Grid(30, 30), 120), HasSubstr("width=\"120\" height=\"120\""));
  EXPECT_THAT(GridSvg(Grid(1, 1), 120), HasSubstr("width=\"24\" height=\"24\""));  // at most 24 px
  EXPECT_THAT(GridSvg(Grid(30, 2), 30), HasSubstr("width=\"6\" height=\"90\""));   // at least 3 px
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tasks = ParseArcTasks(R"({
      "solved<&>": {"train": [{"input": [[1]], "output": [[2]]}],
                    "test": [{"input": [[3]], "output": [[4]]}]},
      "missed": {"train": [], "test": [{"input": [[5]], "output": [[6]]}, {"input": [[7]]}]}})",
                               "tasks.json");
    ASSERT_TRUE(tasks.ok()) << tasks.status();
    tasks_ = *tasks;
    table_.Add("solved<&>", GridHash(Grid(1, 1, {3})), Grid(1, 1, {9}), 0.9);
    table_.Add("solved<&>", GridHash(Grid(1, 1, {3})), Grid(1, 1, {4}), 0.2);
    table_.Add("missed", GridHash(Grid(1, 1, {5})), Grid(1, 1, {8}), 0.7);
    results_ = std::make_unique<ArcResults>(tasks_, std::vector<const ArcVoteTable*>{&table_}, 2);
    options_.pass_ks = {1, 2, 10};
    for (int k : options_.pass_ks) options_.metrics[absl::StrCat("ARC/pass@", k)] = results_->PassAtK(k);
    options_.run_info = {{"experiment", "tiny"}, {"checkpoint", "a<b>.safetensors"}};
  }

  std::vector<ArcTask> tasks_;
  ArcVoteTable table_;
  std::unique_ptr<ArcResults> results_;
  ArcReportOptions options_;
};

TEST_F(ReportTest, ScoresFeedTheReport) {
  EXPECT_EQ(results_->PassAtK(1), 0.0);
  EXPECT_EQ(results_->PassAtK(2), 0.5);  // task 1 solved at rank 2, task 2 never
  EXPECT_EQ(results_->outcomes()[1][1].label_hash, std::nullopt);
  EXPECT_EQ(results_->inputs_without_votes(), 1);
  const KaggleSubmission submission = results_->Submission();
  EXPECT_EQ(submission.tasks[1].attempts[0], std::vector<Grid>(2, Grid(1, 1, {8})));  // padded
  EXPECT_EQ(submission.tasks[1].attempts[1], std::vector<Grid>(2, FallbackGrid()));
}

TEST_F(ReportTest, EmptyCropsAreRankedButNeverSubmitted) {
  // Candidates: empty (3 votes), A (2), B (1); the label is B. pass@k counts like the reference
  // (B is third), the attempts skip the empty grid (A, B).
  ArcVoteTable table;
  const std::string input = GridHash(Grid(1, 1, {3}));
  for (int i = 0; i < 3; ++i) table.Add("solved<&>", input, Grid(), 0.5);
  for (int i = 0; i < 2; ++i) table.Add("solved<&>", input, Grid(1, 1, {9}), 0.5);
  table.Add("solved<&>", input, Grid(1, 1, {4}), 0.5);
  table.Add("missed", GridHash(Grid(1, 1, {5})), Grid(), 0.5);  // nothing but an empty crop
  ArcResults results(tasks_, {&table}, 2);
  EXPECT_EQ(results.PassAtK(2), 0.0);
  EXPECT_EQ(results.PassAtK(3), 0.5);
  EXPECT_EQ(results.outcomes()[0][0].attempts, (std::vector<int>{1, 2}));
  EXPECT_EQ(results.outcomes()[1][0].attempts, (std::vector<int>{-1, -1}));
  const KaggleSubmission submission = results.Submission();
  EXPECT_EQ(submission.tasks[0].attempts[0], (std::vector<Grid>{Grid(1, 1, {9}), Grid(1, 1, {4})}));
  EXPECT_EQ(submission.tasks[1].attempts[0], std::vector<Grid>(2, FallbackGrid()));
  EXPECT_TRUE(ValidateSubmission(submission, tasks_, "tasks.json").ok());
  ArcResults one_attempt(tasks_, {&table}, 1);
  EXPECT_EQ(one_attempt.outcomes()[0][0].attempts, (std::vector<int>{1}));
  // The report shows the submitted attempts, marks the hit, and the skipped empty candidate.
  const std::string html = RenderArcReport(results, options_);
  EXPECT_EQ(Count(html, "class=\"cell attempt hit\""), 1);
  EXPECT_THAT(html, HasSubstr("candidate <span class=\"bad\">&#10007;</span> &middot; #1"));
}

TEST_F(ReportTest, IsSelfContainedAndShowsEverything) {
  const std::string html = RenderArcReport(*results_, options_);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, Not(HasSubstr("http")));   // nothing loaded from elsewhere
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("solved&lt;&amp;&gt;"));  // ids and run info escaped
  EXPECT_THAT(html, HasSubstr("a&lt;b&gt;.safetensors"));
  EXPECT_THAT(html, HasSubstr("this evaluation only (aggregated_voting off)"));
  EXPECT_THAT(html, HasSubstr(".c9{fill:#870C25}"));
  EXPECT_THAT(html, HasSubstr("ARC/pass@2</td><td class=\"num\">50.00%"));
  EXPECT_THAT(html, HasSubstr("2 of 2"));               // rank of the expected output
  EXPECT_THAT(html, HasSubstr("not among 1"));
  EXPECT_THAT(html, HasSubstr("fallback [[0]]: no usable prediction"));
  EXPECT_THAT(html, HasSubstr("unknown"));              // the input without expected output
  EXPECT_EQ(Count(html, "<section class=\"task\""), 2);
  EXPECT_EQ(Count(html, "class=\"cell attempt hit\""), 1);
  EXPECT_EQ(Count(html, "<circle"), 3);                 // one marker per pass@k
  EXPECT_THAT(html, HasSubstr("<title>pass@2 = 50.00%</title>"));
}

TEST_F(ReportTest, CurveIsMonotoneAndEndsAtTheLargestK) {
  const std::string svg = PassAtKCurveSvg(*results_, {1, 2, 10});
  const size_t start = svg.find("points=\"");
  ASSERT_NE(start, std::string::npos);
  const std::string points = svg.substr(start + 8, svg.find('"', start + 8) - start - 8);
  double last_x = -1, last_y = 1e9;
  int n = 0;
  for (const std::string& point : std::vector<std::string>(absl::StrSplit(points, ' '))) {
    double x, y;
    ASSERT_EQ(sscanf(point.c_str(), "%lf,%lf", &x, &y), 2) << point;
    EXPECT_GT(x, last_x);
    EXPECT_LE(y, last_y);  // SVG y grows downwards: pass@k never falls
    last_x = x;
    last_y = y;
    ++n;
  }
  EXPECT_EQ(n, 4);  // k = 1, 2, 3 (longest list + 1), then the end of the axis
}

}  // namespace
}  // namespace trm::plugins
