#include "plugins/evaluators/arc_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/base/strings.h"

namespace trm::plugins {
namespace {

std::string Percent(double value) { return absl::StrFormat("%.2f%%", 100.0 * value); }

// An HTML id for a task (ids are short alphanumerics in ARC, but the page must not depend on it).
std::string Anchor(const std::string& task_id) {
  std::string out = "task-";
  for (unsigned char ch : task_id) {
    if (std::isalnum(ch) || ch == '-' || ch == '_') {
      out += static_cast<char>(ch);
    } else {
      absl::StrAppendFormat(&out, "_%02x", ch);
    }
  }
  return out;
}

constexpr char kStyle[] = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1b1b;background:#fafafa}
h1{margin:0 0 12px}h2{margin:0 0 8px;font-size:18px}h3{margin:10px 0 6px;font-size:14px;color:#444}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #e3e3e3;font-size:14px}
th{color:#555;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.top{display:flex;gap:32px;flex-wrap:wrap;align-items:flex-start}
section.task{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px 16px;margin:18px 0}
.row{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
.pair{display:flex;gap:6px;align-items:center;padding:6px;border:1px solid #eee;border-radius:6px}
.cell{display:flex;flex-direction:column;align-items:center;gap:3px;font-size:12px;color:#444}
.arrow{color:#999;font-size:18px}
.ok{color:#18794e;font-weight:700}.bad{color:#c62828;font-weight:700}.unknown{color:#777}
.attempt{padding:4px;border:2px solid transparent;border-radius:6px}
.attempt.hit{border-color:#18794e;background:#eaf6ef}.attempt.miss{border-color:#f1c4c4}
.candidate{opacity:.8}
.empty{width:48px;height:48px;border:1px dashed #999;display:flex;align-items:center;justify-content:center;font-size:11px;color:#777}
svg.grid{background:#000;border:1px solid #555}
.gl{stroke:#3a3a3a;fill:none}
.note{color:#555;font-size:13px;max-width:900px}
)css";

// CSS classes c0..c9 for the cell colours of GridSvg.
std::string PaletteCss() {
  std::string css;
  for (int colour = 0; colour < kNumColors; ++colour) {
    absl::StrAppendFormat(&css, ".c%d{fill:%s}", colour, kArcPalette[colour]);
  }
  return css + "\n";
}

std::string Cell(const std::string& caption, const std::string& body, const std::string& cls = "") {
  return absl::StrCat("<div class=\"cell ", cls, "\">", body, "<div>", caption, "</div></div>");
}

// Whether the submitted attempts of `input` contain its expected output.
bool Solved(const ArcInputOutcome& input) {
  return input.label_rank >= 0 && std::find(input.attempts.begin(), input.attempts.end(),
                                            input.label_rank) != input.attempts.end();
}

int SolvedInputs(const std::vector<ArcInputOutcome>& inputs) {
  return static_cast<int>(std::count_if(inputs.begin(), inputs.end(), Solved));
}

}  // namespace

const char* const kArcPalette[10] = {"#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00",
                                     "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"};

std::string GridSvg(const Grid& grid, int max_pixels) {
  if (grid.rows == 0 || grid.cols == 0) return "<div class=\"empty\">empty</div>";
  const int cell = std::clamp(max_pixels / std::max(grid.rows, grid.cols), 3, 24);
  std::string out = absl::StrFormat(
      "<svg class=\"grid\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "shape-rendering=\"crispEdges\"><title>%dx%d</title>",
      grid.cols * cell, grid.rows * cell, grid.cols, grid.rows, grid.rows, grid.cols);
  // Black background, then one rectangle per horizontal run of a non-black colour.
  absl::StrAppendFormat(&out, "<rect class=\"c0\" width=\"%d\" height=\"%d\"/>", grid.cols,
                        grid.rows);
  for (int r = 0; r < grid.rows; ++r) {
    for (int c = 0; c < grid.cols;) {
      const int colour = grid.at(r, c);
      int end = c + 1;
      while (end < grid.cols && grid.at(r, end) == colour) ++end;
      if (colour != 0) {
        absl::StrAppendFormat(&out,
                              "<rect class=\"c%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"1\"/>",
                              colour, c, r, end - c);
      }
      c = end;
    }
  }
  std::string lines;
  for (int r = 1; r < grid.rows; ++r) absl::StrAppendFormat(&lines, "M0 %dH%d", r, grid.cols);
  for (int c = 1; c < grid.cols; ++c) absl::StrAppendFormat(&lines, "M%d 0V%d", c, grid.rows);
  if (!lines.empty()) {
    absl::StrAppendFormat(&out, "<path class=\"gl\" stroke-width=\"%.3f\" d=\"%s\"/>", 1.0 / cell,
                          lines);
  }
  out += "</svg>";
  return out;
}

std::string PassAtKCurveSvg(const ArcResults& results, const std::vector<int>& pass_ks) {
  constexpr double kWidth = 520, kHeight = 260, kLeft = 52, kRight = 18, kTop = 14, kBottom = 40;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  int k_max = 2;
  for (int k : pass_ks) k_max = std::max(k_max, k);
  const auto x = [&](double k) { return kLeft + plot_w * std::log10(k) / std::log10(k_max); };
  const auto y = [&](double v) { return kTop + plot_h * (1.0 - v); };

  std::string out = absl::StrFormat(
      "<svg class=\"curve\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-size=\"11\" font-family=\"sans-serif\"><rect width=\"100%%\" height=\"100%%\" "
      "fill=\"#fff\"/>",
      kWidth, kHeight, kWidth, kHeight);
  for (int i = 0; i <= 4; ++i) {
    const double v = i / 4.0;
    absl::StrAppendFormat(
        &out,
        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%d%%</text>",
        kLeft, kLeft + plot_w, y(v), y(v), kLeft - 6, y(v) + 4, i * 25);
  }
  for (int k = 1; k <= k_max; k *= 10) {
    absl::StrAppendFormat(
        &out,
        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%d</text>",
        x(k), x(k), kTop, kTop + plot_h, x(k), kTop + plot_h + 14, k);
  }
  absl::StrAppendFormat(&out,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">k "
                        "(attempts per test input, log scale)</text>"
                        "<text x=\"12\" y=\"%.1f\" fill=\"#333\" transform=\"rotate(-90 12 %.1f)\" "
                        "text-anchor=\"middle\">pass@k</text>",
                        kLeft + plot_w / 2, kHeight - 6, kTop + plot_h / 2, kTop + plot_h / 2);
  // pass@k only changes while k is below the longest candidate list.
  const int last_change = std::min(k_max, results.max_candidates() + 1);
  std::string points;
  for (int k = 1; k <= last_change; ++k) {
    absl::StrAppendFormat(&points, "%.1f,%.1f ", x(k), y(results.PassAtK(k)));
  }
  absl::StrAppendFormat(&points, "%.1f,%.1f", x(k_max), y(results.PassAtK(k_max)));
  absl::StrAppendFormat(&out,
                        "<polyline fill=\"none\" stroke=\"#0074D9\" stroke-width=\"2\" "
                        "points=\"%s\"/>",
                        points);
  for (int k : pass_ks) {
    const double v = results.PassAtK(k);
    // Labels go right of their marker, or left of it near the right edge, so none is clipped.
    const bool near_right_edge = x(k) > kLeft + 0.85 * plot_w;
    absl::StrAppendFormat(
        &out,
        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#FF4136\"><title>pass@%d = "
        "%s</title></circle><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
        "fill=\"#c62828\">%s</text>",
        x(k), y(v), k, Percent(v), x(k) + (near_right_edge ? -6 : 6), y(v) - 7,
        near_right_edge ? "end" : "start", Percent(v));
  }
  out += "</svg>";
  return out;
}

std::string RenderArcReport(const ArcResults& results, const ArcReportOptions& options) {
  const std::vector<ArcTask>& tasks = results.tasks();
  const auto& outcomes = results.outcomes();
  const int k = options.submission_k;
  int num_inputs = 0;
  for (const ArcTask& task : tasks) num_inputs += static_cast<int>(task.test.size());

  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>ARC evaluation report</title><style>",
      kStyle, PaletteCss(), "</style></head><body>\n<h1>ARC evaluation report</h1>\n");

  // Run information and the voting mode.
  html += "<table class=\"info\">";
  for (const auto& [key, value] : options.run_info) {
    absl::StrAppend(&html, "<tr><th>", HtmlEscape(key), "</th><td>", HtmlEscape(value), "</td></tr>");
  }
  absl::StrAppend(&html, "<tr><th>voting</th><td>",
                  options.aggregated_voting
                      ? absl::StrCat("aggregated over ", options.rounds,
                                     " evaluation(s) of this process (aggregated_voting on)")
                      : std::string("this evaluation only (aggregated_voting off)"),
                  "</td></tr><tr><th>voters</th><td>", options.world_size, " process(es)</td></tr>",
                  "<tr><th>tasks</th><td>", tasks.size(), " tasks, ", num_inputs, " test inputs, ",
                  results.inputs_without_votes(), " without any prediction</td></tr>",
                  "<tr><th>attempts</th><td>", k,
                  " per test input in submission.json</td></tr></table>");

  // Metrics and the curve, side by side.
  html +=
      "<div class=\"top\"><div><h3>Metrics</h3><table><tr><th>metric</th><th "
      "class=\"num\">value</th></tr>";
  for (int pass_k : options.pass_ks) {
    const std::string name = absl::StrCat("ARC/pass@", pass_k);
    auto it = options.metrics.find(name);
    const double value = it != options.metrics.end() ? it->second : results.PassAtK(pass_k);
    absl::StrAppend(&html, "<tr><td>", name, "</td><td class=\"num\">", Percent(value),
                    "</td></tr>");
  }
  absl::StrAppend(&html, "</table></div><div><h3>pass@k</h3>",
                  PassAtKCurveSvg(results, options.pass_ks), "</div></div>\n");
  absl::StrAppend(
      &html,
      "<p class=\"note\">Every augmented variant of a test input votes for its prediction mapped "
      "back to the original orientation and colours; candidates are ranked by votes, then by the "
      "mean halting confidence sigmoid(q_halt). A test input counts as solved at k when its "
      "expected output is among the first k candidates; a task scores the fraction of its test "
      "inputs solved. submission.json holds the first k candidates except empty crops (not valid "
      "grids), and the fallback grid [[0]] where nothing is left; the summary's solved count is "
      "about those submitted attempts.</p>\n");

  // Summary table.
  html += absl::StrCat("<h3>Tasks</h3><table><tr><th>task</th><th class=\"num\">test inputs</th>",
                       "<th class=\"num\">solved in ", k,
                       " attempts</th><th>expected output rank "
                       "(1 = top)</th></tr>");
  for (size_t t = 0; t < tasks.size(); ++t) {
    const int solved = SolvedInputs(outcomes[t]);
    std::string ranks;
    for (const ArcInputOutcome& input : outcomes[t]) {
      if (!ranks.empty()) ranks += ", ";
      ranks += !input.label_hash          ? std::string("unknown")
               : input.candidates.empty() ? std::string("no prediction")
               : input.label_rank < 0
                   ? absl::StrCat("not among ", input.candidates.size())
                   : absl::StrCat(input.label_rank + 1, " of ", input.candidates.size());
    }
    absl::StrAppend(&html, "<tr><td><a href=\"#", Anchor(tasks[t].id), "\">", HtmlEscape(tasks[t].id),
                    "</a></td><td class=\"num\">", outcomes[t].size(), "</td><td class=\"num ",
                    solved > 0 ? "ok" : "bad", "\">", solved, "</td><td>", ranks, "</td></tr>");
  }
  html += "</table>\n";

  // One section per task.
  for (size_t t = 0; t < tasks.size(); ++t) {
    const ArcTask& task = tasks[t];
    const int solved = SolvedInputs(outcomes[t]);
    absl::StrAppend(&html, "<section class=\"task\" id=\"", Anchor(task.id), "\"><h2>",
                    HtmlEscape(task.id), " &mdash; <span class=\"", solved > 0 ? "ok" : "bad", "\">",
                    solved, " of ", outcomes[t].size(), " test input(s) solved</span></h2>");
    html += "<h3>Demonstrations</h3><div class=\"row\">";
    for (size_t i = 0; i < task.train.size(); ++i) {
      absl::StrAppend(
          &html, "<div class=\"pair\">",
          Cell(absl::StrCat("input ", i + 1), GridSvg(task.train[i].input, 90)),
          "<span class=\"arrow\">&rarr;</span>",
          Cell("output", task.train[i].output ? GridSvg(*task.train[i].output, 90)
                                              : std::string("<div class=\"empty\">?</div>")),
          "</div>");
    }
    html += "</div>";
    for (size_t i = 0; i < task.test.size(); ++i) {
      const ArcInputOutcome& input = outcomes[t][i];
      int64_t total_votes = 0;
      for (const RankedCandidate& candidate : input.candidates) total_votes += candidate.votes;
      absl::StrAppend(&html, "<h3>Test input ", i + 1, " &mdash; ", input.candidates.size(),
                      " candidate(s) from ", total_votes, " vote(s)</h3><div class=\"row\">");
      absl::StrAppend(&html, Cell("test input", GridSvg(task.test[i].input)));
      absl::StrAppend(&html,
                      Cell("expected", task.test[i].output
                                           ? GridSvg(*task.test[i].output)
                                           : std::string("<div class=\"empty\">unknown</div>")));
      // The submitted attempts, then the best of the other candidates.
      const auto caption = [&](const std::string& title, int c) {
        if (c < 0) return absl::StrCat(title, " &middot; fallback [[0]]: no usable prediction");
        const RankedCandidate& candidate = input.candidates[c];
        const std::string mark = !input.label_hash       ? "<span class=\"unknown\">?</span>"
                                 : c == input.label_rank ? "<span class=\"ok\">&#10003;</span>"
                                                         : "<span class=\"bad\">&#10007;</span>";
        return absl::StrFormat("%s %s &middot; #%d &middot; %d vote(s) (%.0f%%) &middot; q %.3f",
                               title, mark, c + 1, candidate.votes,
                               100.0 * candidate.votes / std::max<int64_t>(1, total_votes),
                               candidate.mean_confidence);
      };
      for (size_t a = 0; a < input.attempts.size(); ++a) {
        const int c = input.attempts[a];
        const Grid grid = c < 0 ? FallbackGrid() : results.CandidateGrid(input.candidates[c]);
        absl::StrAppend(&html,
                        Cell(caption(absl::StrCat("attempt ", a + 1), c), GridSvg(grid),
                             c >= 0 && c == input.label_rank ? "attempt hit" : "attempt miss"));
      }
      int extra = 0;
      for (int c = 0; c < static_cast<int>(input.candidates.size()); ++c) {
        if (extra == options.extra_candidates) break;
        if (std::find(input.attempts.begin(), input.attempts.end(), c) != input.attempts.end())
          continue;
        absl::StrAppend(&html,
                        Cell(caption("candidate", c),
                             GridSvg(results.CandidateGrid(input.candidates[c]), 80), "candidate"));
        ++extra;
      }
      html += "</div>";
      if (input.label_hash && !input.candidates.empty()) {
        absl::StrAppend(
            &html, "<p class=\"note\">",
            input.label_rank < 0
                ? std::string("The expected output is not among the candidates.")
                : absl::StrCat("The expected output is candidate ", input.label_rank + 1, "."),
            "</p>");
      }
    }
    html += "</section>\n";
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace trm::plugins
