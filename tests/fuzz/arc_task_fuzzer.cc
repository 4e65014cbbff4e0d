// ARC task files (ParseArcTasks, ParseArcTask) and solutions files (AttachArcSolutions).
#include <string>
#include <vector>

#include "plugins/arc/common/arc_json.h"
#include "plugins/arc/common/arc_task.h"
#include "tests/fuzz/fuzz_target.h"

namespace trm {
namespace {

void CheckGrid(const Grid& grid) {
  TRM_FUZZ_CHECK(grid.rows >= 1 && grid.rows <= kMaxGridSide && grid.cols >= 1 &&
                     grid.cols <= kMaxGridSide &&
                     grid.cells.size() == static_cast<size_t>(grid.rows) * grid.cols,
                 "parsed grid has an invalid shape");
  // Written back, the grid parses to itself.
  absl::StatusOr<OrderedJson> json = ParseJsonText(GridToJson(grid), "grid");
  TRM_FUZZ_CHECK(json.ok(), std::string(json.status().message()));
  absl::StatusOr<Grid> back = GridFromJson(*json, "grid");
  TRM_FUZZ_CHECK(back.ok() && *back == grid, "grid does not round-trip through JSON");
}

void CheckTask(const ArcTask& task) {
  TRM_FUZZ_CHECK(!task.id.empty() && !task.test.empty(), "task without id or test pairs");
  for (const auto* pairs : {&task.train, &task.test}) {
    for (const ArcPair& pair : *pairs) {
      CheckGrid(pair.input);
      if (pair.output.has_value()) CheckGrid(*pair.output);
    }
  }
}

}  // namespace
}  // namespace trm

TRM_FUZZ_TARGET(arc_task) {
  using namespace trm;
  const std::string text(input);
  absl::StatusOr<std::vector<ArcTask>> tasks = ParseArcTasks(text, "fuzz.json");
  if (tasks.ok()) {
    for (const ArcTask& task : *tasks) CheckTask(task);
  } else {
    TRM_FUZZ_CHECK(!tasks.status().message().empty(), "error without a message");
  }
  absl::StatusOr<ArcTask> task = ParseArcTask(text, "t", "fuzz.json");
  if (task.ok()) CheckTask(*task);

  // The same text as a solutions file for two tasks with one and two test inputs.
  std::vector<ArcTask> challenges(2);
  challenges[0].id = "a";
  challenges[0].test.resize(1);
  challenges[1].id = "b";
  challenges[1].test.resize(2);
  for (ArcTask& challenge : challenges) {
    for (ArcPair& pair : challenge.test) pair.input = Grid(1, 1);
  }
  absl::Status attached = AttachArcSolutions(text, "solutions.json", challenges);
  if (attached.ok()) {
    for (const ArcTask& challenge : challenges) {
      for (const ArcPair& pair : challenge.test) {
        TRM_FUZZ_CHECK(pair.output.has_value(), "attached solutions left an output empty");
        CheckGrid(*pair.output);
      }
    }
  }
}
