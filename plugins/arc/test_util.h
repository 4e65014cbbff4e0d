// Helpers shared by the ARC plugin's tests.
#ifndef PLUGINS_ARC_TEST_UTIL_H_
#define PLUGINS_ARC_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "trm/base/file_util.h"
#include "trm/data/sha256.h"

namespace trm::arc::testing {

// The full ARC task files of @arc_data in the test's runfiles ("" when the repository is empty).
inline std::string ArcDataDir() {
  namespace fs = std::filesystem;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return "";
  for (const fs::path& dir :
       {fs::path(srcdir) / "arc_data", fs::path(srcdir) / "trm/external/arc_data"}) {
    if (fs::exists(dir / "arc-agi_training2_challenges.json")) return dir.string();
  }
  return "";
}

// Why ArcDataDir() is empty: the full-data tests fail with this rather than pass vacuously.
inline constexpr char kMissingArcData[] =
    "the full ARC task files are missing: the full-data suite reads ../shared/data/arc beside the "
    "workspace or $TRM_ARC_DIR (tools/download_arc_data.sh DIR fetches them)";

// The public tasks shipped in the repository (third_party/arc_sample), in the test's runfiles.
inline std::string SampleDataDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return srcdir == nullptr ? "" : std::string(srcdir) + "/trm/third_party/arc_sample";
}

// A fresh, empty folder under $TEST_TMPDIR.
inline std::string FreshDir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

inline std::string FileSha256(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? Sha256Hex(*bytes) : "";
}

// A broken "x" subset (prefix "p") and a part of the error it must produce.
struct MalformedInput {
  std::string name;
  std::string challenges;  // p_x_challenges.json
  std::string solutions;   // p_x_solutions.json; "" = no solutions file
  std::string expected;
};

// gtest prints parameters with this.
inline void PrintTo(const MalformedInput& input, std::ostream* os) { *os << input.name; }

inline void WriteMalformedInput(const MalformedInput& input, const std::string& dir) {
  WriteFile(dir + "/p_x_challenges.json", input.challenges);
  if (!input.solutions.empty()) WriteFile(dir + "/p_x_solutions.json", input.solutions);
}

inline std::vector<MalformedInput> MalformedInputs() {
  // A valid task "t1" and its solutions, for the cases about the solutions file.
  const std::string task =
      R"({"t1": {"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3]]}]}})";
  const std::string solution = R"({"t1": [[[4]]]})";
  return {
      MalformedInput{"syntax", R"({"t1": {"train": [}})", solution, "not valid JSON"},
      MalformedInput{"not_object", R"([1, 2])", solution,
                     "expected an object mapping task ids to tasks"},
      MalformedInput{"task_not_object", R"({"t1": 5})", solution,
                     "task 't1': expected an object, got number"},
      MalformedInput{"no_train", R"({"t1": {"test": [{"input": [[3]]}]}})", solution,
                     "task 't1': missing 'train'"},
      MalformedInput{
          "extra_key",
          R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}], "name": "x"}})",
          solution, "task 't1': unknown key 'name'"},
      MalformedInput{"empty_train", R"({"t1": {"train": [], "test": [{"input": [[3]]}]}})",
                     solution, "task 't1': no demonstration pairs"},
      MalformedInput{"pair_without_input",
                     R"({"t1": {"train": [{"output": [[1]]}], "test": [{"input": [[3]]}]}})",
                     solution, "task 't1' train[0]: missing 'input'"},
      MalformedInput{"pair_without_output",
                     R"({"t1": {"train": [{"input": [[1]]}], "test": [{"input": [[3]]}]}})",
                     solution, "task 't1' train[0]: missing 'output'"},
      MalformedInput{
          "empty_grid",
          R"({"t1": {"train": [{"input": [], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "task 't1' train[0].input: a grid must be a non-empty list of rows"},
      MalformedInput{
          "empty_row",
          R"({"t1": {"train": [{"input": [[]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "task 't1' train[0].input: row 0 must be a non-empty list of colours"},
      MalformedInput{
          "ragged",
          R"({"t1": {"train": [{"input": [[1, 2, 3], [4, 5]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "task 't1' train[0].input: row 1 has 2 cells, row 0 has 3"},
      MalformedInput{
          "too_tall",
          R"({"t1": {"train": [{"input": [[1]], "output": [[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1],[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "task 't1' train[0].output: 31 rows, at most 30 allowed"},
      MalformedInput{
          "colour_10",
          R"({"t1": {"train": [{"input": [[1, 10]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "task 't1' train[0].input: cell [0][1] is 10, expected a colour 0..9"},
      MalformedInput{
          "colour_negative",
          R"({"t1": {"train": [{"input": [[-1]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "cell [0][0] is -1, expected a colour 0..9"},
      MalformedInput{
          "colour_float",
          R"({"t1": {"train": [{"input": [[1.5]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "cell [0][0] is 1.5, expected a colour 0..9"},
      MalformedInput{
          "colour_string",
          R"({"t1": {"train": [{"input": [["3"]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "cell [0][0] is \"3\", expected a colour 0..9"},
      MalformedInput{
          "colour_bool",
          R"({"t1": {"train": [{"input": [[true]], "output": [[1]]}], "test": [{"input": [[3]]}]}})",
          solution, "cell [0][0] is true, expected a colour 0..9"},
      MalformedInput{
          "duplicate_task",
          R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}]}, "t1": {}})",
          solution, "key \"t1\" appears twice"},
      MalformedInput{"missing_solutions_file", task, "", "task 't1' test[0] has no output and"},
      MalformedInput{"task_without_solution", task, R"({"t2": [[[1]]]})",
                     "no solutions for task 't1'"},
      MalformedInput{
          "too_few_solutions",
          R"({"t1": {"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[3]]}, {"input": [[4]]}]}})",
          solution, "task 't1': expected a list of 2 output grids"},
      MalformedInput{"bad_solution_grid", task, R"({"t1": [[[1, 2], [3]]]})",
                     "task 't1' output 0: row 1 has 1 cells, row 0 has 2"},
      MalformedInput{"unknown_solution", task, R"({"t1": [[[4]]], "t9": [[[4]]]})",
                     "solutions for task 't9', which is not a task"},
      MalformedInput{"solutions_not_object", task, R"([[[4]]])",
                     "expected an object mapping task ids to output lists"}};
}

}  // namespace trm::arc::testing

#endif  // PLUGINS_ARC_TEST_UTIL_H_
