// Kaggle submission.json files (ParseSubmission), checked and scored against challenges made from
// the submission itself.
#include <string>
#include <vector>

#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/kaggle_submission.h"
#include "tests/fuzz/fuzz_target.h"

TRM_FUZZ_TARGET(kaggle_submission) {
  using namespace trm;
  absl::StatusOr<KaggleSubmission> submission =
      ParseSubmission(std::string(input), "submission.json");
  if (!submission.ok()) {
    TRM_FUZZ_CHECK(!submission.status().message().empty(), "error without a message");
    return;
  }
  // Written back, it parses to the same submission.
  absl::StatusOr<KaggleSubmission> again =
      ParseSubmission(SubmissionToJson(*submission), "round trip");
  TRM_FUZZ_CHECK(again.ok(), std::string(again.status().message()));
  TRM_FUZZ_CHECK(again->tasks.size() == submission->tasks.size(), "task count changed");
  for (size_t t = 0; t < again->tasks.size(); ++t) {
    TRM_FUZZ_CHECK(again->tasks[t].id == submission->tasks[t].id &&
                       again->tasks[t].attempts == submission->tasks[t].attempts,
                   "task changed in the round trip");
  }

  // Challenges that this submission answers: one test input per entry, expecting attempt_1.
  int attempts = kKaggleAttempts;
  std::vector<ArcTask> challenges;
  for (const KaggleSubmission::Task& task : submission->tasks) {
    if (task.attempts.empty()) return;  // a challenge always has test inputs
    attempts = static_cast<int>(task.attempts[0].size());
    ArcTask challenge;
    challenge.id = task.id;
    for (const std::vector<Grid>& entry : task.attempts) {
      ArcPair pair;
      pair.input = FallbackGrid();
      pair.output = entry.front();
      challenge.test.push_back(std::move(pair));
    }
    challenges.push_back(std::move(challenge));
  }
  absl::Status valid = ValidateSubmission(*submission, challenges, "challenges", attempts);
  TRM_FUZZ_CHECK(valid.ok(), std::string(valid.message()));
  absl::StatusOr<double> score = ScoreSubmission(*submission, challenges, "challenges");
  TRM_FUZZ_CHECK(score.ok(), std::string(score.status().message()));
  TRM_FUZZ_CHECK(challenges.empty() ? *score == 0.0 : *score == 1.0, "wrong score");
}
