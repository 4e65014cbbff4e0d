#include "plugins/maze/maze_builder.h"

#include <filesystem>
#include <memory>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "plugins/arc/common/grid.h"
#include "plugins/maze/maze.pb.h"
#include "plugins/maze/maze_csv.h"
#include "plugins/maze/maze_generator.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "trm/data/numpy_random.h"
#include "trm/data/split_writer.h"
#include "trm/data/staging_directory.h"
#include "trm/plugin/plugin_api.h"

namespace trm::maze {
namespace {

namespace fs = std::filesystem;

// Rows between progress reports and cancellation checks.
constexpr int64_t kProgressRows = 4096;

bool IsCancelled(const DatasetBuildOptions& options) {
  return options.cancelled != nullptr && options.cancelled->load();
}

absl::Status CheckConfig(const config::DataConfig& data) {
  const MazeDataOptions& maze = data.GetExtension(trm::maze::maze);
  if (data.augmentations_size() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.augmentations: the maze builder takes none (", data.augmentations_size(),
                     " given); its dihedral augmentation is data.[trm.maze.maze].aug"));
  }
  if (maze.has_subsample_size() && maze.subsample_size() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("data.[trm.maze.maze].subsample_size is ",
                                                   maze.subsample_size(), ", must be >= 1"));
  }
  if (maze.has_generate() && !data.task_dir().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.task_dir '", data.task_dir(),
                     "' and data.[trm.maze.maze].generate are both set; the mazes come from one"));
  }
  return absl::OkStatus();
}

// Train and test CSVs, with the same grid side.
absl::StatusOr<std::pair<MazeCsv, MazeCsv>> ReadSplits(const std::string& dir) {
  const std::string train_path = (fs::path(dir) / "train.csv").string();
  const std::string test_path = (fs::path(dir) / "test.csv").string();
  TRM_ASSIGN_OR_RETURN(MazeCsv train, ReadMazeCsv(train_path));
  TRM_ASSIGN_OR_RETURN(MazeCsv test, ReadMazeCsv(test_path));
  for (const auto& [path, csv] : {std::pair{&train_path, &train}, std::pair{&test_path, &test}}) {
    if (csv->records.empty()) return absl::InvalidArgumentError(absl::StrCat(*path, ": no mazes"));
  }
  if (train.side != test.side) {
    return absl::InvalidArgumentError(absl::StrCat(test_path, ": ", test.side, "x", test.side,
                                                   " mazes, ", train_path, " has ", train.side, "x",
                                                   train.side));
  }
  return std::pair{std::move(train), std::move(test)};
}

Grid Tokens(const std::string& maze, int side) {
  Grid grid(side, side);
  for (size_t k = 0; k < maze.size(); ++k)
    grid.cells[k] = static_cast<uint8_t>(MazeCharToken(maze[k]));
  return grid;
}

// One split: every maze a group of `members` single-example puzzles, member k its dihedral
// transform k.
absl::StatusOr<SplitSummary> WriteSplit(const std::string& name,
                                        const std::vector<const MazeRecord*>& mazes, int side,
                                        int members, const std::string& dir,
                                        const DatasetBuildOptions& options) {
  const int64_t groups = static_cast<int64_t>(mazes.size());
  const int64_t puzzles = groups * members;
  const int64_t seq_len = int64_t{side} * side;
  TRM_ASSIGN_OR_RETURN(SingleExampleSplitWriter writer,
                       SingleExampleSplitWriter::Create(dir, name, puzzles, groups, seq_len));
  for (const MazeRecord* maze : mazes) {
    const Grid question = Tokens(maze->question, side);
    const Grid answer = Tokens(maze->answer, side);
    for (int k = 0; k < members; ++k) {
      const Grid input = Dihedral(question, k), label = Dihedral(answer, k);
      TRM_RETURN_IF_ERROR(writer.AddPuzzle(input.cells.data(), label.cells.data()));
      if (writer.puzzles_written() % kProgressRows == 0) {
        if (IsCancelled(options)) return absl::CancelledError("dataset build interrupted");
        if (options.progress) options.progress(name, writer.puzzles_written(), puzzles);
      }
    }
    TRM_RETURN_IF_ERROR(writer.EndGroup());
  }
  TRM_RETURN_IF_ERROR(writer.Close(kMazeVocabSize));
  if (options.progress) options.progress(name, puzzles, puzzles);
  return SplitSummary{name, puzzles, puzzles, groups};
}

}  // namespace

