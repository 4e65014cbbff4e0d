#include "plugins/arc/arc_tasks.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/data/python_json.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

std::string TaskWhere(const std::string& file, const std::string& id) {
  return absl::StrCat(file, ": task '", id, "'");
}

// A JSON value for messages: short, one line.
std::string Describe(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 24) text = text.substr(0, 21) + "...";
  return text;
}

absl::StatusOr<ArcPair> ParsePair(const Json& json, const std::string& where, bool needs_output) {
  if (!json.is_object()) return Invalid(where, absl::StrCat("is ", Describe(json), ", not an object"));
  ArcPair pair;
  bool have_input = false, have_output = false;
  for (const auto& [key, value] : json.items()) {
    if (key == "input") {
      auto grid = ParseArcGrid(value, where + ".input");
      if (!grid.ok()) return grid.status();
      pair.input = *std::move(grid);
      have_input = true;
    } else if (key == "output") {
      auto grid = ParseArcGrid(value, where + ".output");
      if (!grid.ok()) return grid.status();
      pair.output = *std::move(grid);
      have_output = true;
      pair.output_listed_first = !have_input;
    } else {
      return Invalid(where, absl::StrCat("unexpected key '", key, "' (a pair has 'input' and 'output')"));
    }
  }
  if (!have_input) return Invalid(where, "has no 'input'");
  if (!have_output && needs_output) return Invalid(where, "has no 'output'");
  return pair;
}

absl::StatusOr<std::vector<ArcPair>> ParsePairs(const Json& task, const char* key,
                                                const std::string& where, bool needs_output) {
  auto it = task.find(key);
  if (it == task.end()) return Invalid(where, absl::StrCat("has no '", key, "' list"));
  if (!it->is_array()) return Invalid(absl::StrCat(where, ": ", key), "is not a list");
  if (it->empty()) return Invalid(absl::StrCat(where, ": ", key), "is empty");
  std::vector<ArcPair> pairs;
  for (size_t i = 0; i < it->size(); ++i) {
    auto pair = ParsePair((*it)[i], absl::StrCat(where, ": ", key, "[", i, "]"), needs_output);
    if (!pair.ok()) return pair.status();
    pairs.push_back(*std::move(pair));
  }
  return pairs;
}

// One task object; test pairs without outputs are allowed when `test_outputs_optional`.
absl::StatusOr<ArcTask> ParseTask(const Json& json, const std::string& id, const std::string& subset,
                                  const std::string& file, bool test_outputs_optional) {
  const std::string where = TaskWhere(file, id);
  if (id.empty()) return Invalid(file, "a task has an empty id");
  if (!json.is_object()) return Invalid(where, absl::StrCat("is ", Describe(json), ", not an object"));
  for (const auto& [key, value] : json.items()) {
    if (key != "train" && key != "test") {
      return Invalid(where, absl::StrCat("unexpected key '", key, "' (a task has 'train' and 'test')"));
    }
  }
  ArcTask task;
  task.id = id;
  task.subset = subset;
  task.source = file;
  auto train = ParsePairs(json, "train", where, /*needs_output=*/true);
  if (!train.ok()) return train.status();
  task.train = *std::move(train);
  auto test = ParsePairs(json, "test", where, !test_outputs_optional);
  if (!test.ok()) return test.status();
  task.test = *std::move(test);
  task.test_listed_first = json.begin().key() == "test";
  return task;
}

