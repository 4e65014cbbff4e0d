#include "tools/sweep/report.h"

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/config/experiment_loader.h"

namespace trm::sweep {
namespace {

using ::testing::HasSubstr;

std::string WriteJsonl(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

Metric MakeMetric(const std::string& name, Metric::Reduce reduce, int64_t step = 0) {
  Metric metric;
  metric.set_name(name);
  metric.set_reduce(reduce);
  if (step > 0) metric.set_step(step);
  return metric;
}

TEST(ReportTest, ReadsMetricsJsonlKeepingTheLastValueOfARepeatedStep) {
  const std::string path = WriteJsonl("m.jsonl",
                                      "{\"step\":1,\"time\":5.0,\"train/lm_loss\":2.5}\n"
                                      "{\"step\":2,\"train/lm_loss\":2.0,\"ARC/pass@2\":0.1}\n"
                                      "{\"step\":2,\"train/lm_loss\":1.5}\n"
                                      "{\"step\":3,\"train/lm_loss\":1.75,\"ARC/pass@2\":0.3}\n"
                                      "{\"step\":4,\"train/lm_");  // torn last line
  absl::StatusOr<MetricSeries> series = ReadMetricsJsonl(path);
  ASSERT_TRUE(series.ok()) << series.status();
  const auto& loss = series->at("train/lm_loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_EQ(loss[1], std::make_pair(int64_t{2}, 1.5));
  EXPECT_FALSE(series->count("time"));
  EXPECT_EQ(*ReduceMetric(MakeMetric("train/lm_loss", Metric::FINAL), *series), 1.75);
  EXPECT_EQ(*ReduceMetric(MakeMetric("train/lm_loss", Metric::MIN), *series), 1.5);
  EXPECT_EQ(*ReduceMetric(MakeMetric("ARC/pass@2", Metric::MAX), *series), 0.3);
  EXPECT_EQ(*ReduceMetric(MakeMetric("ARC/pass@2", Metric::AT_STEP, 2), *series), 0.1);
  EXPECT_FALSE(ReduceMetric(MakeMetric("ARC/pass@2", Metric::AT_STEP, 1), *series).has_value());
  EXPECT_FALSE(ReduceMetric(MakeMetric("nope", Metric::FINAL), *series).has_value());

  const std::string corrupt = WriteJsonl("bad.jsonl", "{\"step\":1}\nnot json\n{\"step\":2}\n");
  EXPECT_THAT(ReadMetricsJsonl(corrupt).status().message(), HasSubstr("bad.jsonl:2"));
}

RunResult Result(const std::string& variant, int64_t seed, double pass2, double loss,
                 RunState state = RunState::kDone) {
  RunResult result;
  result.run.variant = variant;
  result.run.seed = seed;
  result.run.name = variant + "-seed" + std::to_string(seed);
  result.record.state = state;
  result.record.wall_seconds = 100;
  result.series["ARC/pass@2"] = {{10, pass2}};
  result.series["train/lm_loss"] = {{5, loss + 1}, {10, loss}};
  return result;
}

TEST(ReportTest, TablesHoldMeanStdAndDeltaOverSeeds) {
  Sweep sweep;
  ASSERT_TRUE(config::ParseTextProto(R"pb(
    name: "s" experiment: "x"
    variants { name: "base" } variants { name: "no_ema" } variants { name: "hrm" }
    baseline: "base"
    metrics { name: "ARC/pass@2" }
  )pb", "s", &sweep).ok());
  std::vector<RunResult> results = {Result("base", 0, 0.2, 1.0), Result("base", 1, 0.4, 2.0),
                                    Result("no_ema", 0, 0.1, 3.0), Result("no_ema", 1, 0.2, 5.0),
                                    Result("hrm", 0, 0.0, 0.0, RunState::kPending)};
  results.back().series.clear();
  const Report report = BuildReport(sweep, results);
  EXPECT_EQ(report.runs, 5);
  EXPECT_EQ(report.done, 4);
  ASSERT_EQ(report.tables.size(), 1u);
  const auto& rows = report.tables[0].rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_DOUBLE_EQ(rows[0].mean, 0.3);
  EXPECT_DOUBLE_EQ(rows[0].stddev, std::sqrt(0.02));  // sample std of {0.2, 0.4}
  EXPECT_DOUBLE_EQ(*rows[0].delta, 0.0);
  EXPECT_NEAR(rows[1].mean, 0.15, 1e-15);
  EXPECT_NEAR(*rows[1].delta, -0.15, 1e-15);
  EXPECT_TRUE(rows[2].values.empty());
  EXPECT_FALSE(rows[2].delta.has_value());
  // The curve: the mean over seeds at every step.
  ASSERT_EQ(report.curves.size(), 3u);
  EXPECT_EQ(report.curves[1].label, "no_ema");
  EXPECT_EQ(report.curves[1].points,
            (std::vector<std::pair<int64_t, double>>{{5, 5.0}, {10, 4.0}}));

  const std::string csv = ReportCsv(report);
  EXPECT_THAT(csv, HasSubstr("ARC/pass@2,final,no_ema,,2,2,2,0.15"));
  EXPECT_THAT(csv, HasSubstr("seed0=0.10000000000000001 seed1=0.20000000000000001"));
  const std::string md = ReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("| no_ema | 2 | 0.15 ± 0.07071 | -0.15 | 100 |"));
  EXPECT_THAT(md, HasSubstr("| hrm | 0/1 | – | – | – |"));
  const std::string html = ReportHtml(report);
  EXPECT_THAT(html, HasSubstr("<svg class=\"curves\""));
  EXPECT_THAT(html, HasSubstr("<svg class=\"bars\""));
  EXPECT_THAT(html, HasSubstr("class=\"errorbar\""));
}

}  // namespace
}  // namespace trm::sweep
