#include "plugins/arc/arc_tasks.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/test_util.h"

namespace trm::arc {
namespace {

using testing::FreshDir;
using ::testing::HasSubstr;
using testing::MalformedInput;
using testing::MalformedInputs;
using testing::WriteFile;
using testing::WriteMalformedInput;

constexpr char kGoodTask[] =
    R"({"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3]]}]})";

class MalformedTasksTest : public ::testing::TestWithParam<MalformedInput> {};

TEST_P(MalformedTasksTest, IsAOneLineErrorNamingFileTaskAndField) {
  const MalformedInput& input = GetParam();
  const std::string dir = FreshDir("malformed_" + input.name);
  WriteMalformedInput(input, dir);
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

INSTANTIATE_TEST_SUITE_P(ArcTasks, MalformedTasksTest, ::testing::ValuesIn(MalformedInputs()),
                         [](const ::testing::TestParamInfo<MalformedInput>& info) {
                           return info.param.name;
                         });

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
  const ArcTask& b = (*tasks)[0].task;
  EXPECT_EQ(b.id, "b");  // file order
  EXPECT_TRUE(b.test_listed_first);
  EXPECT_EQ(b.test[0].output, Grid(2, 1, {9, 9}));
  EXPECT_EQ((*tasks)[1].task.test[1].output, Grid(1, 1, {8}));
  EXPECT_EQ((*tasks)[1].source, dir + "/p_x_challenges.json");
  std::string json;
  AppendTaskJson(b, &json);
  EXPECT_EQ(
      json,
      R"({"test": [{"input": [[3, 3]], "output": [[9], [9]]}], "train": [{"output": [[2]], "input": [[1]]}]})");
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
  EXPECT_EQ((*tasks)[0].task.test[0].output, Grid(1, 1, {0}));
}

TEST(ArcTasksTest, ReadsOneFilePerTaskLayout) {
  const std::string dir = FreshDir("per_task");
  WriteFile(
      dir + "/data/training/bbb.json",
      R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]], "output": [[4]]}]})");
  WriteFile(
      dir + "/data/training/aaa.json",
      R"({"train": [{"input": [[5]], "output": [[6]]}], "test": [{"input": [[7]], "output": [[8]]}]})");
  ReadOptions options;
  options.task_dir = dir;
  auto tasks = ReadArcSubset(options, "training");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].task.id, "aaa");
  EXPECT_EQ((*tasks)[1].task.test[0].output, Grid(1, 1, {4}));

  WriteFile(dir + "/data/training/ccc.json",
            R"({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]})");
  auto missing = ReadArcSubset(options, "training");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("ccc.json: task 'ccc' test[0]: missing 'output'"));

  auto absent = ReadArcSubset(options, "evaluation");
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(std::string(absent.status().message()),
              HasSubstr("subset 'evaluation': found neither"));
}

TEST(ArcTasksTest, SubsetsFiltersAndCrossSubsetChecks) {
  const std::string dir = FreshDir("subsets");
  WriteFile(
      dir + "/p_x_challenges.json",
      R"({"c": {"train": [{"input": [[1]], "output": [[2]]}, {"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]},
                "a": {"train": [{"input": [[1, 1, 1]], "output": [[2]]}], "test": [{"input": [[3]]}]},
                "b": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}})");
  WriteFile(dir + "/p_x_solutions.json", R"({"a": [[[4]]], "b": [[[4]]], "c": [[[4]]]})");
  WriteFile(dir + "/p_y_challenges.json",
            R"({"b": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}})");
  WriteFile(dir + "/p_y_solutions.json", R"({"b": [[[4]]]})");
  ReadOptions options;
  options.task_dir = dir;
  options.input_file_prefix = "p";
  TaskFilter filter;
  auto duplicate = ReadArcSubsets(options, {"x", "y"}, filter, 30);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(
      std::string(duplicate.status().message()),
      HasSubstr("p_y_challenges.json: task 'b': also appears in " + dir + "/p_x_challenges.json"));

  filter.set_max_tasks_per_subset(2);
  filter.set_max_train_pairs(1);
  auto capped = ReadArcSubsets(options, {"x"}, filter, 30);
  ASSERT_TRUE(capped.ok()) << capped.status();
  ASSERT_EQ((*capped)[0].size(), 2u);
  EXPECT_EQ((*capped)[0][0].task.id, "a");  // ids a, b kept, in file order
  EXPECT_EQ((*capped)[0][1].task.id, "b");

  TaskFilter small;
  small.set_max_grid_side(2);
  auto fitted = ReadArcSubsets(options, {"x"}, small, 30);
  ASSERT_TRUE(fitted.ok());
  EXPECT_EQ((*fitted)[0].size(), 2u);  // "a" has a 1x3 grid
  EXPECT_EQ((*fitted)[0][0].task.train.size(), 2u);

  auto canvas = ReadArcSubsets(options, {"x"}, TaskFilter(), 2);
  ASSERT_FALSE(canvas.ok());
  EXPECT_THAT(std::string(canvas.status().message()),
              HasSubstr("task 'a': has a grid larger than the 2x2 canvas"));

  TaskFilter ids;
  ids.add_task_ids("zzz");
  auto unknown = ReadArcSubsets(options, {"x"}, ids, 30);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("task_ids: task 'zzz' is in none of the subsets"));
}

}  // namespace
}  // namespace trm::arc
