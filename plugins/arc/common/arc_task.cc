#include "plugins/arc/common/arc_task.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "plugins/arc/common/arc_json.h"
#include "trm/data/python_json.h"

namespace trm {
namespace {

absl::Status Invalid(const std::string& source, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", message));
}

std::string JsonTypeName(const OrderedJson& value) { return value.type_name(); }

absl::StatusOr<std::vector<ArcPair>> ParsePairs(const OrderedJson& list, const std::string& where,
                                                bool output_required) {
  if (!list.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a list of pairs, got ", JsonTypeName(list)));
  }
  std::vector<ArcPair> pairs;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string pair_where = absl::StrCat(where, "[", i, "]");
    const OrderedJson& pair = list[i];
    if (!pair.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(pair_where, ": expected an object, got ", JsonTypeName(pair)));
    }
    for (const auto& [key, unused] : pair.items()) {
      if (key != "input" && key != "output") {
        return absl::InvalidArgumentError(
            absl::StrCat(pair_where, ": unknown key '", key, "' (expected 'input' and 'output')"));
      }
    }
    auto input = pair.find("input");
    if (input == pair.end()) {
      return absl::InvalidArgumentError(absl::StrCat(pair_where, ": missing 'input'"));
    }
    ArcPair parsed;
    TRM_ASSIGN_OR_RETURN(parsed.input, GridFromJson(*input, pair_where + ".input"));
    auto output = pair.find("output");
    if (output != pair.end()) {
      TRM_ASSIGN_OR_RETURN(parsed.output, GridFromJson(*output, pair_where + ".output"));
      parsed.output_listed_first = pair.begin().key() == "output";
    } else if (output_required) {
      return absl::InvalidArgumentError(absl::StrCat(pair_where, ": missing 'output'"));
    }
    pairs.push_back(std::move(parsed));
  }
  return pairs;
}

}  // namespace

absl::StatusOr<Grid> GridFromJson(const OrderedJson& value, const std::string& where) {
  if (!value.is_array() || value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": a grid must be a non-empty list of rows, got ",
                     value.is_array() ? std::string("an empty list") : JsonTypeName(value)));
  }
  const size_t rows = value.size();
  if (rows > static_cast<size_t>(kMaxGridSide)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", rows, " rows, at most ", kMaxGridSide, " allowed"));
  }
  Grid grid;
  for (size_t r = 0; r < rows; ++r) {
    const OrderedJson& row = value[r];
    if (!row.is_array() || row.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": row ", r, " must be a non-empty list of colours"));
    }
    if (r == 0) {
      if (row.size() > static_cast<size_t>(kMaxGridSide)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": ", row.size(), " columns, at most ", kMaxGridSide, " allowed"));
      }
      grid = Grid(static_cast<int>(rows), static_cast<int>(row.size()));
    } else if (row.size() != static_cast<size_t>(grid.cols)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": row ", r, " has ", row.size(), " cells, row 0 has ", grid.cols));
    }
    for (size_t c = 0; c < row.size(); ++c) {
      const OrderedJson& cell = row[c];
      if (!cell.is_number_integer() || cell.get<int64_t>() < 0 ||
          cell.get<int64_t>() >= kNumColors) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": cell [", r, "][", c, "] is ",
                                                       cell.dump(), ", expected a colour 0..9"));
      }
      grid.at(static_cast<int>(r), static_cast<int>(c)) = static_cast<uint8_t>(cell.get<int>());
    }
  }
  return grid;
}

