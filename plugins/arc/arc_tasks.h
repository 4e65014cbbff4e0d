// The ARC subsets a build reads (spec §7.2), on top of the core task reader (plugins/arc/common/arc_task.h),
// in either public layout:
//
//  * Kaggle "combined": <dir>/<prefix>_<subset>_challenges.json maps task id -> {"train": [pairs],
//    "test": [pairs without outputs]}, and <prefix>_<subset>_solutions.json maps task id -> the
//    list of test outputs.
//  * One file per task, as in the ARC-AGI repositories: <dir>/<subset>/<id>.json or
//    <dir>/data/<subset>/<id>.json, test pairs carrying their outputs.
//
// On top of the core reader's validation: every task has demonstration pairs and every test pair
// an output, task ids are unique across subsets, and the task filter and canvas size are applied.
// Every problem is one line naming the file, the task and the field.
#ifndef PLUGINS_ARC_ARC_TASKS_H_
#define PLUGINS_ARC_ARC_TASKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/arc/arc.pb.h"
#include "plugins/arc/common/arc_task.h"

namespace trm::arc {

struct LoadedTask {
  ArcTask task;        // every test pair has its output
  std::string source;  // the file it was read from
};

struct ReadOptions {
  std::string task_dir;
  std::string input_file_prefix = "arc-agi";
  // Kaggle layout without a _solutions.json file: give test pairs the reference's dummy output
  // [[0]] (hidden test sets) instead of failing.
  bool allow_missing_solutions = false;
};

// The tasks of one subset in file order (Kaggle layout) or sorted by id (one file per task).
absl::StatusOr<std::vector<LoadedTask>> ReadArcSubset(const ReadOptions& options,
                                                      const std::string& subset);

// Reads every subset in order and applies `filter`; fails on a task id found in two subsets, on a
// filter naming an unknown task, and on grids larger than canvas x canvas.
absl::StatusOr<std::vector<std::vector<LoadedTask>>> ReadArcSubsets(
    const ReadOptions& options, const std::vector<std::string>& subsets,
    const TaskFilter& filter, int canvas);

// The task as Python's json.dumps writes the reference's in-memory puzzle (test outputs filled
// in, the file's key order kept), for test_puzzles.json.
void AppendTaskJson(const ArcTask& task, std::string* out);

}  // namespace trm::arc

#endif  // PLUGINS_ARC_ARC_TASKS_H_
