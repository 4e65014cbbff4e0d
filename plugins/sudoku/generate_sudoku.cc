// Writes generated Sudoku puzzles (unique solution, exact number of givens) as train.csv and
// test.csv in the Sudoku-Extreme layout, ready for the "sudoku" builder's data.task_dir:
//
//   bazel run //plugins/sudoku:generate_sudoku -- --out=DIR --train=1000 --test=200 --givens=30
//       --seed=0
//
// Existing files are never overwritten. The test puzzles are drawn after the train puzzles from
// the same stream, as the builder's `generate` option does: the same flags give the same files.
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "plugins/sudoku/sudoku_csv.h"
#include "plugins/sudoku/sudoku_generator.h"
#include "trm/base/file_util.h"
#include "trm/data/numpy_random.h"

ABSL_FLAG(std::string, out, "", "Folder to write train.csv and test.csv into (created if needed).");
ABSL_FLAG(int, train, 1000, "Train puzzles.");
ABSL_FLAG(int, test, 200, "Test puzzles.");
ABSL_FLAG(int, givens, 30, "Filled cells per puzzle (17..81; below ~22 generation stalls).");
ABSL_FLAG(uint32_t, seed, 0, "Seed of the generator (NumPy's legacy MT19937 stream).");

namespace {

absl::Status Run() {
  namespace fs = std::filesystem;
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("--out is required");
  for (auto [flag, value] : {std::pair{"--train", absl::GetFlag(FLAGS_train)},
                             std::pair{"--test", absl::GetFlag(FLAGS_test)}}) {
    if (value < 1)
      return absl::InvalidArgumentError(absl::StrCat(flag, "=", value, ": must be >= 1"));
  }
  for (const char* name : {"train.csv", "test.csv"}) {
    if (fs::exists(fs::path(out) / name)) {
      return absl::AlreadyExistsError(
          absl::StrCat((fs::path(out) / name).string(), " already exists; not overwriting it"));
    }
  }
  trm::NumpyRandomState rng(absl::GetFlag(FLAGS_seed));
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return absl::InternalError(absl::StrCat(out, ": cannot create (", ec.message(), ")"));
  for (auto [name, count] : {std::pair{"train.csv", absl::GetFlag(FLAGS_train)},
                             std::pair{"test.csv", absl::GetFlag(FLAGS_test)}}) {
    absl::StatusOr<std::vector<trm::sudoku::GeneratedPuzzle>> puzzles =
        trm::sudoku::GeneratePuzzles(count, absl::GetFlag(FLAGS_givens), rng);
    if (!puzzles.ok()) return puzzles.status();
    std::vector<trm::sudoku::SudokuRow> rows;
    for (const auto& p : *puzzles) rows.push_back({"generated", p.question, p.answer, p.rating});
    const std::string path = (fs::path(out) / name).string();
    if (absl::Status s = trm::WriteFileAtomically(path, trm::sudoku::SudokuCsvText(rows)); !s.ok())
      return s;
    std::cout << "wrote " << path << " (" << rows.size() << " puzzles)\n";
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "generate_sudoku --out=DIR [--train=N] [--test=M] [--givens=K] [--seed=S]");
  absl::ParseCommandLine(argc, argv);
  if (absl::Status status = Run(); !status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
