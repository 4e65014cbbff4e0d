// A self-contained HTML page of an ARC evaluation: per task the demonstration pairs, each test
// input, its expected output (when known), the submitted attempts with their votes and mean
// halting confidence, pass marks, and a pass@k curve of the whole set. Grids are inline SVG in
// the usual ARC palette; the page loads nothing from elsewhere.
#ifndef PLUGINS_EVALUATORS_ARC_REPORT_H_
#define PLUGINS_EVALUATORS_ARC_REPORT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plugins/evaluators/arc_results.h"

namespace trm::plugins {

struct ArcReportOptions {
  std::vector<std::pair<std::string, std::string>> run_info;  // shown at the top, in order
  std::vector<int> pass_ks;
  std::map<std::string, double> metrics;
  int submission_k = 2;
  bool aggregated_voting = false;
  int rounds = 1;      // evaluations whose votes were counted
  int world_size = 1;  // processes that voted
  // Candidates shown per test input beyond the submitted attempts.
  int extra_candidates = 2;
};

// The ARC colours 0..9 as CSS hex.
extern const char* const kArcPalette[10];

// One grid as an inline <svg> (run-length rectangles, so mostly-black grids stay small).
std::string GridSvg(const Grid& grid, int max_pixels = 120);

// The pass@k curve for k = 1 .. max(pass_ks) on a logarithmic axis, configured ks marked.
std::string PassAtKCurveSvg(const ArcResults& results, const std::vector<int>& pass_ks);

std::string RenderArcReport(const ArcResults& results, const ArcReportOptions& options);

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_REPORT_H_