MazeDatasetBuilder::MazeDatasetBuilder(const config::DataConfig& config) : config_(config) {}

absl::StatusOr<DatasetBuildSummary> MazeDatasetBuilder::Build(const DatasetBuildOptions& options) {
  TRM_RETURN_IF_ERROR(CheckConfig(config_));
  const MazeDataOptions& maze = config_.GetExtension(trm::maze::maze);
  std::unique_ptr<StagingDirectory> staging;
  std::pair<MazeCsv, MazeCsv> splits;
  if (maze.has_generate()) {
    TRM_ASSIGN_OR_RETURN(staging, StagingDirectory::Create(options.output_dir, options.overwrite));
    const std::string source = (fs::path(staging->path()) / "source").string();
    if (absl::Status status = WriteGeneratedMazes(maze.generate(), source); !status.ok()) {
      // The generator names its options "generate.<field>"; here they live in the extension.
      if (!absl::StartsWith(status.message(), "generate")) return status;
      return absl::Status(status.code(), absl::StrCat("data.[trm.maze.maze].", status.message()));
    }
    TRM_ASSIGN_OR_RETURN(splits, ReadSplits(source));
  } else {
    if (options.task_dir.empty()) {
      return absl::InvalidArgumentError(
          "data.task_dir: not set; the maze builder reads <task_dir>/train.csv and test.csv "
          "(Maze-Hard: see plugins/maze/README.md) or generates mazes with "
          "data.[trm.maze.maze].generate");
    }
    TRM_ASSIGN_OR_RETURN(splits, ReadSplits(options.task_dir));
    // Fail before the work if the output exists.
    TRM_ASSIGN_OR_RETURN(staging, StagingDirectory::Create(options.output_dir, options.overwrite));
  }
  const auto& [train_csv, test_csv] = splits;

  DatasetBuildSummary summary;
  summary.num_puzzle_identifiers = 1;
  std::vector<const MazeRecord*> train, test;
  for (const MazeRecord& record : train_csv.records) train.push_back(&record);
  for (const MazeRecord& record : test_csv.records) test.push_back(&record);
  const int64_t available = static_cast<int64_t>(train.size());
  if (maze.has_subsample_size() && maze.subsample_size() < available) {
    uint32_t seed = config_.seed();
    if (!config_.has_seed()) {
      seed = std::random_device{}();
      summary.notices.push_back(
          absl::StrCat("data.seed is unset: the train subsample was drawn with seed ", seed,
                       " (set data.seed to rebuild the same dataset)"));
    }
    // NumPy's choice(n, size, replace=False) is permutation(n)[:size].
    const std::vector<int64_t> order = NumpyRandomState(seed).Permutation(available);
    std::vector<const MazeRecord*> kept;
    for (int64_t k = 0; k < maze.subsample_size(); ++k) kept.push_back(train[order[k]]);
    train = std::move(kept);
  }

  const int side = train_csv.side;
  for (const auto& [name, mazes, members] :
       {std::tuple{"train", &train, maze.aug() ? kNumDihedral : 1}, std::tuple{"test", &test, 1}}) {
    TRM_ASSIGN_OR_RETURN(SplitSummary split,
                         WriteSplit(name, *mazes, side, members,
                                    (fs::path(staging->path()) / name).string(), options));
    summary.splits.push_back(split);
  }
  TRM_RETURN_IF_ERROR(WriteFileAtomically((fs::path(staging->path()) / "identifiers.json").string(),
                                          "[\"<blank>\"]"));
  TRM_RETURN_IF_ERROR(SyncDirectory(staging->path()));
  TRM_RETURN_IF_ERROR(staging->Commit());
  return summary;
}

TRM_REGISTER_CLASS(DatasetBuilderRegistry, "maze", MazeDatasetBuilder,
                   "Maze-Hard CSVs (source,question,answer,rating), or generated mazes with "
                   "[trm.maze.maze].generate -> the reference's format");

}  // namespace trm::maze
