#include "tools/sweep/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "trm/base/strings.h"

namespace trm::sweep {
namespace {

std::string ReduceName(const Metric& metric) {
  switch (metric.reduce()) {
    case Metric::FINAL: return "final";
    case Metric::MAX: return "max";
    case Metric::MIN: return "min";
    case Metric::AT_STEP: return absl::StrCat("at step ", metric.step());
  }
  return "";
}

std::string GridText(const SweepRun& run) {
  std::vector<std::string> parts;
  for (const auto& [label, value] : run.grid) parts.push_back(absl::StrCat(label, "=", value));
  return absl::StrJoin(parts, " ");
}

std::string Number(double value) { return absl::StrFormat("%.4g", value); }

std::string Signed(double value) { return absl::StrFormat("%+.4g", value); }

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

std::string RowLabel(const ReportRow& row) {
  return row.grid.empty() ? row.variant : absl::StrCat(row.variant, " ", row.grid);
}

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

// Five round tick values covering [lo, hi].
std::vector<double> Ticks(double lo, double hi) {
  if (hi <= lo) return {lo};
  const double raw = (hi - lo) / 4;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);  // no "-0" label
  }
  return ticks;
}

// Line chart of every curve: steps on x, the curve metric on y.
std::string CurvesSvg(const Report& report) {
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const Curve& curve : report.curves) {
    for (const auto& [step, value] : curve.points) {
      x0 = std::min(x0, double(step)), x1 = std::max(x1, double(step));
      y0 = std::min(y0, value), y1 = std::max(y1, value);
    }
  }
  if (x0 > x1) return "<p>No run has logged the curve metric yet.</p>\n";
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const int width = 760, height = 360, left = 60, right = 190, top = 20, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  auto X = [&](double x) { return left + (x - x0) / (x1 - x0) * plot_w; };
  auto Y = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * plot_h; };
  std::string svg = absl::StrFormat(
      "<svg class=\"curves\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
      width, height, width, height);
  absl::StrAppendFormat(&svg, "<rect x=\"%d\" y=\"%d\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#999\"/>\n",
                        left, top, plot_w, plot_h);
  for (double t : Ticks(y0, y1)) {
    absl::StrAppendFormat(&svg, "<line x1=\"%d\" x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                          left, left + plot_w, Y(t), Y(t), left - 4, Y(t) + 4, Number(t));
  }
  for (double t : Ticks(x0, x1)) {
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%s</text>\n", X(t),
                          top + plot_h + 16, Number(t));
  }
  absl::StrAppendFormat(&svg, "<text x=\"%g\" y=\"%d\" text-anchor=\"middle\">step</text>\n",
                        left + plot_w / 2, height - 6);
  for (size_t i = 0; i < report.curves.size(); ++i) {
    const Curve& curve = report.curves[i];
    const char* color = kPalette[i % kPaletteSize];
    std::vector<std::string> points;
    for (const auto& [step, value] : curve.points) {
      points.push_back(absl::StrFormat("%.1f,%.1f", X(step), Y(value)));
    }
    absl::StrAppendFormat(&svg, "<polyline class=\"curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"><title>%s</title></polyline>\n",
                          color, absl::StrJoin(points, " "), HtmlEscape(curve.label));
    const double ly = top + 6 + 15 * i;
    absl::StrAppendFormat(&svg, "<line x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\" stroke=\"%s\" stroke-width=\"3\"/>"
                          "<text x=\"%g\" y=\"%g\">%s</text>\n",
                          left + plot_w + 10, left + plot_w + 28, ly, ly, color,
                          left + plot_w + 32, ly + 4, HtmlEscape(curve.label));
  }
  return svg + "</svg>\n";
}

// Horizontal bars (mean) with error bars (± standard deviation over seeds), one per row.
std::string BarsSvg(const MetricTable& table) {
  double lo = 0, hi = 0;
  for (const ReportRow& row : table.rows) {
    if (row.values.empty()) continue;
    lo = std::min(lo, row.mean - row.stddev);
    hi = std::max(hi, row.mean + row.stddev);
  }
  if (hi == lo) hi = lo + 1;
  const int row_h = 22, left = 230, right = 70, top = 10, bottom = 26;
  const int width = 760, height = top + bottom + row_h * static_cast<int>(table.rows.size());
  const double plot_w = width - left - right;
  auto X = [&](double x) { return left + (x - lo) / (hi - lo) * plot_w; };
  std::string svg = absl::StrFormat(
      "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
      width, height, width, height);
  for (double t : Ticks(lo, hi)) {
    absl::StrAppendFormat(&svg, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                          X(t), X(t), top, height - bottom, X(t), height - bottom + 14, Number(t));
  }
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const ReportRow& row = table.rows[i];
    const double y = top + row_h * i;
    absl::StrAppendFormat(&svg, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 6,
                          y + row_h / 2.0 + 4, HtmlEscape(RowLabel(row)));
    if (row.values.empty()) continue;
    const double a = X(std::min(0.0, row.mean)), b = X(std::max(0.0, row.mean));
    absl::StrAppendFormat(&svg, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s ± %s (n=%d)</title></rect>\n",
                          a, y + 4, std::max(b - a, 0.5), row_h - 8, kPalette[i % kPaletteSize],
                          HtmlEscape(RowLabel(row)), Number(row.mean), Number(row.stddev),
                          static_cast<int>(row.values.size()));
    const double e0 = X(row.mean - row.stddev), e1 = X(row.mean + row.stddev), ym = y + row_h / 2.0;
    absl::StrAppendFormat(&svg, "<g class=\"errorbar\" stroke=\"#333\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/></g>\n",
                          e0, e1, ym, ym, e0, e0, ym - 5, ym + 5, e1, e1, ym - 5, ym + 5);
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", std::max(b, e1) + 4, ym + 4,
                          Number(row.mean));
  }
  return svg + "</svg>\n";
}

}  // namespace

