#include "plugins/exact_match/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/base/strings.h"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

constexpr char kStyle[] = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1b1b;background:#fafafa}
h1{margin:0 0 12px}h2{margin:24px 0 8px;font-size:18px}h3{margin:0 0 6px;font-size:14px;color:#444}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #e3e3e3;font-size:14px}
th{color:#555;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.examples{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
.example{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 12px}
.example.solved{border-color:#9fd3b5}.example.failed{border-color:#f1c4c4}
.row{display:flex;gap:14px;align-items:flex-start}
.cell{display:flex;flex-direction:column;align-items:center;gap:3px;font-size:12px;color:#444}
.board{display:grid;gap:1px;background:#ccc;border:1px solid #999;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.board span{background:#fff;min-width:1.1em;height:1.3em;line-height:1.3em;text-align:center;white-space:pre;padding:0 1px}
.board span.x{background:#e53935;color:#fff;font-weight:700}.board span.i{background:#e8e8e8;color:#999}
.note{color:#555;font-size:13px;max-width:900px}
)css";

std::string Percent(double value) { return absl::StrFormat("%.2f%%", 100.0 * value); }

std::string ExampleHtml(const ExampleRecord& example, const BoardLayout& layout) {
  const std::vector<BoardView> boards = ExampleBoards(example);
  int64_t scored = 0;
  for (int32_t label : example.label) scored += label != kIgnoreLabel;
  std::string html = absl::StrCat(
      "<div class=\"example ", example.exact ? "solved" : "failed", "\"><h3>example ",
      example.index, " &middot; ",
      example.exact ? absl::StrCat("all ", scored, " cells right")
                    : absl::StrCat(example.WrongCells(), " of ", scored, " cells wrong"),
      "</h3><div class=\"row\">");
  for (const BoardView& board : boards) {
    absl::StrAppend(&html, "<div class=\"cell\">", BoardHtml(board, layout), "<div>",
                    HtmlEscape(board.title), "</div></div>");
  }
  return html + "</div></div>\n";
}

std::string Section(const std::string& title, const std::vector<int64_t>& all,
                    const std::vector<ExampleRecord>& shown, const BoardLayout& layout) {
  std::string html = absl::StrCat("<h2>", title, " (", shown.size() < all.size() ? "first " : "",
                                  shown.size(), " of ", all.size(), ")</h2>\n");
  if (shown.empty()) return html + "<p class=\"note\">none</p>\n";
  html += "<div class=\"examples\">\n";
  for (const ExampleRecord& example : shown) html += ExampleHtml(example, layout);
  return html + "</div>\n";
}

}  // namespace

std::vector<BoardView> ExampleBoards(const ExampleRecord& example) {
  BoardView input{"input", example.input, {}, {}};
  BoardView prediction{"prediction", example.prediction, {}, {}};
  BoardView target{"target", example.label, {}, {}};
  for (size_t i = 0; i < example.label.size(); ++i) {
    const bool scored = example.label[i] != kIgnoreLabel;
    prediction.marked.push_back(scored && example.prediction[i] != example.label[i]);
    prediction.dimmed.push_back(!scored);
    target.dimmed.push_back(!scored);
  }
  return {input, prediction, target};
}

std::string RenderExactMatchReport(
    const MergedTally& tally, const std::map<std::string, double>& metrics,
    const BoardLayout& layout, const std::vector<std::pair<std::string, std::string>>& run_info) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Exact-match evaluation report</title><style>",
      kStyle,
      "</style></head><body>\n<h1>Exact-match evaluation report</h1>\n<table class=\"info\">");
  for (const auto& [key, value] : run_info) {
    absl::StrAppend(&html, "<tr><th>", HtmlEscape(key), "</th><td>", HtmlEscape(value),
                    "</td></tr>");
  }
  html += "</table>\n<h2>Metrics</h2><table><tr><th>metric</th><th class=\"num\">value</th></tr>";
  for (const auto& [name, value] : metrics) {
    const bool count = name == "exact_match/count";
    absl::StrAppend(&html, "<tr><td>", HtmlEscape(name), "</td><td class=\"num\">",
                    count ? absl::StrCat(static_cast<int64_t>(value)) : Percent(value),
                    "</td></tr>");
  }
  absl::StrAppend(
      &html, "</table>\n<p class=\"note\">", tally.exact, " of ", tally.examples,
      " test examples have every scored cell right; ", tally.tokens_right, " of ", tally.tokens,
      " scored cells are right. Red: a wrong cell of a prediction; grey: a cell without a target "
      "(its label is the dataset's ignore_label_id), not scored.</p>\n");
  html += Section("Solved", tally.solved, tally.solved_samples, layout);
  html += Section("Failed", tally.failed, tally.failed_samples, layout);
  return html + "</body></html>\n";
}

}  // namespace trm::exact_match
