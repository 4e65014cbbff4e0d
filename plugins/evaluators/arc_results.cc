#include "plugins/evaluators/arc_results.h"

#include <algorithm>
#include <utility>

namespace trm::plugins {

ArcResults::ArcResults(const std::vector<ArcTask>& tasks, std::vector<const ArcVoteTable*> tables)
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

std::vector<Grid> ArcResults::Attempts(const ArcInputOutcome& outcome, int k) const {
  if (outcome.candidates.empty()) return std::vector<Grid>(k, FallbackGrid());
  std::vector<Grid> attempts;
  for (int i = 0; i < k; ++i) {
    const size_t index = i < static_cast<int>(outcome.candidates.size()) ? i : 0;
    attempts.push_back(CandidateGrid(outcome.candidates[index]));
  }
  return attempts;
}

KaggleSubmission ArcResults::Submission(int k) const {
  KaggleSubmission submission;
  for (size_t t = 0; t < outcomes_.size(); ++t) {
    KaggleSubmission::Task& task = submission.tasks.emplace_back();
    task.id = (*tasks_)[t].id;
    for (const ArcInputOutcome& input : outcomes_[t]) task.attempts.push_back(Attempts(input, k));
  }
  return submission;
}

}  // namespace trm::plugins
