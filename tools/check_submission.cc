// bazel run //tools:check_submission -- --submission=submission.json
//     --challenges=arc-agi_evaluation2_challenges.json
//     [--solutions=arc-agi_evaluation2_solutions.json]
//
// Checks a submission.json against a Kaggle challenges file (every task, every test input, two
// attempts, valid grids) and, when the expected outputs are known (--solutions, or a dataset's
// test_puzzles.json), prints its ARC Prize score. Exit status 1 with a
// one-line error when either file is malformed or they do not match.
#include <algorithm>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "trm/app/app.h"
#include "trm/base/file_util.h"
#include "trm/base/paths.h"
#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/kaggle_submission.h"

ABSL_FLAG(std::string, submission, "", "submission.json to check.");
ABSL_FLAG(std::string, challenges, "",
          "Challenges file (Kaggle layout, or a dataset's test_puzzles.json).");
ABSL_FLAG(std::string, solutions, "", "Optional solutions file: prints the score.");
ABSL_FLAG(int, attempts, trm::kKaggleAttempts, "Attempts expected per test input.");

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Checks a Kaggle ARC submission: check_submission --submission=FILE "
                "--challenges=FILE [--solutions=FILE]");
  if (absl::GetFlag(FLAGS_submission).empty() || absl::GetFlag(FLAGS_challenges).empty()) {
    trm::Die(absl::InvalidArgumentError("--submission and --challenges are required"));
  }
  const std::string challenges_path = trm::ResolveUserPath(absl::GetFlag(FLAGS_challenges));
  absl::StatusOr<std::vector<trm::ArcTask>> challenges = trm::ReadArcTasksFile(challenges_path);
  if (!challenges.ok()) trm::Die(challenges.status());
  if (!absl::GetFlag(FLAGS_solutions).empty()) {
    const std::string solutions_path = trm::ResolveUserPath(absl::GetFlag(FLAGS_solutions));
    absl::StatusOr<std::string> text = trm::ReadFileToString(solutions_path);
    if (!text.ok()) trm::Die(text.status());
    if (absl::Status s = trm::AttachArcSolutions(*text, solutions_path, *challenges); !s.ok()) {
      trm::Die(s);
    }
  }
  absl::StatusOr<trm::KaggleSubmission> submission =
      trm::ReadSubmissionFile(trm::ResolveUserPath(absl::GetFlag(FLAGS_submission)));
  if (!submission.ok()) trm::Die(submission.status());
  if (absl::Status s = trm::ValidateSubmission(*submission, *challenges, challenges_path,
                                               absl::GetFlag(FLAGS_attempts));
      !s.ok()) {
    trm::Die(s);
  }
  size_t inputs = 0;
  for (const trm::ArcTask& task : *challenges) inputs += task.test.size();
  std::cout << absl::StrFormat("valid: %d tasks, %d test inputs, %d attempts each\n",
                               challenges->size(), inputs, absl::GetFlag(FLAGS_attempts));
  const bool solutions_known =
      std::all_of(challenges->begin(), challenges->end(), [](const trm::ArcTask& task) {
        return std::all_of(task.test.begin(), task.test.end(),
                           [](const trm::ArcPair& pair) { return pair.output.has_value(); });
      });
  if (solutions_known) {
    absl::StatusOr<double> score = trm::ScoreSubmission(*submission, *challenges, challenges_path);
    if (!score.ok()) trm::Die(score.status());
    std::cout << absl::StrFormat("score: %.6f (%.2f%% of %d tasks)\n", *score, 100 * *score,
                                 challenges->size());
  }
  return 0;
}