OrderedJson GridToJsonValue(const Grid& grid) {
  OrderedJson rows = OrderedJson::array();
  for (int r = 0; r < grid.rows; ++r) {
    OrderedJson row = OrderedJson::array();
    for (int c = 0; c < grid.cols; ++c) row.push_back(static_cast<int>(grid.at(r, c)));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string GridToJson(const Grid& grid) { return GridToJsonValue(grid).dump(); }

absl::StatusOr<OrderedJson> ParseJsonText(const std::string& text, const std::string& source) {
  return ParseJson(text, source);
}

absl::StatusOr<ArcTask> ParseTask(const OrderedJson& task, const std::string& id,
                                  const std::string& source) {
  const std::string where = absl::StrCat("task '", id, "'");
  if (id.empty()) return Invalid(source, "empty task id");
  if (!task.is_object()) {
    return Invalid(source, absl::StrCat(where, ": expected an object, got ", JsonTypeName(task)));
  }
  ArcTask parsed;
  parsed.id = id;
  for (const auto& [key, unused] : task.items()) {
    if (key != "train" && key != "test") {
      return Invalid(
          source, absl::StrCat(where, ": unknown key '", key, "' (expected 'train' and 'test')"));
    }
  }
  auto train = task.find("train");
  auto test = task.find("test");
  if (train == task.end()) return Invalid(source, where + ": missing 'train'");
  if (test == task.end()) return Invalid(source, where + ": missing 'test'");
  auto train_pairs = ParsePairs(*train, where + " train", /*output_required=*/true);
  if (!train_pairs.ok()) return Invalid(source, std::string(train_pairs.status().message()));
  auto test_pairs = ParsePairs(*test, where + " test", /*output_required=*/false);
  if (!test_pairs.ok()) return Invalid(source, std::string(test_pairs.status().message()));
  if (test_pairs->empty()) return Invalid(source, where + ": no test pairs");
  parsed.train = *std::move(train_pairs);
  parsed.test = *std::move(test_pairs);
  parsed.test_listed_first = task.begin().key() == "test";
  return parsed;
}

absl::StatusOr<std::vector<ArcTask>> ParseArcTasks(const std::string& json_text,
                                                   const std::string& source) {
  TRM_ASSIGN_OR_RETURN(const OrderedJson root, ParseJsonText(json_text, source));
  if (!root.is_object()) {
    return Invalid(source, absl::StrCat("expected an object mapping task ids to tasks, got ",
                                        JsonTypeName(root)));
  }
  std::vector<ArcTask> tasks;
  for (const auto& [id, task] : root.items()) {
    TRM_ASSIGN_OR_RETURN(ArcTask parsed, ParseTask(task, id, source));
    tasks.push_back(std::move(parsed));
  }
  return tasks;
}

absl::StatusOr<ArcTask> ParseArcTask(const std::string& json_text, const std::string& id,
                                     const std::string& source) {
  TRM_ASSIGN_OR_RETURN(const OrderedJson root, ParseJsonText(json_text, source));
  return ParseTask(root, id, source);
}

absl::StatusOr<std::vector<ArcTask>> ReadArcTasksFile(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(path));
  return ParseArcTasks(text, path);
}

absl::Status AttachArcSolutions(const std::string& solutions_json, const std::string& source,
                                std::vector<ArcTask>& tasks) {
  TRM_ASSIGN_OR_RETURN(const OrderedJson root, ParseJsonText(solutions_json, source));
  if (!root.is_object()) {
    return Invalid(source, absl::StrCat("expected an object mapping task ids to output lists, got ",
                                        JsonTypeName(root)));
  }
  for (ArcTask& task : tasks) {
    auto it = root.find(task.id);
    if (it == root.end())
      return Invalid(source, absl::StrCat("no solutions for task '", task.id, "'"));
    if (!it->is_array() || it->size() != task.test.size()) {
      return Invalid(source, absl::StrCat("task '", task.id, "': expected a list of ",
                                          task.test.size(), " output grids"));
    }
    for (size_t i = 0; i < task.test.size(); ++i) {
      auto grid = GridFromJson((*it)[i], absl::StrCat("task '", task.id, "' output ", i));
      if (!grid.ok()) return Invalid(source, std::string(grid.status().message()));
      task.test[i].output = *std::move(grid);
    }
  }
  if (root.size() > tasks.size()) {
    for (const auto& item : root.items()) {
      // (Not a structured binding: C++17 lambdas cannot capture those, and clang says so.)
      const std::string& id = item.key();
      if (std::none_of(tasks.begin(), tasks.end(), [&](const ArcTask& t) { return t.id == id; })) {
        return Invalid(source, absl::StrCat("solutions for task '", id, "', which is not a task"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace trm
