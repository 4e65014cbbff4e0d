#include "plugins/arc/arc_tasks.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/test_util.h"

namespace trm::arc {
namespace {

using ::testing::HasSubstr;
using testing::FreshDir;
using testing::WriteFile;

constexpr char kGoodTask[] = R"({"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3]]}]})";

struct BadInput {
  std::string name;
  std::string challenges;  // the "x" subset's challenges file
  std::string solutions;   // "" = no solutions file
  std::string expected;    // part of the one-line error
};

class MalformedTasksTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(MalformedTasksTest, IsAOneLineErrorNamingFileTaskAndField) {
  const BadInput& input = GetParam();
  const std::string dir = FreshDir("malformed_" + input.name);
  WriteFile(dir + "/p_x_challenges.json", input.challenges);
  if (!input.solutions.empty()) WriteFile(dir + "/p_x_solutions.json", input.solutions);
  ReadOptions options;
  options.task_dir = dir;
  options.input_file_prefix = "p";
  auto tasks = ReadArcSubset(options, "x");
  ASSERT_FALSE(tasks.ok()) << input.name;
  const std::string message(tasks.status().message());
  EXPECT_THAT(message, HasSubstr(input.expected)) << input.name;
  EXPECT_THAT(message, HasSubstr(dir + "/p_x_")) << input.name;  // names the file
  EXPECT_EQ(message.find('\n'), std::string::npos) << input.name;
}

const std::string kSolution = R"({"t1": [[[4]]]})";

INSTANTIATE_TEST_SUITE_P(
    ArcTasks, MalformedTasksTest,
    ::testing::Values(
        BadInput{"syntax", R"({"t1": {"train": [}})", kSolution, "invalid JSON"},
        BadInput{"not_object", R"([1, 2])", kSolution, "is not a JSON object"},
        BadInput{"task_not_object", R"({"t1": 5})", kSolution, "task 't1': is 5, not an object"},
        BadInput{"no_train", R"({"t1": {"test": [{"input": [[3]]}]}})", kSolution,
                 "task 't1': has no 'train' list"},
        BadInput{"extra_key", R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}], "name": "x"}})",
                 kSolution, "unexpected key 'name'"},
        BadInput{"empty_train", R"({"t1": {"train": [], "test": [{"input": [[3]]}]}})", kSolution,
                 "task 't1': train: is empty"},
        BadInput{"pair_without_input", R"({"t1": {"train": [{"output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0]: has no 'input'"},
        BadInput{"pair_without_output", R"({"t1": {"train": [{"input": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0]: has no 'output'"},
        BadInput{"empty_grid", R"({"t1": {"train": [{"input": [], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0].input: is [], not a non-empty list of rows"},
        BadInput{"empty_row", R"({"t1": {"train": [{"input": [[]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0].input: row 0 is [], not a non-empty list of colours"},
        BadInput{"ragged", R"({"t1": {"train": [{"input": [[1, 2, 3], [4, 5]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0].input: row 1 has 2 cells but row 0 has 3 (not rectangular)"},
        BadInput{"too_tall",
                 R"({"t1": {"train": [{"input": [[1]], "output": [[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0].output: grid is 31x1, larger than 30x30"},
        BadInput{"colour_10", R"({"t1": {"train": [{"input": [[1, 10]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "train[0].input: cell (0, 1) is 10, not a colour 0..9"},
        BadInput{"colour_negative", R"({"t1": {"train": [{"input": [[-1]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "cell (0, 0) is -1, not a colour 0..9"},
        BadInput{"colour_float", R"({"t1": {"train": [{"input": [[1.5]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "cell (0, 0) is 1.5, not a colour 0..9"},
        BadInput{"colour_string", R"({"t1": {"train": [{"input": [["3"]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "cell (0, 0) is \"3\", not a colour 0..9"},
        BadInput{"colour_bool", R"({"t1": {"train": [{"input": [[true]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
                 kSolution, "cell (0, 0) is true, not a colour 0..9"},
        BadInput{"duplicate_task", R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}]}, "t1": {}})",
                 kSolution, "key \"t1\" appears twice"},
        BadInput{"missing_solutions_file", std::string(R"({"t1": )") + kGoodTask + "}", "",
                 "task 't1': test[0] has no output and"},
        BadInput{"task_without_solution", std::string(R"({"t1": )") + kGoodTask + "}", R"({"t2": [[[1]]]})",
                 "task 't1': has no solutions"},
        BadInput{"too_few_solutions",
                 R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}, {"input": [[4]]}]}})",
                 kSolution, "task 't1': has 1 solutions for 2 test inputs"},
        BadInput{"bad_solution_grid", std::string(R"({"t1": )") + kGoodTask + "}", R"({"t1": [[[1, 2], [3]]]})",
                 "task 't1': solution[0]: row 1 has 1 cells but row 0 has 2"},
        BadInput{"unknown_solution", std::string(R"({"t1": )") + kGoodTask + "}", R"({"t1": [[[4]]], "t9": [[[4]]]})",
                 "task 't9': is not in p_x_challenges.json"},
        BadInput{"solutions_not_object", std::string(R"({"t1": )") + kGoodTask + "}", R"([[[4]]])",
                 "is not a JSON object mapping task ids to lists of grids"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(ArcTasksTest, ReadsKaggleLayoutWithSolutionsAndKeyOrder) {
  const std::string dir = FreshDir("kaggle");
  WriteFile(dir + "/p_x_challenges.json",
            R"({"b": {"test": [{"input": [[3, 3]]}], "train": [{"output": [[2]], "input": [[1]]}]},
                "a": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[5]]}, {"input": [[6]]}]}})");
  WriteFile(dir + "/p_x_solutions.json", R"({"a": [[[7]], [[8]]], "b": [[[9], [9]]]})");
  ReadOptions options;
  options.task_dir = dir;
  options.input_file_prefix = "p";
  auto tasks = ReadArcSubset(options, "x");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].id, "b");  // file order
  EXPECT_TRUE((*tasks)[0].test_listed_first);
  EXPECT_EQ((*tasks)[0].test[0].output, Grid(2, 1, {9, 9}));
  EXPECT_EQ((*tasks)[1].test[1].output, Grid(1, 1, {8}));
  std::string json;
  AppendTaskJson((*tasks)[0], &json);
  EXPECT_EQ(json, R"({"test": [{"input": [[3, 3]], "output": [[9], [9]]}], "train": [{"output": [[2]], "input": [[1]]}]})");
}

