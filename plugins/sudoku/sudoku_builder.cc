#include "plugins/sudoku/sudoku_builder.h"

#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "plugins/sudoku/sudoku.pb.h"
#include "plugins/sudoku/sudoku_board.h"
#include "plugins/sudoku/sudoku_csv.h"
#include "plugins/sudoku/sudoku_generator.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "trm/data/numpy_random.h"
#include "trm/data/split_writer.h"
#include "trm/data/python_json.h"
#include "trm/data/staging_directory.h"
#include "trm/plugin/plugin_api.h"

namespace trm::sudoku {
namespace {

namespace fs = std::filesystem;

constexpr char kOptions[] = "data.[trm.sudoku.sudoku]";
constexpr int64_t kVocabSize = 11;  // PAD + blank + digits 1-9
// Groups between progress reports and cancellation checks.
constexpr int64_t kProgressGroups = 256;

bool IsCancelled(const DatasetBuildOptions& options) {
  return options.cancelled != nullptr && options.cancelled->load();
}

absl::Status CheckConfig(const config::DataConfig& c) {
  auto invalid = [](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(field, " ", why));
  };
  if (c.augmentations_size() > 0) {
    return invalid("data.augmentations",
                   "must be empty for the sudoku builder (its shuffles are "
                   "its own: data.num_aug sets how many)");
  }
  if (c.num_aug() < 0) return invalid("data.num_aug", absl::StrCat("is ", c.num_aug(), ", < 0"));
  const SudokuDataOptions& o = c.GetExtension(sudoku);
  if (o.has_subsample_size() && o.subsample_size() < 1) {
    return invalid(absl::StrCat(kOptions, ".subsample_size"),
                   absl::StrCat("is ", o.subsample_size(), ", must be >= 1"));
  }
  if (o.has_generate()) {
    if (c.has_task_dir()) {
      return invalid(absl::StrCat(kOptions, ".generate"),
                     absl::StrCat("and data.task_dir ('", c.task_dir(),
                                  "') are both set: the puzzles come from one of them"));
    }
    const SudokuGenerateOptions& g = o.generate();
    for (auto [field, value] : {std::pair{"train_puzzles", g.train_puzzles()},
                                std::pair{"test_puzzles", g.test_puzzles()}}) {
      if (value < 1) {
        return invalid(absl::StrCat(kOptions, ".generate.", field),
                       absl::StrCat("is ", value, ", must be >= 1"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SudokuRow>> Generate(int count, int givens, NumpyRandomState& rng) {
  absl::StatusOr<std::vector<GeneratedPuzzle>> puzzles = GeneratePuzzles(count, givens, rng);
  if (!puzzles.ok()) {
    return absl::Status(puzzles.status().code(),
                        absl::StrCat(kOptions, ".generate: ", puzzles.status().message()));
  }
  std::vector<SudokuRow> rows;
  for (const GeneratedPuzzle& p : *puzzles)
    rows.push_back({"generated", p.question, p.answer, p.rating});
  return rows;
}

// One split: each puzzle becomes a group of 1 + num_aug one-example puzzles.
absl::StatusOr<SplitSummary> WriteSplit(const std::string& name, const std::vector<SudokuRow>& rows,
                                        int num_aug, NumpyRandomState& rng, const std::string& dir,
                                        const DatasetBuildOptions& options) {
  const int64_t groups = static_cast<int64_t>(rows.size());
  const int64_t puzzles = groups * (1 + int64_t{num_aug});
  TRM_ASSIGN_OR_RETURN(SingleExampleSplitWriter writer,
                       SingleExampleSplitWriter::Create(dir, name, puzzles, groups, kCells));
  // Stored value = digit + 1 (spec §11.1): 1 is a blank, 2..10 the digits.
  auto add_puzzle = [&writer](const Board& question, const Board& answer) {
    std::array<uint8_t, kCells> input, label;
    for (int cell = 0; cell < kCells; ++cell) {
      input[cell] = static_cast<uint8_t>(question[cell] + 1);
      label[cell] = static_cast<uint8_t>(answer[cell] + 1);
    }
    return writer.AddPuzzle(input.data(), label.data());
  };

  for (int64_t g = 0; g < groups; ++g) {
    if (g % kProgressGroups == 0) {
      if (IsCancelled(options)) return absl::CancelledError("dataset build interrupted");
      if (options.progress) options.progress(name, g, groups);
    }
    const SudokuRow& row = rows[g];
    for (int member = 0; member <= num_aug; ++member) {
      if (member == 0) {
        TRM_RETURN_IF_ERROR(add_puzzle(row.question, row.answer));
      } else {
        const SudokuShuffle shuffle = SudokuShuffle::Draw(rng);
        TRM_RETURN_IF_ERROR(add_puzzle(shuffle.Apply(row.question), shuffle.Apply(row.answer)));
      }
    }
    TRM_RETURN_IF_ERROR(writer.EndGroup());
  }
  if (options.progress) options.progress(name, groups, groups);
  TRM_RETURN_IF_ERROR(writer.Close(kVocabSize));
  return SplitSummary{name, puzzles, puzzles, groups};
}

}  // namespace

SudokuDatasetBuilder::SudokuDatasetBuilder(const config::DataConfig& config) : config_(config) {}

absl::StatusOr<DatasetBuildSummary> SudokuDatasetBuilder::Build(
    const DatasetBuildOptions& options) {
  TRM_RETURN_IF_ERROR(CheckConfig(config_));
  const SudokuDataOptions& o = config_.GetExtension(sudoku);
  DatasetBuildSummary summary;

  std::vector<SudokuRow> train, test;
  if (o.has_generate()) {
    const SudokuGenerateOptions& g = o.generate();
    NumpyRandomState generator_rng(g.seed());
    TRM_ASSIGN_OR_RETURN(train, Generate(g.train_puzzles(), g.givens(), generator_rng));
    TRM_ASSIGN_OR_RETURN(test, Generate(g.test_puzzles(), g.givens(), generator_rng));
  } else {
    if (options.task_dir.empty()) {
      return absl::InvalidArgumentError(
          "data.task_dir: not set; the sudoku builder reads <task_dir>/train.csv and test.csv "
          "(Sudoku-Extreme: see plugins/sudoku/README.md) or generates puzzles with "
          "data.[trm.sudoku.sudoku].generate");
    }
    TRM_ASSIGN_OR_RETURN(train, ReadSudokuCsv((fs::path(options.task_dir) / "train.csv").string()));
    TRM_ASSIGN_OR_RETURN(test, ReadSudokuCsv((fs::path(options.task_dir) / "test.csv").string()));
  }
  if (o.has_min_difficulty()) {
    for (std::vector<SudokuRow>* rows : {&train, &test}) {
      std::vector<SudokuRow> kept;
      for (SudokuRow& row : *rows) {
        if (row.rating >= o.min_difficulty()) kept.push_back(std::move(row));
      }
      *rows = std::move(kept);
    }
  }
  for (auto [name, rows] : {std::pair{"train", &train}, std::pair{"test", &test}}) {
    if (rows->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the ", name, " split would be empty",
          o.has_min_difficulty() ? absl::StrCat(" (no rating >= ", kOptions, ".min_difficulty ",
                                                o.min_difficulty(), ")")
                                 : ""));
    }
  }
  // Fail before the work if the output exists.
  TRM_ASSIGN_OR_RETURN(auto staging,
                       StagingDirectory::Create(options.output_dir, options.overwrite));
  if (o.has_generate()) {
    const fs::path source = fs::path(staging->path()) / "source";
    std::error_code ec;
    if (!fs::create_directory(source, ec)) {
      return absl::InternalError(absl::StrCat(source.string(), ": cannot create"));
    }
    TRM_RETURN_IF_ERROR(WriteFileAtomically((source / "train.csv").string(), SudokuCsvText(train)));
    TRM_RETURN_IF_ERROR(WriteFileAtomically((source / "test.csv").string(), SudokuCsvText(test)));
  }

  uint32_t seed = config_.seed();
  if (!config_.has_seed()) {
    seed = std::random_device()();
    summary.notices.push_back(absl::StrCat("data.seed is unset: drew seed ", seed,
                                           "; --set data.seed=", seed, " repeats this build"));
  }
  NumpyRandomState rng(seed);
  // np.random.choice(n, size, replace=False) of the legacy generator: permutation(n)[:size].
  if (o.has_subsample_size() && o.subsample_size() < static_cast<int64_t>(train.size())) {
    const std::vector<int64_t> order = rng.Permutation(static_cast<int64_t>(train.size()));
    std::vector<SudokuRow> picked;
    picked.reserve(o.subsample_size());
    for (int64_t k = 0; k < o.subsample_size(); ++k) picked.push_back(train[order[k]]);
    train = std::move(picked);
  }

  summary.num_puzzle_identifiers = 1;
  for (auto [name, rows, num_aug] :
       {std::tuple{"train", &train, config_.num_aug()}, std::tuple{"test", &test, 0}}) {
    TRM_ASSIGN_OR_RETURN(SplitSummary split,
                         WriteSplit(name, *rows, num_aug, rng,
                                    (fs::path(staging->path()) / name).string(), options));
    summary.splits.push_back(split);
  }
  TRM_RETURN_IF_ERROR(
      WriteFileAtomically((fs::path(staging->path()) / "identifiers.json").string(),
                          PythonJsonDumps(nlohmann::ordered_json::array({"<blank>"}))));
  TRM_RETURN_IF_ERROR(SyncDirectory(staging->path()));
  TRM_RETURN_IF_ERROR(staging->Commit());
  return summary;
}

TRM_REGISTER_CLASS(DatasetBuilderRegistry, "sudoku", SudokuDatasetBuilder,
                   "Sudoku-Extreme CSVs (or generated puzzles) -> the reference's format, with its "
                   "digit/band/stack shuffles");

}  // namespace trm::sudoku