absl::StatusOr<std::vector<ArcTask>> ReadKaggleSubset(const ReadOptions& options,
                                                      const std::string& subset,
                                                      const std::string& challenges_path) {
  auto challenges = ReadJsonFile(challenges_path);
  if (!challenges.ok()) return challenges.status();
  if (!challenges->is_object()) {
    return Invalid(challenges_path, "is not a JSON object mapping task ids to tasks");
  }
  const std::string solutions_path = (fs::path(options.task_dir) /
                                      absl::StrCat(options.input_file_prefix, "_", subset, "_solutions.json"))
                                         .string();
  std::error_code ec;
  const bool have_solutions = fs::exists(solutions_path, ec);
  std::vector<ArcTask> tasks;
  for (const auto& [id, json] : challenges->items()) {
    auto task = ParseTask(json, id, subset, challenges_path, /*test_outputs_optional=*/true);
    if (!task.ok()) return task.status();
    tasks.push_back(*std::move(task));
  }
  if (have_solutions) {
    auto solutions = ReadJsonFile(solutions_path);
    if (!solutions.ok()) return solutions.status();
    if (!solutions->is_object()) {
      return Invalid(solutions_path, "is not a JSON object mapping task ids to lists of grids");
    }
    std::set<std::string> known;
    for (ArcTask& task : tasks) {
      known.insert(task.id);
      const std::string where = TaskWhere(solutions_path, task.id);
      auto it = solutions->find(task.id);
      if (it == solutions->end()) return Invalid(where, "has no solutions");
      if (!it->is_array()) return Invalid(where, "solutions are not a list of grids");
      if (it->size() != task.test.size()) {
        return Invalid(where, absl::StrCat("has ", it->size(), " solutions for ", task.test.size(),
                                           " test inputs"));
      }
      for (size_t i = 0; i < task.test.size(); ++i) {
        auto grid = ParseArcGrid((*it)[i], absl::StrCat(where, ": solution[", i, "]"));
        if (!grid.ok()) return grid.status();
        task.test[i].output = *std::move(grid);
      }
    }
    for (const auto& [id, value] : solutions->items()) {
      if (known.count(id) == 0) {
        return Invalid(TaskWhere(solutions_path, id),
                       absl::StrCat("is not in ", fs::path(challenges_path).filename().string()));
      }
    }
  } else {
    for (ArcTask& task : tasks) {
      for (size_t i = 0; i < task.test.size(); ++i) {
        if (!task.test[i].output.cells.empty()) continue;
        if (!options.allow_missing_solutions) {
          return Invalid(TaskWhere(challenges_path, task.id),
                         absl::StrCat("test[", i, "] has no output and ", solutions_path,
                                      " does not exist (set data.allow_missing_solutions for a "
                                      "hidden test set)"));
        }
        task.test[i].output = Grid(1, 1);  // the reference's dummy [[0]]
      }
    }
  }
  return tasks;
}

absl::StatusOr<std::vector<ArcTask>> ReadTaskFolder(const std::string& subset, const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return absl::InternalError(absl::StrCat(dir.string(), ": cannot list: ", ec.message()));
  if (files.empty()) return absl::NotFoundError(absl::StrCat(dir.string(), ": no .json task files"));
  std::sort(files.begin(), files.end());
  std::vector<ArcTask> tasks;
  for (const fs::path& file : files) {
    auto json = ReadJsonFile(file.string());
    if (!json.ok()) return json.status();
    auto task = ParseTask(*json, file.stem().string(), subset, file.string(),
                          /*test_outputs_optional=*/false);
    if (!task.ok()) return task.status();
    tasks.push_back(*std::move(task));
  }
  return tasks;
}

bool FitsIn(const ArcTask& task, int side) {
  auto fits = [side](const Grid& g) { return g.rows <= side && g.cols <= side; };
  for (const auto* pairs : {&task.train, &task.test}) {
    for (const ArcPair& pair : *pairs) {
      if (!fits(pair.input) || !fits(pair.output)) return false;
    }
  }
  return true;
}

void AppendGridJson(const Grid& grid, std::string* out) {
  out->push_back('[');
  for (int r = 0; r < grid.rows; ++r) {
    if (r > 0) out->append(", ");
    out->push_back('[');
    for (int c = 0; c < grid.cols; ++c) {
      if (c > 0) out->append(", ");
      out->push_back(static_cast<char>('0' + grid.at(r, c)));
    }
    out->push_back(']');
  }
  out->push_back(']');
}

void AppendPairsJson(const std::vector<ArcPair>& pairs, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out->append(", ");
    const ArcPair& pair = pairs[i];
    out->append("{");
    for (int k = 0; k < 2; ++k) {
      const bool output = (k == 0) == pair.output_listed_first;
      if (k > 0) out->append(", ");
      out->append(output ? "\"output\": " : "\"input\": ");
      AppendGridJson(output ? pair.output : pair.input, out);
    }
    out->append("}");
  }
  out->push_back(']');
}

}  // namespace

absl::StatusOr<Grid> ParseArcGrid(const Json& json, const std::string& where) {
  if (!json.is_array() || json.empty()) {
    return Invalid(where, absl::StrCat("is ", Describe(json), ", not a non-empty list of rows"));
  }
  const int rows = static_cast<int>(json.size());
  if (!json[0].is_array() || json[0].empty()) {
    return Invalid(where, absl::StrCat("row 0 is ", Describe(json[0]), ", not a non-empty list of colours"));
  }
  const int cols = static_cast<int>(json[0].size());
  if (rows > kMaxGridSide || cols > kMaxGridSide) {
    return Invalid(where, absl::StrCat("grid is ", rows, "x", cols, ", larger than ", kMaxGridSide, "x",
                                       kMaxGridSide));
  }
  Grid grid(rows, cols);
  for (int r = 0; r < rows; ++r) {
    const Json& row = json[r];
    if (!row.is_array()) return Invalid(where, absl::StrCat("row ", r, " is ", Describe(row), ", not a list"));
    if (static_cast<int>(row.size()) != cols) {
      return Invalid(where, absl::StrCat("row ", r, " has ", row.size(), " cells but row 0 has ", cols,
                                         " (not rectangular)"));
    }
    for (int c = 0; c < cols; ++c) {
      const Json& cell = row[c];
      if (!cell.is_number_integer() || cell.get<int64_t>() < 0 || cell.get<int64_t>() > 9) {
        return Invalid(where, absl::StrCat("cell (", r, ", ", c, ") is ", Describe(cell),
                                           ", not a colour 0..9"));
      }
      grid.at(r, c) = static_cast<uint8_t>(cell.get<int64_t>());
    }
  }
  return grid;
}

