#include "plugins/arc/common/arc_task.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

TEST(ArcTasksTest, ParsesTasksInFileOrder) {
  const std::string text = R"({
    "zz": {"train": [{"input": [[1, 2]], "output": [[3], [4]]}], "test": [{"input": [[5]]}]},
    "aa": {"train": [], "test": [{"input": [[0, 0], [9, 9]], "output": [[7]]}, {"input": [[1]]}]}
  })";
  auto tasks = ParseArcTasks(text, "t.json");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].id, "zz");  // not sorted: the reference iterates in file order
  EXPECT_EQ((*tasks)[1].id, "aa");
  EXPECT_EQ((*tasks)[0].train[0].output, Grid(2, 1, {3, 4}));
  EXPECT_FALSE((*tasks)[0].test[0].output.has_value());
  EXPECT_EQ((*tasks)[1].test[0].input, Grid(2, 2, {0, 0, 9, 9}));
  EXPECT_EQ((*tasks)[1].test[0].output, Grid(1, 1, {7}));
  EXPECT_EQ((*tasks)[1].test.size(), 2u);
}

TEST(ArcTasksTest, GridJsonRoundTrips) {
  const Grid grid(2, 3, {0, 1, 2, 3, 4, 9});
  EXPECT_EQ(GridToJson(grid), "[[0,1,2],[3,4,9]]");
  auto parsed = ParseArcTasks(R"({"x": {"train": [], "test": [{"input": )" + GridToJson(grid) + "}]}}",
                              "t.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)[0].test[0].input, grid);
}

struct BadCase {
  std::string json;
  std::string message;
};

class ArcTasksErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ArcTasksErrorTest, IsOneLineNamingTheFileAndField) {
  auto tasks = ParseArcTasks(GetParam().json, "bad.json");
  ASSERT_FALSE(tasks.ok());
  const std::string message(tasks.status().message());
  EXPECT_THAT(message, HasSubstr("bad.json: "));
  EXPECT_THAT(message, HasSubstr(GetParam().message));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ArcTasksErrorTest,
    ::testing::Values(
        BadCase{"{", "not valid JSON"},
        BadCase{"[]", "expected an object mapping task ids"},
        BadCase{R"({"a": 3})", "task 'a': expected an object"},
        BadCase{R"({"a": {"train": []}})", "task 'a': missing 'test'"},
        BadCase{R"({"a": {"test": [{"input": [[1]]}]}})", "task 'a': missing 'train'"},
        BadCase{R"({"a": {"train": [], "test": []}})", "task 'a': no test pairs"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[1]]}], "x": 1}})", "unknown key 'x'"},
        BadCase{R"({"a": {"train": [{"input": [[1]]}], "test": [{"input": [[1]]}]}})",
                "task 'a' train[0]: missing 'output'"},
        BadCase{R"({"a": {"train": [], "test": [{"output": [[1]]}]}})",
                "task 'a' test[0]: missing 'input'"},
        BadCase{R"({"a": {"train": [], "test": [{"input": []}]}})", "non-empty list of rows"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[1, 2], [3]]}]}})",
                "task 'a' test[0].input: row 1 has 1 cells, row 0 has 2"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[1, 10]]}]}})",
                "cell [0][1] is 10, expected a colour 0..9"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[1, -1]]}]}})", "cell [0][1] is -1"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[1.5]]}]}})", "cell [0][0] is 1.5"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [["1"]]}]}})", "cell [0][0] is \"1\""},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[]]}]}})", "row 0 must be a non-empty"},
        BadCase{R"({"a": {"train": [], "test": [{"input": [[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]}]}})",
                "31 columns, at most 30"}));

TEST(ArcTasksTest, AttachesSolutions) {
  auto tasks = ParseArcTasks(R"({"a": {"train": [], "test": [{"input": [[1]]}, {"input": [[2]]}]}})",
                             "c.json");
  ASSERT_TRUE(tasks.ok());
  ASSERT_TRUE(AttachArcSolutions(R"({"a": [[[3]], [[4, 4]]]})", "s.json", *tasks).ok());
  EXPECT_EQ((*tasks)[0].test[1].output, Grid(1, 2, {4, 4}));

  absl::Status missing = AttachArcSolutions(R"({"b": []})", "s.json", *tasks);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("s.json: no solutions for task 'a'"));
  absl::Status short_list = AttachArcSolutions(R"({"a": [[[3]]]})", "s.json", *tasks);
  EXPECT_THAT(std::string(short_list.message()), HasSubstr("expected a list of 2 output grids"));
}

TEST(ArcTasksTest, KeepsKeyOrderAndReadsSingleTaskFiles) {
  // The ARC-AGI-1 files list "test" before "train"; pairs may list "output" first.
  auto task = ParseArcTask(R"({"test": [{"input": [[1]]}], "train": [{"output": [[2]], "input": [[3]]}]})",
                           "abc", "abc.json");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->id, "abc");
  EXPECT_TRUE(task->test_listed_first);
  EXPECT_TRUE(task->train[0].output_listed_first);
  EXPECT_FALSE(task->test[0].output_listed_first);
  auto bad = ParseArcTask(R"({"train": [], "test": []})", "abc", "abc.json");
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("abc.json: task 'abc': no test pairs"));
}

TEST(ArcTasksTest, RejectsRepeatedKeysAndUnknownSolutions) {
  auto repeated = ParseArcTasks(R"({"a": {"train": [], "test": [{"input": [[1]]}]}, "a": {}})", "c.json");
  ASSERT_FALSE(repeated.ok());
  EXPECT_THAT(std::string(repeated.status().message()), HasSubstr("c.json: not valid JSON: key \"a\" appears twice"));
  auto tasks = ParseArcTasks(R"({"a": {"train": [], "test": [{"input": [[1]]}]}})", "c.json");
  ASSERT_TRUE(tasks.ok());
  absl::Status extra = AttachArcSolutions(R"({"a": [[[3]]], "b": [[[4]]]})", "s.json", *tasks);
  EXPECT_THAT(std::string(extra.message()), HasSubstr("s.json: solutions for task 'b', which is not a task"));
}

TEST(ArcTasksTest, MissingFileIsNotFound) {
  auto tasks = ReadArcTasksFile("/nonexistent/tasks.json");
  EXPECT_EQ(tasks.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(tasks.status().message()), HasSubstr("/nonexistent/tasks.json"));
}

}  // namespace
}  // namespace trm
