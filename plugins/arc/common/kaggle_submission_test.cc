#include "plugins/arc/common/kaggle_submission.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

std::vector<ArcTask> Challenges() {
  auto tasks = ParseArcTasks(R"({
      "b": {"train": [], "test": [{"input": [[1]]}, {"input": [[2]]}]},
      "a": {"train": [], "test": [{"input": [[3]]}]}})",
                             "challenges.json");
  EXPECT_TRUE(tasks.ok()) << tasks.status();
  return *tasks;
}

KaggleSubmission Valid() {
  KaggleSubmission s;
  s.tasks.push_back({"b", {{Grid(1, 1, {1}), Grid(1, 2, {1, 2})}, {FallbackGrid(), FallbackGrid()}}});
  s.tasks.push_back({"a", {{Grid(2, 1, {3, 4}), Grid(2, 1, {3, 4})}}});
  return s;
}

TEST(KaggleSubmissionTest, WritesTheKaggleLayoutInChallengeOrder) {
  EXPECT_EQ(SubmissionToJson(Valid()),
            R"({"b":[{"attempt_1":[[1]],"attempt_2":[[1,2]]},{"attempt_1":[[0]],"attempt_2":[[0]]}],)"
            R"("a":[{"attempt_1":[[3],[4]],"attempt_2":[[3],[4]]}]})"
            "\n");
}

TEST(KaggleSubmissionTest, ParseInvertsWriteAndValidates) {
  auto parsed = ParseSubmission(SubmissionToJson(Valid()), "s.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->tasks.size(), 2u);
  EXPECT_EQ(parsed->tasks[0].attempts, Valid().tasks[0].attempts);
  EXPECT_TRUE(ValidateSubmission(*parsed, Challenges(), "challenges.json").ok());
}

TEST(KaggleSubmissionTest, AttemptsAreOrderedByNumberNotByKeyOrder) {
  auto parsed = ParseSubmission(R"({"a": [{"attempt_2": [[2]], "attempt_1": [[1]]}]})", "s.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->tasks[0].attempts[0][0], Grid(1, 1, {1}));
  EXPECT_EQ(parsed->tasks[0].attempts[0][1], Grid(1, 1, {2}));
}

struct BadFile {
  std::string json;
  std::string message;
};
class MalformedSubmissionTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(MalformedSubmissionTest, GivesOneLineError) {
  auto parsed = ParseSubmission(GetParam().json, "sub.json");
  ASSERT_FALSE(parsed.ok());
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, HasSubstr("sub.json: "));
  EXPECT_THAT(message, HasSubstr(GetParam().message));
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedSubmissionTest,
    ::testing::Values(
        BadFile{R"({"a": [)", "not valid JSON"},
        BadFile{R"([1, 2])", "expected an object mapping task ids"},
        BadFile{R"({"a": {"attempt_1": [[1]]}})", "task 'a': expected a list"},
        BadFile{R"({"a": [[[1]]]})", "task 'a' entry 0: expected an object"},
        BadFile{R"({"a": [{}]})", "task 'a' entry 0: expected an object"},
        BadFile{R"({"a": [{"attempt_1": [[1]], "answer": [[1]]}]})", "unexpected key 'answer'"},
        BadFile{R"({"a": [{"attempt_01": [[1]]}]})", "unexpected key 'attempt_01'"},
        BadFile{R"({"a": [{"attempt_1": [[1]], "attempt_3": [[1]]}]})", "without gaps"},
        BadFile{R"({"a": [{"attempt_1": [[1]], "attempt_2": [[1]]}, {"attempt_1": [[1]]}]})",
                "task 'a' entry 1: 1 attempts, earlier entries have 2"},
        BadFile{R"({"a": [{"attempt_1": [[1, 12]]}]})", "task 'a' entry 0 attempt_1: cell [0][1] is 12"},
        BadFile{R"({"a": [{"attempt_1": []}]})", "non-empty list of rows"},
        BadFile{R"({"a": [{"attempt_1": [[1], [1, 2]]}]})", "row 1 has 2 cells"}));

TEST(KaggleSubmissionTest, ValidationNamesWhatDoesNotMatchTheChallenges) {
  const auto expect_error = [](const KaggleSubmission& s, const std::string& message) {
    absl::Status status = ValidateSubmission(s, Challenges(), "challenges.json");
    EXPECT_THAT(std::string(status.message()), HasSubstr(message));
    EXPECT_THAT(std::string(status.message()), HasSubstr("submission for challenges.json: "));
  };
  KaggleSubmission missing = Valid();
  missing.tasks.pop_back();
  expect_error(missing, "1 of 2 task(s) missing: 'a'");

  KaggleSubmission extra = Valid();
  extra.tasks.push_back({"zzz", {{FallbackGrid(), FallbackGrid()}}});
  expect_error(extra, "1 task id(s) not in the challenges: 'zzz'");

  KaggleSubmission twice = Valid();
  twice.tasks.push_back(twice.tasks[1]);
  expect_error(twice, "listed twice: 'a'");

  KaggleSubmission short_list = Valid();
  short_list.tasks[0].attempts.pop_back();
  expect_error(short_list, "task 'b' has 1 entries, the challenge has 2 test input(s)");

  KaggleSubmission one_attempt = Valid();
  one_attempt.tasks[1].attempts[0].pop_back();
  expect_error(one_attempt, "task 'a' entry 0 has 1 attempts, expected 2");

  KaggleSubmission empty_grid = Valid();
  empty_grid.tasks[1].attempts[0][1] = Grid();
  expect_error(empty_grid, "task 'a' entry 0 attempt_2: invalid 0x0 grid");

  KaggleSubmission bad_colour = Valid();
  bad_colour.tasks[1].attempts[0][0].cells[0] = 10;
  expect_error(bad_colour, "colour 10 outside 0..9");
}

TEST(KaggleSubmissionTest, ScoresLikeTheArcPrize) {
  std::vector<ArcTask> solved = Challenges();
  solved[0].test[0].output = Grid(1, 2, {1, 2});  // b: attempt 2 of input 0 is right
  solved[0].test[1].output = Grid(1, 1, {5});     // b: input 1 wrong
  solved[1].test[0].output = Grid(1, 1, {7});     // a: wrong
  EXPECT_EQ(*ScoreSubmission(Valid(), solved, "c.json"), (0.5 + 0.0) / 2);
  solved[1].test[0].output = Grid(2, 1, {3, 4});
  EXPECT_EQ(*ScoreSubmission(Valid(), solved, "c.json"), (0.5 + 1.0) / 2);
  EXPECT_THAT(std::string(ScoreSubmission(Valid(), Challenges(), "c.json").status().message()),
              HasSubstr("has no expected output"));
}

TEST(KaggleSubmissionTest, InvalidSubmissionLeavesTheFileUntouched) {
  const std::string path = ::testing::TempDir() + "/submission.json";
  ASSERT_TRUE(WriteFileAtomically(path, "previous").ok());
  KaggleSubmission missing = Valid();
  missing.tasks.pop_back();
  EXPECT_FALSE(WriteSubmission(path, missing, Challenges(), "challenges.json").ok());
  EXPECT_EQ(*ReadFileToString(path), "previous");

  ASSERT_TRUE(WriteSubmission(path, Valid(), Challenges(), "challenges.json").ok());
  auto read_back = ReadSubmissionFile(path);
  ASSERT_TRUE(read_back.ok()) << read_back.status();
  EXPECT_EQ(read_back->tasks[1].attempts, Valid().tasks[1].attempts);
}

}  // namespace
}  // namespace trm
