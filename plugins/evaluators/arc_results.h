// Scoring of the merged ARC votes (spec §10.3): per test input the ranked candidates, the rank of
// the expected output among them, the reference's ARC/pass@k, and the submission attempts.
#ifndef PLUGINS_EVALUATORS_ARC_RESULTS_H_
#define PLUGINS_EVALUATORS_ARC_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include "plugins/evaluators/arc_votes.h"
#include "trm/data/arc_tasks.h"
#include "trm/eval/kaggle_submission.h"

namespace trm::plugins {

struct ArcInputOutcome {
  std::string input_hash;
  std::optional<std::string> label_hash;   // unset when the expected output is unknown
  std::vector<RankedCandidate> candidates;  // best first; empty = no prediction reached it
  int label_rank = -1;                      // index of the expected output in candidates, or -1
};

class ArcResults {
 public:
  // `tasks` and `tables` (every rank's votes, in rank order) must outlive this object.
  ArcResults(const std::vector<ArcTask>& tasks, std::vector<const ArcVoteTable*> tables);

  const std::vector<ArcTask>& tasks() const { return *tasks_; }
  // [task][test input], aligned with tasks().
  const std::vector<std::vector<ArcInputOutcome>>& outcomes() const { return outcomes_; }

  // The reference's ARC/pass@k: over tasks, the mean of the fraction of test inputs whose
  // expected output is among the first k candidates (a task without predictions scores 0).
  double PassAtK(int k) const;
  // The largest candidate list of any test input: pass@k is constant for k beyond it.
  int max_candidates() const { return max_candidates_; }
  int inputs_without_votes() const { return inputs_without_votes_; }

  // The first k candidate grids, padded by repeating the first (the reference's attempts); k
  // fallback grids when the input has no candidate.
  std::vector<Grid> Attempts(const ArcInputOutcome& outcome, int k) const;
  const Grid& CandidateGrid(const RankedCandidate& candidate) const;

  // Every task and test input, in task-file order, `k` attempts each.
  KaggleSubmission Submission(int k) const;

 private:
  const std::vector<ArcTask>* tasks_;
  std::vector<const ArcVoteTable*> tables_;
  std::vector<std::vector<ArcInputOutcome>> outcomes_;
  int max_candidates_ = 0;
  int inputs_without_votes_ = 0;
};

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_RESULTS_H_
