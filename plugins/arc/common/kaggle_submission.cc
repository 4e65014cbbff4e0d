#include "plugins/arc/common/kaggle_submission.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "plugins/arc/common/arc_json.h"

namespace trm {
namespace {

constexpr char kAttemptPrefix[] = "attempt_";

std::string AttemptKey(int index) { return absl::StrCat(kAttemptPrefix, index + 1); }

absl::Status Invalid(const std::string& source, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", message));
}

// "a, b, c" for the first few names, "... and N more" after that.
std::string ListSome(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::vector<std::string> shown;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) shown.push_back("'" + names[i] + "'");
  std::string out = absl::StrJoin(shown, ", ");
  if (names.size() > kShown) absl::StrAppend(&out, " and ", names.size() - kShown, " more");
  return out;
}

}  // namespace

Grid FallbackGrid() { return Grid(1, 1, {0}); }

std::string SubmissionToJson(const KaggleSubmission& submission) {
  OrderedJson root = OrderedJson::object();
  for (const KaggleSubmission::Task& task : submission.tasks) {
    OrderedJson entries = OrderedJson::array();
    for (const std::vector<Grid>& attempts : task.attempts) {
      OrderedJson entry = OrderedJson::object();
      for (size_t i = 0; i < attempts.size(); ++i) {
        entry[AttemptKey(static_cast<int>(i))] = GridToJsonValue(attempts[i]);
      }
      entries.push_back(std::move(entry));
    }
    root[task.id] = std::move(entries);
  }
  return root.dump() + "\n";
}

absl::StatusOr<KaggleSubmission> ParseSubmission(const std::string& json_text,
                                                 const std::string& source) {
  TRM_ASSIGN_OR_RETURN(const OrderedJson root, ParseJsonText(json_text, source));
  if (!root.is_object()) {
    return Invalid(source,
                   absl::StrCat("expected an object mapping task ids to attempt lists, got ",
                                root.type_name()));
  }
  KaggleSubmission submission;
  int attempts_per_entry = -1;
  for (const auto& [id, entries] : root.items()) {
    if (!entries.is_array()) {
      return Invalid(source, absl::StrCat("task '", id,
                                          "': expected a list with one entry per test "
                                          "input, got ",
                                          entries.type_name()));
    }
    KaggleSubmission::Task task;
    task.id = id;
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string where = absl::StrCat("task '", id, "' entry ", i);
      const OrderedJson& entry = entries[i];
      if (!entry.is_object() || entry.empty()) {
        return Invalid(source,
                       absl::StrCat(where, ": expected an object {\"attempt_1\": grid, ...}"));
      }
      std::map<int, Grid> by_index;
      for (const auto& [key, grid_json] : entry.items()) {
        int number = 0;
        if (!absl::StartsWith(key, kAttemptPrefix) ||
            !absl::SimpleAtoi(key.substr(sizeof(kAttemptPrefix) - 1), &number) || number < 1 ||
            key != AttemptKey(number - 1)) {
          return Invalid(source, absl::StrCat(where, ": unexpected key '", key,
                                              "' (expected attempt_1, attempt_2, ...)"));
        }
        auto grid = GridFromJson(grid_json, absl::StrCat(where, " ", key));
        if (!grid.ok()) return Invalid(source, std::string(grid.status().message()));
        by_index.emplace(number - 1, *std::move(grid));
      }
      const int count = static_cast<int>(by_index.size());
      if (by_index.rbegin()->first != count - 1) {
        return Invalid(
            source, absl::StrCat(where, ": attempts must be numbered attempt_1 .. attempt_", count,
                                 " without gaps"));
      }
      if (attempts_per_entry < 0) attempts_per_entry = count;
      if (count != attempts_per_entry) {
        return Invalid(source, absl::StrCat(where, ": ", count, " attempts, earlier entries have ",
                                            attempts_per_entry));
      }
      std::vector<Grid> attempts;
      for (auto& [index, grid] : by_index) attempts.push_back(std::move(grid));
      task.attempts.push_back(std::move(attempts));
    }
    submission.tasks.push_back(std::move(task));
  }
  return submission;
}

absl::StatusOr<KaggleSubmission> ReadSubmissionFile(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(path));
  return ParseSubmission(text, path);
}

