// Reading ARC tasks (spec §7.2) from the two public layouts, with strict validation:
//
//  * Kaggle "combined": <dir>/<prefix>_<subset>_challenges.json maps task id -> {"train": [pairs],
//    "test": [pairs without outputs]}, and <prefix>_<subset>_solutions.json maps task id -> the
//    list of test outputs.
//  * One file per task, as in the ARC-AGI repositories: <dir>/<subset>/<id>.json or
//    <dir>/data/<subset>/<id>.json, test pairs carrying their outputs.
//
// Every problem is a one-line error naming the file, the task and the field, e.g.
// "arc-agi_training2_challenges.json: task '007bbfb7': train[2].output: row 3 has 5 cells but row 0
// has 6 (not rectangular)".
#ifndef PLUGINS_ARC_ARC_TASKS_H_
#define PLUGINS_ARC_ARC_TASKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "trm/config/experiment.pb.h"
#include "trm/data/grid.h"

namespace trm::arc {

struct ArcPair {
  Grid input;
  Grid output;
  bool output_listed_first = false;  // key order in the file, kept for test_puzzles.json
};

struct ArcTask {
  std::string id;
  std::string subset;
  std::string source;          // file the task was read from
  std::vector<ArcPair> train;  // demonstration pairs
  std::vector<ArcPair> test;   // test pairs with their outputs
  bool test_listed_first = false;  // "test" before "train" in the file (the ARC-AGI-1 files)
};

struct ReadOptions {
  std::string task_dir;
  std::string input_file_prefix = "arc-agi";
  // Kaggle layout without a _solutions.json file: give test pairs the reference's dummy output
  // [[0]] (hidden test sets) instead of failing.
  bool allow_missing_solutions = false;
};

// The tasks of one subset in file order (Kaggle layout) or sorted by id (one file per task).
absl::StatusOr<std::vector<ArcTask>> ReadArcSubset(const ReadOptions& options,
                                                   const std::string& subset);

// Reads every subset in order and applies `filter`; fails on a task id found in two subsets, on a
// filter naming an unknown task, and on grids larger than canvas x canvas.
absl::StatusOr<std::vector<std::vector<ArcTask>>> ReadArcSubsets(
    const ReadOptions& options, const std::vector<std::string>& subsets,
    const config::TaskFilter& filter, int canvas);

// Parses one grid: a non-empty rectangular list of lists of integers 0..9, at most 30 x 30.
// `where` prefixes errors ("file: task 'x': train[0].input").
absl::StatusOr<Grid> ParseArcGrid(const nlohmann::ordered_json& json, const std::string& where);

// The task as Python's json.dumps writes the reference's in-memory puzzle (test outputs filled in).
void AppendTaskJson(const ArcTask& task, std::string* out);

}  // namespace trm::arc

#endif  // PLUGINS_ARC_ARC_TASKS_H_
