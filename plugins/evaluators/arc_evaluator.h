// The "arc" evaluator (spec §10): majority vote over the augmented variants of every test input,
// ARC/pass@k, submission.json in the Kaggle format, and an HTML report.
//
// Reads <data_path>/identifiers.json, <data_path>/test_puzzles.json and, if present, the blank
// identifier of <data_path>/test/dataset.json. With aggregated_voting (the reference's default,
// off here: spec §16.30) the votes of every evaluation of the process accumulate.
#ifndef PLUGINS_EVALUATORS_ARC_EVALUATOR_H_
#define PLUGINS_EVALUATORS_ARC_EVALUATOR_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plugins/evaluators/arc_results.h"
#include "plugins/evaluators/arc_votes.h"
#include "plugins/evaluators/arc_evaluator.pb.h"
#include "trm/config/experiment.pb.h"
#include "plugins/arc/common/arc_task.h"
#include "trm/eval/evaluator.h"

namespace trm::plugins {

class ArcEvaluator final : public Evaluator {
 public:
  static constexpr char kReportFile[] = "index.html";

  ArcEvaluator(const config::EvaluatorConfig& config, const EvaluatorContext& context);

  std::vector<std::string> RequiredOutputs() const override { return {"preds", "q_halt_logits"}; }
  absl::Status BeginEval() override;
  absl::Status UpdateBatch(const Batch& batch,
                           const std::map<std::string, at::Tensor>& outputs) override;
  absl::StatusOr<std::map<std::string, double>> Result(const std::string& output_dir) override;
  absl::Status WriteReport(
      const std::string& dir,
      const std::vector<std::pair<std::string, std::string>>& run_info) override;
  // The tasks whose every test input is among the submitted attempts, and one of them drawn.
  std::string Summary(bool color) const override;

  // This process's votes (for tests).
  const ArcVoteTable& votes() const { return votes_; }
  // Evaluations whose votes are in the table: 1 without aggregated voting.
  int rounds() const { return rounds_; }
  // The scores of the last Result on rank 0 (nullptr before).
  const ArcResults* last_results() const { return results_.get(); }

 private:
  absl::Status Load();
  absl::StatusOr<ParsedName> NameOf(int64_t identifier) const;

  arc::ArcEvaluatorOptions options_;
  EvaluatorContext context_;
  std::vector<int> pass_ks_;
  absl::Status load_status_;
  std::vector<std::string> identifiers_;
  int64_t blank_identifier_ = 0;
  std::string tasks_path_;
  std::vector<ArcTask> tasks_;

  ArcVoteTable votes_;
  int rounds_ = 0;

  // The last Result on rank 0: the other ranks' tables and the scores over all of them.
  std::vector<ArcVoteTable> gathered_;
  std::unique_ptr<ArcResults> results_;
  std::map<std::string, double> metrics_;
  int rounds_in_results_ = 0;
};

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_EVALUATOR_H_
