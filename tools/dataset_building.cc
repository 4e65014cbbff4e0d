#include "tools/dataset_building.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"

namespace trm {

absl::StatusOr<DatasetBuildSummary> BuildExperimentDataset(const config::DataConfig& data,
                                                           const std::string& task_dir_flag,
                                                           DatasetBuildOptions options) {
  if (data.builder().empty()) {
    return absl::InvalidArgumentError(
        "experiment field data.builder: empty; name the dataset builder plugin (--list_plugins "
        "shows them)");
  }
  TRM_ASSIGN_OR_RETURN(options.task_dir, ResolveConfiguredDir("--task_dir", task_dir_flag,
                                                              "data.task_dir", data.task_dir()));
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<DatasetBuilder> builder,
                       DatasetBuilderRegistry().Create(data.builder(), data));
  return builder->Build(options);
}

std::string DescribeBuild(const DatasetBuildSummary& summary) {
  std::string out;
  for (const SplitSummary& split : summary.splits) {
    absl::StrAppend(&out, absl::StrFormat("%-5s %12d rows %10d puzzles %6d groups\n", split.name,
                                          split.rows, split.puzzles, split.groups));
  }
  absl::StrAppend(&out, "puzzle identifiers: ", summary.num_puzzle_identifiers,
                  " (including blank)\n");
  for (const std::string& notice : summary.notices) absl::StrAppend(&out, "note: ", notice, "\n");
  return out;
}

}  // namespace trm
