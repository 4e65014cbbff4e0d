// The sweep report: for every metric of the spec, a table of variant (× grid point) rows with the
// mean and standard deviation over seeds and the difference to the baseline variant, computed
// from the runs' metrics.jsonl; written as CSV, Markdown and an HTML page with SVG plots (the
// curve per variant, and bars with error bars per metric).
#ifndef TOOLS_SWEEP_REPORT_H_
#define TOOLS_SWEEP_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/run_folder.h"
#include "tools/sweep/sweep.pb.h"
#include "tools/sweep/sweep_spec.h"

namespace trm::sweep {

// metrics.jsonl as key -> (step, value) in step order; a step logged twice keeps its last value.
using MetricSeries = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

absl::StatusOr<MetricSeries> ReadMetricsJsonl(const std::string& path);

// The metric's value in one run (FINAL, MAX, MIN or AT_STEP); nullopt when it was never logged.
std::optional<double> ReduceMetric(const Metric& metric, const MetricSeries& series);

// What the report needs of one run.
struct RunResult {
  SweepRun run;
  RunRecord record;
  MetricSeries series;
};

// One row of a table: the runs of one variant at one grid point, over seeds.
struct ReportRow {
  std::string variant;
  std::string grid;              // "L_cycles=4 lr=1e-3", "" without a grid
  std::vector<int64_t> seeds;    // of the runs that have the metric
  std::vector<double> values;    // one per seed, same order
  int runs = 0;                  // runs in the group, with or without the metric
  int done = 0;                  // of which finished
  double mean = 0;
  double stddev = 0;             // sample standard deviation (0 for one value)
  std::optional<double> delta;   // mean - baseline's mean at the same grid point
  double wall_seconds = 0;       // mean over the finished runs
};

struct MetricTable {
  Metric metric;
  std::string title;  // "ARC/pass@2 (final)"
  std::vector<ReportRow> rows;
};

// The curve (Sweep.curve) of one group: step -> mean over the seeds that logged it.
struct Curve {
  std::string label;  // variant [grid]
  std::vector<std::pair<int64_t, double>> points;
};

struct Report {
  std::string sweep;
  std::string description;
  std::string baseline;
  std::string curve_metric;
  std::vector<MetricTable> tables;
  std::vector<Curve> curves;
  int runs = 0, done = 0;
};

Report BuildReport(const Sweep& sweep, const std::vector<RunResult>& results);

std::string ReportCsv(const Report& report);
std::string ReportMarkdown(const Report& report);
std::string ReportHtml(const Report& report);

}  // namespace trm::sweep

#endif  // TOOLS_SWEEP_REPORT_H_
