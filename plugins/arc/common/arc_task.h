// ARC task files in the Kaggle "combined" JSON layout (spec §7.2): an object mapping each task id
// to {"train": [pair, ...], "test": [pair, ...]}, a pair being {"input": grid, "output": grid}
// (test pairs of a challenges file have no "output"). The dataset builder's test_puzzles.json
// uses the same layout with the solutions filled in. Also the grid <-> JSON text helpers shared
// by the evaluator's submission.json and report.
#ifndef PLUGINS_ARC_COMMON_ARC_TASK_H_
#define PLUGINS_ARC_COMMON_ARC_TASK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/arc/common/grid.h"

namespace trm {

struct ArcPair {
  Grid input;
  std::optional<Grid> output;        // absent in the test pairs of a challenges file
  bool output_listed_first = false;  // key order in the file (the builder writes it back)
};

struct ArcTask {
  std::string id;
  std::vector<ArcPair> train;
  std::vector<ArcPair> test;
  // "test" before "train" in the file, as in the ARC-AGI-1 files: the reference then lists the
  // test pairs first wherever it walks the task's keys.
  bool test_listed_first = false;
};

// Parses a tasks file's text, keeping the file's task order. Strict: every grid is a non-empty
// rectangular list of integer rows with values 0..9 and at most kMaxGridSide rows and columns,
// every task has at least one test pair, task ids are unique. Errors are one line naming
// `source`, the task and the field, e.g. "f.json: task 'abc' test[1].input: row 2 has 3 cells, row
// 0 has 4".
absl::StatusOr<std::vector<ArcTask>> ParseArcTasks(const std::string& json_text,
                                                   const std::string& source);
absl::StatusOr<std::vector<ArcTask>> ReadArcTasksFile(const std::string& path);

// One task object (the one-file-per-task layout of the ARC repositories), named `id`.
absl::StatusOr<ArcTask> ParseArcTask(const std::string& json_text, const std::string& id,
                                     const std::string& source);

// Fills the test outputs from a Kaggle solutions file (task id -> list of output grids, one per
// test input). Every task must be present with the right number of grids, and every task of the
// solutions file must be one of `tasks`.
absl::Status AttachArcSolutions(const std::string& solutions_json, const std::string& source,
                                std::vector<ArcTask>& tasks);

// A grid as a JSON list of rows, e.g. "[[0,1],[2,3]]".
std::string GridToJson(const Grid& grid);

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_ARC_TASK_H_
