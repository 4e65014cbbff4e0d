#include "plugins/evaluators/arc_results.h"

#include <algorithm>
#include <utility>

namespace trm::plugins {

ArcResults::ArcResults(const std::vector<ArcTask>& tasks, std::vector<const ArcVoteTable*> tables,
                       int attempts)
    : tasks_(&tasks), tables_(std::move(tables)) {
  outcomes_.reserve(tasks.size());
  for (const ArcTask& task : tasks) {
    std::vector<ArcInputOutcome>& task_outcomes = outcomes_.emplace_back();
    for (const ArcPair& pair : task.test) {
      ArcInputOutcome outcome;
      outcome.input_hash = GridHash(pair.input);
      if (pair.output.has_value()) outcome.label_hash = GridHash(*pair.output);
      outcome.candidates = RankCandidates(tables_, task.id, outcome.input_hash);
      for (size_t i = 0; i < outcome.candidates.size(); ++i) {
        if (outcome.label_hash == outcome.candidates[i].hash) {
          outcome.label_rank = static_cast<int>(i);
          break;
        }
      }
      // The first `attempts` candidates that are valid grids (an empty crop is not), padded by
      // repeating the first; the fallback (-1) when there is none.
      for (size_t i = 0; i < outcome.candidates.size(); ++i) {
        if (outcome.attempts.size() == static_cast<size_t>(attempts)) break;
        const Grid& grid = CandidateGrid(outcome.candidates[i]);
        if (grid.rows > 0 && grid.cols > 0) outcome.attempts.push_back(static_cast<int>(i));
      }
      const int first = outcome.attempts.empty() ? -1 : outcome.attempts.front();
      outcome.attempts.resize(attempts, first);
      max_candidates_ = std::max(max_candidates_, static_cast<int>(outcome.candidates.size()));
      if (outcome.candidates.empty()) ++inputs_without_votes_;
      task_outcomes.push_back(std::move(outcome));
    }
  }
}

double ArcResults::PassAtK(int k) const {
  // The same operations in the same order as the reference: per task an integer count divided by
  // the number of test inputs, summed over tasks in file order, divided by the number of tasks.
  double total = 0.0;
  for (const std::vector<ArcInputOutcome>& task : outcomes_) {
    int solved = 0;
    for (const ArcInputOutcome& input : task) {
      if (input.label_rank >= 0 && input.label_rank < k) ++solved;
    }
    total += static_cast<double>(solved) / static_cast<double>(task.size());
  }
  return outcomes_.empty() ? 0.0 : total / static_cast<double>(outcomes_.size());
}

const Grid& ArcResults::CandidateGrid(const RankedCandidate& candidate) const {
  // Every candidate hash came from one of the tables, each of which stores the grids it voted for.
  return *FindGridInTables(tables_, candidate.hash);
}

std::vector<Grid> ArcResults::Attempts(const ArcInputOutcome& outcome) const {
  std::vector<Grid> grids;
  for (int index : outcome.attempts) {
    grids.push_back(index < 0 ? FallbackGrid() : CandidateGrid(outcome.candidates[index]));
  }
  return grids;
}

KaggleSubmission ArcResults::Submission() const {
  KaggleSubmission submission;
  for (size_t t = 0; t < outcomes_.size(); ++t) {
    KaggleSubmission::Task& task = submission.tasks.emplace_back();
    task.id = (*tasks_)[t].id;
    for (const ArcInputOutcome& input : outcomes_[t]) task.attempts.push_back(Attempts(input));
  }
  return submission;
}

}  // namespace trm::plugins
