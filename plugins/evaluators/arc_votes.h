// The ARC evaluator's vote table (spec §10.2-§10.3): every augmented variant of a test input votes
// for its prediction mapped back to the original orientation and colours, with the halting head's
// confidence sigmoid(q_halt) as a tie-breaker. Each process keeps its own table; rank 0 merges the
// tables of all ranks, in rank order, exactly as the reference does after its gather.
#ifndef PLUGINS_EVALUATORS_ARC_VOTES_H_
#define PLUGINS_EVALUATORS_ARC_VOTES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/arc/common/grid.h"

namespace trm::plugins {

struct ArcVote {
  std::string prediction_hash;  // GridHash of the predicted grid (original space)
  double confidence;            // sigmoid(q_halt_logit), float64
};

class ArcVoteTable {
 public:
  // One vote of a variant of test input `input_hash` (GridHash of the un-augmented input) of task
  // `task_id` (the un-augmented puzzle id).
  void Add(const std::string& task_id, const std::string& input_hash, const Grid& prediction,
           double confidence);
  void Clear();

  // The votes for one test input, in the order they were added; nullptr if there are none.
  const std::vector<ArcVote>* Find(const std::string& task_id, const std::string& input_hash) const;
  // A predicted grid by its hash; nullptr if this table never saw it.
  const Grid* FindGrid(const std::string& hash) const;
  int64_t num_votes() const { return num_votes_; }

  // A self-describing byte string (for Communicator::AllGatherBytes) and its inverse; a damaged
  // string is an error, never a crash.
  std::string Serialize() const;
  static absl::StatusOr<ArcVoteTable> Deserialize(const std::string& bytes);

 private:
  std::map<std::string, std::map<std::string, std::vector<ArcVote>>> votes_;
  std::map<std::string, Grid> grids_;
  int64_t num_votes_ = 0;
};

struct RankedCandidate {
  std::string hash;
  int64_t votes = 0;
  double mean_confidence = 0.0;
};

// Tallies the votes for one test input over `tables` (rank order), then sorts by (votes, mean
// confidence) descending; full ties keep first-seen order (Python's stable sort, which the
// reference uses). Empty if no table has a vote for it.
std::vector<RankedCandidate> RankCandidates(const std::vector<const ArcVoteTable*>& tables,
                                            const std::string& task_id,
                                            const std::string& input_hash);

// The grid of `hash` from the first table that has it; nullptr if none.
const Grid* FindGridInTables(const std::vector<const ArcVoteTable*>& tables,
                             const std::string& hash);

}  // namespace trm::plugins

#endif  // PLUGINS_EVALUATORS_ARC_VOTES_H_
