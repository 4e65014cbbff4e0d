// Building an experiment's dataset with its builder plugin (data.builder), shared by
// //tools:build_dataset and //tools:train (which builds a missing dataset before training).
#ifndef TOOLS_DATASET_BUILDING_H_
#define TOOLS_DATASET_BUILDING_H_

#include <string>

#include "absl/status/statusor.h"
#include "trm/config/experiment.pb.h"
#include "trm/data/dataset_builder.h"

namespace trm {

// Builds `data`'s dataset into options.output_dir. The raw files come from `task_dir_flag`
// (--task_dir, relative to the user's folder) or data.task_dir; with neither, options.task_dir
// stays empty and the builder applies its own default (or needs none).
absl::StatusOr<DatasetBuildSummary> BuildExperimentDataset(const config::DataConfig& data,
                                                           const std::string& task_dir_flag,
                                                           DatasetBuildOptions options);

// One line per split ("train  123 rows  45 puzzles  6 groups"), the identifier count, then the
// builder's notices.
std::string DescribeBuild(const DatasetBuildSummary& summary);

}  // namespace trm

#endif  // TOOLS_DATASET_BUILDING_H_
