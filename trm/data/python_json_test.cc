#include "trm/data/python_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

TEST(PythonJsonTest, FloatReprMatchesPython) {
  // repr(v) in CPython 3.11.
  EXPECT_EQ(PythonFloatRepr(4.332593232186176), "4.332593232186176");
  EXPECT_EQ(PythonFloatRepr(1.4346951147634845), "1.4346951147634845");
  EXPECT_EQ(PythonFloatRepr(1.0), "1.0");
  EXPECT_EQ(PythonFloatRepr(100.0), "100.0");
  EXPECT_EQ(PythonFloatRepr(0.5), "0.5");
  EXPECT_EQ(PythonFloatRepr(-3.25), "-3.25");
  EXPECT_EQ(PythonFloatRepr(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(PythonFloatRepr(1e-05), "1e-05");
  EXPECT_EQ(PythonFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PythonFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(PythonFloatRepr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(PythonFloatRepr(2.5e-300), "2.5e-300");
  EXPECT_EQ(PythonFloatRepr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(PythonFloatRepr(5e-324), "5e-324");
  EXPECT_EQ(PythonFloatRepr(0.0), "0.0");
}

TEST(PythonJsonTest, DumpsLikePython) {
  // json.dumps(['a"b\\c\n\x01\x7fé€😀'])
  std::string out;
  AppendPythonJsonString("a\"b\\c\n\x01\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", &out);
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001\u007f\u00e9\u20ac\ud83d\ude00")");
  // json.dumps({'k': [1, -2, None, True, 1.5, {'x': []}]})
  auto value = ParseJson(R"({"k": [1, -2, null, true, 1.5, {"x": []}]})", "test");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(PythonJsonDumps(*value), R"({"k": [1, -2, null, true, 1.5, {"x": []}]})");
}

TEST(PythonJsonTest, KeepsKeyOrder) {
  auto value = ParseJson(R"({"test": [1], "train": [2], "a": 3})", "test");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(PythonJsonDumps(*value), R"({"test": [1], "train": [2], "a": 3})");
}

TEST(PythonJsonTest, ErrorsNameTheSourceAndPlace) {
  auto bad = ParseJson("{\"a\": [1, 2,,]}", "tasks.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("tasks.json: not valid JSON"));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("line 1, column 13"));

  auto duplicate = ParseJson(R"({"a": {"x": 1, "x": 2}})", "tasks.json");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(std::string(duplicate.status().message()), HasSubstr("\"x\" appears twice"));

  EXPECT_EQ(ReadJsonFile("/nonexistent/file.json").status().code(), absl::StatusCode::kNotFound);
}

TEST(PythonJsonTest, RefusesNestingDeeperThanTheLimit) {
  auto lists = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(ParseJson(lists(kMaxJsonDepth), "ok.json").ok());
  auto deep = ParseJson(lists(kMaxJsonDepth + 1), "deep.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(std::string(deep.status().message()),
              HasSubstr("deep.json: lists and objects nested deeper than 512 levels"));
  // Objects count too, and a million levels is refused without exhausting the stack.
  EXPECT_FALSE(ParseJson(R"({"a":)" + lists(kMaxJsonDepth) + "}", "mixed.json").ok());
  EXPECT_FALSE(ParseJson(lists(1000000), "huge.json").ok());
}

}  // namespace
}  // namespace trm