TEST(ArcTasksTest, HiddenTestSetGetsDummyOutputsWhenAllowed) {
  const std::string dir = FreshDir("hidden");
  WriteFile(dir + "/p_x_challenges.json", std::string(R"({"t1": )") + kGoodTask + "}");
  ReadOptions options;
  options.task_dir = dir;
  options.input_file_prefix = "p";
  options.allow_missing_solutions = true;
  auto tasks = ReadArcSubset(options, "x");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  EXPECT_EQ((*tasks)[0].test[0].output, Grid(1, 1, {0}));
}

TEST(ArcTasksTest, ReadsOneFilePerTaskLayout) {
  const std::string dir = FreshDir("per_task");
  WriteFile(dir + "/data/training/bbb.json",
            R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]], "output": [[4]]}]})");
  WriteFile(dir + "/data/training/aaa.json",
            R"({"train": [{"input": [[5]], "output": [[6]]}], "test": [{"input": [[7]], "output": [[8]]}]})");
  ReadOptions options;
  options.task_dir = dir;
  auto tasks = ReadArcSubset(options, "training");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].id, "aaa");
  EXPECT_EQ((*tasks)[1].test[0].output, Grid(1, 1, {4}));

  WriteFile(dir + "/data/training/ccc.json", R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]})");
  auto missing = ReadArcSubset(options, "training");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("ccc.json: task 'ccc': test[0]: has no 'output'"));

  auto absent = ReadArcSubset(options, "evaluation");
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(std::string(absent.status().message()), HasSubstr("subset 'evaluation': found neither"));
}

TEST(ArcTasksTest, SubsetsFiltersAndCrossSubsetChecks) {
  const std::string dir = FreshDir("subsets");
  WriteFile(dir + "/p_x_challenges.json",
            R"({"c": {"train": [{"input": [[1]], "output": [[2]]}, {"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]},
                "a": {"train": [{"input": [[1, 1, 1]], "output": [[2]]}], "test": [{"input": [[3]]}]},
                "b": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}})");
  WriteFile(dir + "/p_x_solutions.json", R"({"a": [[[4]]], "b": [[[4]]], "c": [[[4]]]})");
  WriteFile(dir + "/p_y_challenges.json", R"({"b": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}})");
  WriteFile(dir + "/p_y_solutions.json", R"({"b": [[[4]]]})");
  ReadOptions options;
  options.task_dir = dir;
  options.input_file_prefix = "p";
  config::TaskFilter filter;
  auto duplicate = ReadArcSubsets(options, {"x", "y"}, filter, 30);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(std::string(duplicate.status().message()),
              HasSubstr("p_y_challenges.json: task 'b': also appears in " + dir + "/p_x_challenges.json"));

  filter.set_max_tasks_per_subset(2);
  filter.set_max_train_pairs(1);
  auto capped = ReadArcSubsets(options, {"x"}, filter, 30);
  ASSERT_TRUE(capped.ok()) << capped.status();
  ASSERT_EQ((*capped)[0].size(), 2u);
  EXPECT_EQ((*capped)[0][0].id, "a");  // ids a, b kept, in file order
  EXPECT_EQ((*capped)[0][1].id, "b");

  config::TaskFilter small;
  small.set_max_grid_side(2);
  auto fitted = ReadArcSubsets(options, {"x"}, small, 30);
  ASSERT_TRUE(fitted.ok());
  EXPECT_EQ((*fitted)[0].size(), 2u);  // "a" has a 1x3 grid
  EXPECT_EQ((*fitted)[0][0].train.size(), 2u);

  auto canvas = ReadArcSubsets(options, {"x"}, config::TaskFilter(), 2);
  ASSERT_FALSE(canvas.ok());
  EXPECT_THAT(std::string(canvas.status().message()), HasSubstr("task 'a': has a grid larger than the 2x2 canvas"));

  config::TaskFilter ids;
  ids.add_task_ids("zzz");
  auto unknown = ReadArcSubsets(options, {"x"}, ids, 30);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("task_ids: task 'zzz' is in none of the subsets"));
}

}  // namespace
}  // namespace trm::arc
