#include "plugins/arc/arc_tasks.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugins/arc/arc_data_dir.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;

absl::Status Invalid(const std::string& source, const std::string& id, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": task '", id, "'", what));
}

// What the builder needs beyond the core reader's checks.
absl::Status CheckComplete(const LoadedTask& loaded) {
  if (loaded.task.train.empty()) {
    return Invalid(loaded.source, loaded.task.id, ": no demonstration pairs ('train' is empty)");
  }
  for (size_t i = 0; i < loaded.task.test.size(); ++i) {
    if (!loaded.task.test[i].output.has_value()) {
      return Invalid(loaded.source, loaded.task.id,
                     absl::StrCat(" test[", i, "]: missing 'output'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LoadedTask>> ReadKaggleSubset(const ReadOptions& options,
                                                         const std::string& subset,
                                                         const std::string& challenges) {
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(challenges));
  TRM_ASSIGN_OR_RETURN(std::vector<ArcTask> tasks, ParseArcTasks(text, challenges));
  const std::string solutions =
      (fs::path(options.task_dir) /
       absl::StrCat(options.input_file_prefix, "_", subset, "_solutions.json"))
          .string();
  std::error_code ec;
  if (fs::exists(solutions, ec)) {
    TRM_ASSIGN_OR_RETURN(const std::string solutions_text, ReadFileToString(solutions));
    TRM_RETURN_IF_ERROR(AttachArcSolutions(solutions_text, solutions, tasks));
  } else {
    for (ArcTask& task : tasks) {
      for (size_t i = 0; i < task.test.size(); ++i) {
        if (task.test[i].output.has_value()) continue;
        if (!options.allow_missing_solutions) {
          return Invalid(challenges, task.id,
                         absl::StrCat(" test[", i, "] has no output and ", solutions,
                                      " does not exist (set data.[trm.arc.arc]."
                                      "allow_missing_solutions for a hidden test set)"));
        }
        task.test[i].output = Grid(1, 1);  // the reference's dummy [[0]]
      }
    }
  }
  std::vector<LoadedTask> loaded;
  for (ArcTask& task : tasks) {
    loaded.push_back({std::move(task), challenges});
    TRM_RETURN_IF_ERROR(CheckComplete(loaded.back()));
  }
  return loaded;
}

absl::StatusOr<std::vector<LoadedTask>> ReadTaskFolder(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return absl::InternalError(absl::StrCat(dir.string(), ": cannot list: ", ec.message()));
  if (files.empty())
    return absl::NotFoundError(absl::StrCat(dir.string(), ": no .json task files"));
  std::sort(files.begin(), files.end());
  std::vector<LoadedTask> loaded;
  for (const fs::path& file : files) {
    TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(file.string()));
    TRM_ASSIGN_OR_RETURN(ArcTask task, ParseArcTask(text, file.stem().string(), file.string()));
    loaded.push_back({std::move(task), file.string()});
    TRM_RETURN_IF_ERROR(CheckComplete(loaded.back()));
  }
  return loaded;
}

bool FitsIn(const ArcTask& task, int side) {
  auto fits = [side](const Grid& g) { return g.rows <= side && g.cols <= side; };
  for (const auto* pairs : {&task.train, &task.test}) {
    for (const ArcPair& pair : *pairs) {
      if (!fits(pair.input) || !fits(*pair.output)) return false;
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
      AppendGridJson(output ? *pair.output : pair.input, out);
    }
    out->append("}");
  }
  out->push_back(']');
}

}  // namespace

absl::StatusOr<std::vector<LoadedTask>> ReadArcSubset(const ReadOptions& options,
                                                      const std::string& subset) {
  const fs::path dir(options.task_dir);
  const fs::path challenges =
      dir / absl::StrCat(options.input_file_prefix, "_", subset, "_challenges.json");
  std::error_code ec;
  if (fs::exists(challenges, ec)) return ReadKaggleSubset(options, subset, challenges.string());
  for (const fs::path& folder : {dir / subset, dir / "data" / subset}) {
    if (fs::is_directory(folder, ec)) return ReadTaskFolder(folder);
  }
  return absl::NotFoundError(absl::StrCat(
      "subset '", subset, "': found neither ", challenges.string(), " nor a folder of task files ",
      (dir / subset).string(), "/ or ", (dir / "data" / subset).string(), "/; ", kArcDataHint));
}

absl::StatusOr<std::vector<std::vector<LoadedTask>>> ReadArcSubsets(
    const ReadOptions& options, const std::vector<std::string>& subsets,
    const TaskFilter& filter, int canvas) {
  std::vector<std::vector<LoadedTask>> result;
  std::map<std::string, std::string> first_source;  // id -> file, across subsets
  const std::set<std::string> wanted(filter.task_ids().begin(), filter.task_ids().end());
  std::set<std::string> found;
  for (const std::string& subset : subsets) {
    TRM_ASSIGN_OR_RETURN(std::vector<LoadedTask> tasks, ReadArcSubset(options, subset));
    for (const LoadedTask& loaded : tasks) {
      auto [it, inserted] = first_source.emplace(loaded.task.id, loaded.source);
      if (!inserted) {
        return Invalid(loaded.source, loaded.task.id,
                       absl::StrCat(": also appears in ", it->second,
                                    " (task ids must be unique across subsets)"));
      }
    }
    std::vector<LoadedTask> kept;
    for (LoadedTask& loaded : tasks) {
      ArcTask& task = loaded.task;
      if (!wanted.empty() && wanted.count(task.id) == 0) continue;
      found.insert(task.id);
      if (filter.max_grid_side() > 0 && !FitsIn(task, filter.max_grid_side())) continue;
      if (filter.max_train_pairs() > 0 &&
          static_cast<int>(task.train.size()) > filter.max_train_pairs()) {
        task.train.resize(filter.max_train_pairs());
      }
      kept.push_back(std::move(loaded));
    }
    if (filter.max_tasks_per_subset() > 0 &&
        static_cast<int>(kept.size()) > filter.max_tasks_per_subset()) {
      // The first N ids in sorted order, kept in file order.
      std::vector<std::string> ids;
      for (const LoadedTask& loaded : kept) ids.push_back(loaded.task.id);
      std::sort(ids.begin(), ids.end());
      const std::set<std::string> first(ids.begin(), ids.begin() + filter.max_tasks_per_subset());
      kept.erase(std::remove_if(kept.begin(), kept.end(),
                                [&](const LoadedTask& t) { return first.count(t.task.id) == 0; }),
                 kept.end());
    }
    for (const LoadedTask& loaded : kept) {
      if (!FitsIn(loaded.task, canvas)) {
        return Invalid(loaded.source, loaded.task.id,
                       absl::StrCat(": has a grid larger than the ", canvas, "x", canvas,
                                    " canvas (data.[trm.arc.arc].canvas_size); drop such tasks "
                                    "with data.[trm.arc.arc].task_filter.max_grid_side"));
      }
    }
    result.push_back(std::move(kept));
  }
  for (const std::string& id : wanted) {
    if (found.count(id) == 0) {
      return absl::NotFoundError(absl::StrCat("data.[trm.arc.arc].task_filter.task_ids: task '",
                                              id, "' is in none of the subsets ",
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