absl::StatusOr<MetricSeries> ReadMetricsJsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::map<std::string, std::map<int64_t, double>> by_step;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer()) {
      // A run killed mid-write may leave a torn last line; anything else is corrupt.
      if (in.peek() == EOF) break;
      return absl::DataLossError(absl::StrCat(path, ":", line_number, ": not a metrics line"));
    }
    const int64_t step = json["step"].get<int64_t>();
    for (const auto& [key, value] : json.items()) {
      if (key == "step" || key == "time" || !value.is_number()) continue;
      by_step[key][step] = value.get<double>();
    }
  }
  MetricSeries series;
  for (const auto& [key, steps] : by_step) series[key].assign(steps.begin(), steps.end());
  return series;
}

std::optional<double> ReduceMetric(const Metric& metric, const MetricSeries& series) {
  auto it = series.find(metric.name());
  if (it == series.end() || it->second.empty()) return std::nullopt;
  const auto& points = it->second;
  switch (metric.reduce()) {
    case Metric::FINAL:
      return points.back().second;
    case Metric::MAX: {
      double best = points.front().second;
      for (const auto& [step, value] : points) best = std::max(best, value);
      return best;
    }
    case Metric::MIN: {
      double best = points.front().second;
      for (const auto& [step, value] : points) best = std::min(best, value);
      return best;
    }
    case Metric::AT_STEP:
      for (const auto& [step, value] : points) {
        if (step == metric.step()) return value;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

Report BuildReport(const Sweep& sweep, const std::vector<RunResult>& results) {
  Report report;
  report.sweep = sweep.name();
  report.description = sweep.description();
  report.baseline = BaselineVariant(sweep);
  report.curve_metric = sweep.curve();
  report.runs = static_cast<int>(results.size());
  // Groups (variant, grid) in expansion order.
  std::vector<std::pair<std::string, std::string>> groups;
  std::map<std::pair<std::string, std::string>, std::vector<const RunResult*>> members;
  for (const RunResult& result : results) {
    if (result.record.state == RunState::kDone) ++report.done;
    const auto key = std::make_pair(result.run.variant, GridText(result.run));
    if (!members.count(key)) groups.push_back(key);
    members[key].push_back(&result);
  }
  for (const Metric& metric : sweep.metrics()) {
    MetricTable table;
    table.metric = metric;
    table.title = absl::StrCat(metric.name(), " (", ReduceName(metric), ")");
    for (const auto& key : groups) {
      ReportRow row;
      row.variant = key.first;
      row.grid = key.second;
      double wall = 0;
      for (const RunResult* result : members[key]) {
        ++row.runs;
        if (result->record.state == RunState::kDone) {
          ++row.done;
          wall += result->record.wall_seconds;
        }
        if (std::optional<double> value = ReduceMetric(metric, result->series)) {
          row.seeds.push_back(result->run.seed);
          row.values.push_back(*value);
        }
      }
      if (row.done > 0) row.wall_seconds = wall / row.done;
      const double n = static_cast<double>(row.values.size());
      for (double v : row.values) row.mean += v / n;
      if (row.values.size() > 1) {
        double squares = 0;
        for (double v : row.values) squares += (v - row.mean) * (v - row.mean);
        row.stddev = std::sqrt(squares / (n - 1));
      }
      table.rows.push_back(std::move(row));
    }
    for (ReportRow& row : table.rows) {
      if (row.values.empty()) continue;
      for (const ReportRow& base : table.rows) {
        if (base.variant == report.baseline && base.grid == row.grid && !base.values.empty()) {
          row.delta = row.mean - base.mean;
        }
      }
    }
    report.tables.push_back(std::move(table));
  }
  for (const auto& key : groups) {
    std::map<int64_t, std::pair<double, int>> sums;
    for (const RunResult* result : members[key]) {
      auto it = result->series.find(sweep.curve());
      if (it == result->series.end()) continue;
      for (const auto& [step, value] : it->second) {
        sums[step].first += value;
        sums[step].second += 1;
      }
    }
    Curve curve;
    curve.label = key.second.empty() ? key.first : absl::StrCat(key.first, " ", key.second);
    for (const auto& [step, sum] : sums) curve.points.emplace_back(step, sum.first / sum.second);
    report.curves.push_back(std::move(curve));
  }
  return report;
}

std::string ReportCsv(const Report& report) {
  std::string csv = "metric,reduce,variant,grid,runs,done,n,mean,std,delta,wall_seconds,values\n";
  for (const MetricTable& table : report.tables) {
    for (const ReportRow& row : table.rows) {
      std::vector<std::string> values;
      for (size_t i = 0; i < row.values.size(); ++i) {
        values.push_back(absl::StrFormat("seed%d=%.17g", row.seeds[i], row.values[i]));
      }
      const bool has = !row.values.empty();
      absl::StrAppend(&csv, CsvField(table.metric.name()), ",", CsvField(ReduceName(table.metric)),
                      ",", CsvField(row.variant), ",", CsvField(row.grid), ",", row.runs, ",",
                      row.done, ",", row.values.size(), ",",
                      has ? absl::StrFormat("%.17g", row.mean) : "", ",",
                      has ? absl::StrFormat("%.17g", row.stddev) : "", ",",
                      row.delta ? absl::StrFormat("%.17g", *row.delta) : "", ",",
                      absl::StrFormat("%.1f", row.wall_seconds), ",",
                      CsvField(absl::StrJoin(values, " ")), "\n");
    }
  }
  return csv;
}

std::string ReportMarkdown(const Report& report) {
  std::string md = absl::StrCat("# Sweep ", report.sweep, "\n\n");
  if (!report.description.empty()) absl::StrAppend(&md, report.description, "\n\n");
  absl::StrAppend(&md, report.done, " of ", report.runs,
                  " runs finished. Mean ± sample standard deviation over seeds (n runs); Δ is the "
                  "difference of the means to the baseline variant `",
                  report.baseline, "`.\n");
  for (const MetricTable& table : report.tables) {
    absl::StrAppend(&md, "\n## ", table.title, "\n\n| variant | n | mean ± std | Δ vs ",
                    report.baseline, " | wall (s/run) |\n|---|---:|---:|---:|---:|\n");
    for (const ReportRow& row : table.rows) {
      const std::string n = row.values.size() == static_cast<size_t>(row.runs)
                                ? absl::StrCat(row.runs)
                                : absl::StrCat(row.values.size(), "/", row.runs);
      absl::StrAppend(&md, "| ", RowLabel(row), " | ", n, " | ",
                      row.values.empty() ? "–" : absl::StrCat(Number(row.mean), " ± ", Number(row.stddev)),
                      " | ", row.delta ? Signed(*row.delta) : "–", " | ",
                      row.done > 0 ? absl::StrFormat("%.0f", row.wall_seconds) : "–", " |\n");
    }
  }
  return md;
}

std::string ReportHtml(const Report& report) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sweep ", HtmlEscape(report.sweep),
      "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
      "text-align:right}td:first-child,th:first-child{text-align:left}</style></head>\n<body>\n"
      "<h1>Sweep ", HtmlEscape(report.sweep), "</h1>\n");
  if (!report.description.empty()) absl::StrAppend(&html, "<p>", HtmlEscape(report.description), "</p>\n");
  absl::StrAppend(&html, "<p>", report.done, " of ", report.runs,
                  " runs finished. Mean ± sample standard deviation over seeds; Δ against <b>",
                  HtmlEscape(report.baseline), "</b>.</p>\n<h2>", HtmlEscape(report.curve_metric),
                  " (mean over seeds)</h2>\n", CurvesSvg(report));
  for (const MetricTable& table : report.tables) {
    absl::StrAppend(&html, "<h2>", HtmlEscape(table.title), "</h2>\n", BarsSvg(table),
                    "<table><tr><th>variant</th><th>n</th><th>mean</th><th>std</th><th>Δ</th>"
                    "<th>values</th></tr>\n");
    for (const ReportRow& row : table.rows) {
      std::vector<std::string> values;
      for (size_t i = 0; i < row.values.size(); ++i) {
        values.push_back(absl::StrCat("seed ", row.seeds[i], ": ", Number(row.values[i])));
      }
      absl::StrAppend(&html, "<tr><td>", HtmlEscape(RowLabel(row)), "</td><td>", row.values.size(), "/",
                      row.runs, "</td><td>", row.values.empty() ? "–" : Number(row.mean),
                      "</td><td>", row.values.empty() ? "–" : Number(row.stddev), "</td><td>",
                      row.delta ? Signed(*row.delta) : "–", "</td><td>",
                      HtmlEscape(absl::StrJoin(values, ", ")), "</td></tr>\n");
    }
    absl::StrAppend(&html, "</table>\n");
  }
  return html + "</body></html>\n";
}

}  // namespace trm::sweep
