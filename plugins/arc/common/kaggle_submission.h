// submission.json in the Kaggle ARC Prize format: an object mapping every task id of the
// challenges file to a list with one entry per test input, in order, each entry an object
// {"attempt_1": grid, "attempt_2": grid} (grids as lists of integer rows).
//
// The reference evaluator skips a test input that received no prediction (spec §16.31), which
// shifts the attempts of later inputs of the same task. We keep the list aligned with the test
// inputs instead and fill such entries with a fallback grid (kFallbackGrid), so the file always
// validates against its challenges.
#ifndef PLUGINS_ARC_COMMON_KAGGLE_SUBMISSION_H_
#define PLUGINS_ARC_COMMON_KAGGLE_SUBMISSION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/grid.h"

namespace trm {

// The file name Kaggle expects (the evaluator writes it into its output folder).
inline constexpr char kSubmissionFile[] = "submission.json";

// Attempts per test input that the ARC Prize scores.
inline constexpr int kKaggleAttempts = 2;

// What an entry holds when the model produced nothing for a test input: a 1x1 black grid.
Grid FallbackGrid();

struct KaggleSubmission {
  struct Task {
    std::string id;
    std::vector<std::vector<Grid>> attempts;  // [test input][attempt]
  };
  std::vector<Task> tasks;  // written in this order
};

// Compact JSON, tasks in order, attempts named attempt_1, attempt_2, ...
std::string SubmissionToJson(const KaggleSubmission& submission);

// Parses a submission file's text. Every entry must be an object whose keys are exactly
// attempt_1 .. attempt_n (n >= 1, the same for the whole file) holding valid grids. Errors are one
// line naming `source`, the task and the entry.
absl::StatusOr<KaggleSubmission> ParseSubmission(const std::string& json_text,
                                                 const std::string& source);
absl::StatusOr<KaggleSubmission> ReadSubmissionFile(const std::string& path);

// The submission answers `challenges` (read from `challenges_source`): every task id exactly once
// and no other, one entry per test input, `attempts` grids in each entry, valid grids.
absl::Status ValidateSubmission(const KaggleSubmission& submission,
                                const std::vector<ArcTask>& challenges,
                                const std::string& challenges_source,
                                int attempts = kKaggleAttempts);

// The ARC Prize score of a valid submission: a test input counts when any attempt equals its
// expected output; a task scores the fraction of its test inputs that count; the score is the
// mean over tasks. Every test input of `challenges` must have its output.
absl::StatusOr<double> ScoreSubmission(const KaggleSubmission& submission,
                                       const std::vector<ArcTask>& challenges,
                                       const std::string& challenges_source);

// Validates, then writes atomically (an invalid submission leaves `path` untouched).
absl::Status WriteSubmission(const std::string& path, const KaggleSubmission& submission,
                             const std::vector<ArcTask>& challenges,
                             const std::string& challenges_source,
                             int attempts = kKaggleAttempts);

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_KAGGLE_SUBMISSION_H_
