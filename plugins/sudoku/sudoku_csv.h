// The CSV layout of the Sudoku-Extreme files (Hugging Face sapientinc/sudoku-extreme, train.csv and
// test.csv): a header row naming the columns source, question, answer, rating (any order, more
// columns allowed), then one puzzle per line. Questions and answers are 81 characters, row-major;
// '.' is a blank in the question, answers are complete grids of digits 1-9; ratings are integers.
#ifndef PLUGINS_SUDOKU_SUDOKU_CSV_H_
#define PLUGINS_SUDOKU_SUDOKU_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/sudoku/sudoku_board.h"

namespace trm::sudoku {

struct SudokuRow {
  std::string source;
  Board question{};
  Board answer{};
  int64_t rating = 0;
};

// Reads and checks every row (lengths, characters, the answer a valid grid, the question's givens
// agreeing with it); an error is one line naming the file and line.
absl::StatusOr<std::vector<SudokuRow>> ReadSudokuCsv(const std::string& path);

// The file's text: header "source,question,answer,rating", then the rows.
std::string SudokuCsvText(const std::vector<SudokuRow>& rows);

}  // namespace trm::sudoku

#endif  // PLUGINS_SUDOKU_SUDOKU_CSV_H_
