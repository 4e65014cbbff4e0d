// The exact_match evaluator's HTML page: run information, the metrics, then the first solved and
// failed test examples as boards side by side (input | prediction | target), the wrong cells of
// each prediction in red. Self-contained: inline CSS, nothing loaded from elsewhere.
#ifndef PLUGINS_EXACT_MATCH_REPORT_H_
#define PLUGINS_EXACT_MATCH_REPORT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plugins/exact_match/boards.h"
#include "plugins/exact_match/tally.h"

namespace trm::exact_match {

// The three boards of one example: input, prediction (wrong cells marked, unscored ones dimmed)
// and target (unscored cells dimmed and empty).
std::vector<BoardView> ExampleBoards(const ExampleRecord& example);

std::string RenderExactMatchReport(
    const MergedTally& tally, const std::map<std::string, double>& metrics,
    const BoardLayout& layout, const std::vector<std::pair<std::string, std::string>>& run_info);

}  // namespace trm::exact_match

#endif  // PLUGINS_EXACT_MATCH_REPORT_H_
