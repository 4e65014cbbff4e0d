// Scoring of the merged ARC votes (spec §10.3): per test input the ranked candidates, the rank of
// the expected output among them, the reference's ARC/pass@k, and the submission attempts.
#ifndef PLUGINS_EVALUATORS_ARC_RESULTS_H_
#define PLUGINS_EVALUATORS_ARC_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include "plugins/evaluators/arc_votes.h"
#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/kaggle_submission.h"

namespace trm::plugins {

struct ArcInputOutcome {
  std::string input_hash;
  std::optional<std::string> label_hash;   // unset when the expected output is unknown
  std::vector<RankedCandidate> candidates;  // best first; empty = no prediction reached it
  int label_rank = -1;                      // index of the expected output in candidates, or -1
  // The candidates submitted as attempt 1, 2, ... (indices into candidates; -1 = the fallback
  // grid). The reference submits the first k candidates, repeating the first when there are
  // fewer; we do the same but skip empty (0x0) crops, which are not valid ARC grids.
  std::vector<int> attempts;
};

class ArcResults {
 public:
  // `tasks` and `tables` (every rank's votes, in rank order) must outlive this object.
  // `attempts`: how many attempts each test input gets (submission_k).
  ArcResults(const std::vector<ArcTask>& tasks, std::vector<const ArcVoteTable*> tables,
             int attempts);

  const std::vector<ArcTask>& tasks() const { return *tasks_; }
  // [task][test input], aligned with tasks().
  const std::vector<std::vector<ArcInputOutcome>>& outcomes() const { return outcomes_; }

  // The reference's ARC/pass@k: over tasks, the mean of the fraction of test inputs whose
  // expected output is among the first k candidates (a task without predictions scores 0).
  double PassAtK(int k) const;
  // The largest candidate list of any test input: pass@k is constant for k beyond it.
  int max_candidates() const { return max_candidates_; }
  int inputs_without_votes() const { return inputs_without_votes_; }

  // The grids of outcome.attempts.
  std::vector<Grid> Attempts(const ArcInputOutcome& outcome) const;
  const Grid& CandidateGrid(const RankedCandidate& candidate) const;

  // Every task and test input, in task-file order, with their attempts.
  KaggleSubmission Submission() const;

 private:
  const std::vector<ArcTask>* tasks_;
  std::vector<const ArcVoteTable*> tables_;
  std::vector<std::vector<ArcInputOutcome>> outcomes_;
  int max_candidates_ = 0;
  int inputs_without_votes_ = 0;
};

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_RESULTS_H_