absl::StatusOr<std::vector<ArcTask>> ReadArcSubset(const ReadOptions& options,
                                                   const std::string& subset) {
  const fs::path dir(options.task_dir);
  const fs::path challenges =
      dir / absl::StrCat(options.input_file_prefix, "_", subset, "_challenges.json");
  std::error_code ec;
  if (fs::exists(challenges, ec)) return ReadKaggleSubset(options, subset, challenges.string());
  for (const fs::path& folder : {dir / subset, dir / "data" / subset}) {
    if (fs::is_directory(folder, ec)) return ReadTaskFolder(subset, folder);
  }
  return absl::NotFoundError(absl::StrCat(
      "subset '", subset, "': found neither ", challenges.string(), " nor a folder of task files ",
      (dir / subset).string(), "/ or ", (dir / "data" / subset).string(), "/"));
}

absl::StatusOr<std::vector<std::vector<ArcTask>>> ReadArcSubsets(
    const ReadOptions& options, const std::vector<std::string>& subsets,
    const config::TaskFilter& filter, int canvas) {
  std::vector<std::vector<ArcTask>> result;
  std::map<std::string, std::string> first_source;  // id -> file, across subsets
  const std::set<std::string> wanted(filter.task_ids().begin(), filter.task_ids().end());
  std::set<std::string> found;
  for (const std::string& subset : subsets) {
    auto tasks = ReadArcSubset(options, subset);
    if (!tasks.ok()) return tasks.status();
    for (const ArcTask& task : *tasks) {
      auto [it, inserted] = first_source.emplace(task.id, task.source);
      if (!inserted) {
        return Invalid(TaskWhere(task.source, task.id),
                       absl::StrCat("also appears in ", it->second, " (task ids must be unique across subsets)"));
      }
    }
    std::vector<ArcTask> kept;
    for (ArcTask& task : *tasks) {
      if (!wanted.empty() && wanted.count(task.id) == 0) continue;
      found.insert(task.id);
      if (filter.max_grid_side() > 0 && !FitsIn(task, filter.max_grid_side())) continue;
      if (filter.max_train_pairs() > 0 && static_cast<int>(task.train.size()) > filter.max_train_pairs()) {
        task.train.resize(filter.max_train_pairs());
      }
      kept.push_back(std::move(task));
    }
    if (filter.max_tasks_per_subset() > 0 && static_cast<int>(kept.size()) > filter.max_tasks_per_subset()) {
      // The first N ids in sorted order, kept in file order.
      std::vector<std::string> ids;
      for (const ArcTask& task : kept) ids.push_back(task.id);
      std::sort(ids.begin(), ids.end());
      const std::set<std::string> first(ids.begin(), ids.begin() + filter.max_tasks_per_subset());
      kept.erase(std::remove_if(kept.begin(), kept.end(),
                                [&](const ArcTask& t) { return first.count(t.id) == 0; }),
                 kept.end());
    }
    for (const ArcTask& task : kept) {
      if (!FitsIn(task, canvas)) {
        return Invalid(TaskWhere(task.source, task.id),
                       absl::StrCat("has a grid larger than the ", canvas, "x", canvas,
                                    " canvas (data.canvas_size); drop such tasks with "
                                    "data.task_filter.max_grid_side"));
      }
    }
    result.push_back(std::move(kept));
  }
  for (const std::string& id : wanted) {
    if (found.count(id) == 0) {
      return absl::NotFoundError(absl::StrCat("data.task_filter.task_ids: task '", id,
                                              "' is in none of the subsets ",
                                              absl::StrJoin(subsets, ", ")));
    }
  }
  return result;
}

void AppendTaskJson(const ArcTask& task, std::string* out) {
  out->push_back('{');
  for (int k = 0; k < 2; ++k) {
    const bool test = (k == 0) == task.test_listed_first;
    if (k > 0) out->append(", ");
    out->append(test ? "\"test\": " : "\"train\": ");
    AppendPairsJson(test ? task.test : task.train, out);
  }
  out->push_back('}');
}

}  // namespace trm::arc
