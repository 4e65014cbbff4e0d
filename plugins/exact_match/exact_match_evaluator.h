// The "exact_match" evaluator: whole-board accuracy for tasks whose test examples each have one
// right answer (Sudoku, Maze, ...): an example counts when every scored position of the final ACT
// step's prediction equals its label, positions whose label is the dataset's ignore_label_id are
// not scored, and padding rows (no scored position) are no examples.
//
// Metrics exact_match/accuracy, exact_match/token_accuracy, exact_match/count; exact_match.json
// (the metrics, the solved and failed example numbers) in the output folder; an HTML report with
// the first solved and failed boards. Options: ExactMatchOptions (exact_match.proto). Reads
// <data_path>/test/dataset.json (seq_len, vocabulary) when created.
#ifndef PLUGINS_EXACT_MATCH_EXACT_MATCH_EVALUATOR_H_
#define PLUGINS_EXACT_MATCH_EXACT_MATCH_EVALUATOR_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plugins/exact_match/boards.h"
#include "plugins/exact_match/exact_match.pb.h"
#include "plugins/exact_match/tally.h"
#include "trm/config/experiment.pb.h"
#include "trm/eval/evaluator.h"

namespace trm::exact_match {

class ExactMatchEvaluator final : public Evaluator {
 public:
  static constexpr char kResultFile[] = "exact_match.json";
  static constexpr char kReportFile[] = "index.html";

  // Throws std::invalid_argument on bad options or an unreadable dataset (the registry turns it
  // into a one-line error).
  ExactMatchEvaluator(const config::EvaluatorConfig& config, const EvaluatorContext& context);

  std::vector<std::string> RequiredOutputs() const override { return {"preds"}; }
  absl::Status BeginEval() override;
  absl::Status UpdateBatch(const Batch& batch,
                           const std::map<std::string, at::Tensor>& outputs) override;
  absl::StatusOr<std::map<std::string, double>> Result(const std::string& output_dir) override;
  absl::Status WriteReport(
      const std::string& dir,
      const std::vector<std::pair<std::string, std::string>>& run_info) override;
  // The accuracy and the first failed example drawn.
  std::string Summary(bool color) const override;

  const BoardLayout& layout() const { return layout_; }
  // The last Result on rank 0 (nullopt before).
  const std::optional<MergedTally>& last_result() const { return result_; }

 private:
  ExactMatchOptions options_;
  EvaluatorContext context_;
  int64_t seq_len_ = 0;
  BoardLayout layout_;
  ExactMatchTally tally_;
  std::optional<MergedTally> result_;
  std::map<std::string, double> metrics_;
};

}  // namespace trm::exact_match

#endif  // PLUGINS_EXACT_MATCH_EXACT_MATCH_EVALUATOR_H_