absl::Status ValidateSubmission(const KaggleSubmission& submission,
                                const std::vector<ArcTask>& challenges,
                                const std::string& challenges_source, int attempts) {
  const std::string context = absl::StrCat("submission for ", challenges_source);
  std::map<std::string, const ArcTask*> expected;
  for (const ArcTask& task : challenges) expected.emplace(task.id, &task);
  std::map<std::string, int> seen;
  std::vector<std::string> unknown, duplicated;
  for (const KaggleSubmission::Task& task : submission.tasks) {
    if (!expected.count(task.id)) unknown.push_back(task.id);
    if (++seen[task.id] == 2) duplicated.push_back(task.id);
  }
  if (!unknown.empty()) {
    return Invalid(context, absl::StrCat(unknown.size(),
                                         " task id(s) not in the challenges: ", ListSome(unknown)));
  }
  if (!duplicated.empty()) {
    return Invalid(context, absl::StrCat("task id(s) listed twice: ", ListSome(duplicated)));
  }
  std::vector<std::string> missing;
  for (const ArcTask& task : challenges) {
    if (!seen.count(task.id)) missing.push_back(task.id);
  }
  if (!missing.empty()) {
    return Invalid(context, absl::StrCat(missing.size(), " of ", challenges.size(),
                                         " task(s) missing: ", ListSome(missing)));
  }
  for (const KaggleSubmission::Task& task : submission.tasks) {
    const ArcTask& challenge = *expected.at(task.id);
    if (task.attempts.size() != challenge.test.size()) {
      return Invalid(context, absl::StrCat("task '", task.id, "' has ", task.attempts.size(),
                                           " entries, the challenge has ", challenge.test.size(),
                                           " test input(s)"));
    }
    for (size_t i = 0; i < task.attempts.size(); ++i) {
      if (static_cast<int>(task.attempts[i].size()) != attempts) {
        return Invalid(context,
                       absl::StrCat("task '", task.id, "' entry ", i, " has ",
                                    task.attempts[i].size(), " attempts, expected ", attempts));
      }
      for (size_t a = 0; a < task.attempts[i].size(); ++a) {
        const Grid& grid = task.attempts[i][a];
        if (grid.rows < 1 || grid.cols < 1 || grid.rows > kMaxGridSide ||
            grid.cols > kMaxGridSide ||
            grid.cells.size() != static_cast<size_t>(grid.rows) * grid.cols) {
          return Invalid(context, absl::StrCat("task '", task.id, "' entry ", i, " ",
                                               AttemptKey(static_cast<int>(a)), ": invalid ",
                                               GridShape(grid), " grid"));
        }
        for (uint8_t cell : grid.cells) {
          if (cell >= kNumColors) {
            return Invalid(context, absl::StrCat("task '", task.id, "' entry ", i, " ",
                                                 AttemptKey(static_cast<int>(a)), ": colour ",
                                                 static_cast<int>(cell), " outside 0..9"));
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ScoreSubmission(const KaggleSubmission& submission,
                                       const std::vector<ArcTask>& challenges,
                                       const std::string& challenges_source) {
  std::map<std::string, const KaggleSubmission::Task*> by_id;
  for (const KaggleSubmission::Task& task : submission.tasks) by_id.emplace(task.id, &task);
  double total = 0.0;
  for (const ArcTask& challenge : challenges) {
    auto it = by_id.find(challenge.id);
    if (it == by_id.end() || it->second->attempts.size() != challenge.test.size()) {
      return Invalid(challenges_source,
                     absl::StrCat("the submission does not answer task '", challenge.id, "'"));
    }
    int solved = 0;
    for (size_t i = 0; i < challenge.test.size(); ++i) {
      if (!challenge.test[i].output.has_value()) {
        return Invalid(challenges_source, absl::StrCat("task '", challenge.id, "' test input ", i,
                                                       " has no expected output to score against"));
      }
      const std::vector<Grid>& attempts = it->second->attempts[i];
      solved +=
          std::find(attempts.begin(), attempts.end(), *challenge.test[i].output) != attempts.end();
    }
    total += static_cast<double>(solved) / static_cast<double>(challenge.test.size());
  }
  return challenges.empty() ? 0.0 : total / static_cast<double>(challenges.size());
}

absl::Status WriteSubmission(const std::string& path, const KaggleSubmission& submission,
                             const std::vector<ArcTask>& challenges,
                             const std::string& challenges_source, int attempts) {
  TRM_RETURN_IF_ERROR(ValidateSubmission(submission, challenges, challenges_source, attempts));
  const std::string json = SubmissionToJson(submission);
  // Re-read what we are about to write: the file on disk must pass the same checks.
  TRM_ASSIGN_OR_RETURN(const KaggleSubmission round_trip, ParseSubmission(json, path));
  TRM_RETURN_IF_ERROR(ValidateSubmission(round_trip, challenges, challenges_source, attempts));
  return WriteFileAtomically(path, json);
}

}  // namespace trm
