#include "plugins/sudoku/sudoku_csv.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace trm::sudoku {
namespace {

constexpr const char* kColumns[] = {"source", "question", "answer", "rating"};

// `text` -> board; `blank` is the character of an empty cell ('\0': none allowed).
std::string ParseBoard(absl::string_view text, char blank, Board* board) {
  if (text.size() != kCells) {
    return absl::StrCat("has ", text.size(), " characters, expected ", kCells);
  }
  for (int cell = 0; cell < kCells; ++cell) {
    const char ch = text[cell];
    if (blank != '\0' && ch == blank) {
      (*board)[cell] = 0;
    } else if (ch >= '1' && ch <= '9') {
      (*board)[cell] = static_cast<uint8_t>(ch - '0');
    } else {
      return absl::StrCat("has '", std::string(1, ch), "' at position ", cell + 1,
                          blank != '\0' ? " (allowed: 1-9 and '.')" : " (allowed: 1-9)");
    }
  }
  return "";
}

void AppendBoard(const Board& board, std::string* out) {
  for (uint8_t value : board) out->push_back(value == 0 ? '.' : static_cast<char>('0' + value));
}

}  // namespace

absl::StatusOr<std::vector<SudokuRow>> ReadSudokuCsv(const std::string& path) {
  // Line by line: the full train.csv is hundreds of megabytes.
  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open (", std::strerror(errno), ")"));
  }
  std::string line;
  if (!std::getline(file, line))
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty file"));

  std::array<int, 4> column{-1, -1, -1, -1};
  const std::vector<std::string> header = absl::StrSplit(absl::StripSuffix(line, "\r"), ',');
  for (int k = 0; k < 4; ++k) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == kColumns[k]) column[k] = static_cast<int>(i);
    }
    if (column[k] < 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":1: no column '", kColumns[k],
                                                     "' in the header (expected ",
                                                     "source,question,answer,rating)"));
    }
  }

  std::vector<SudokuRow> rows;
  for (int64_t n = 2; std::getline(file, line); ++n) {
    auto error = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": ", what));
    };
    const std::vector<absl::string_view> fields =
        absl::StrSplit(absl::StripSuffix(line, "\r"), ',');
    if (fields.size() != header.size()) {
      return error(absl::StrCat(fields.size(), " fields, the header has ", header.size()));
    }
    SudokuRow row;
    row.source = std::string(fields[column[0]]);
    if (std::string e = ParseBoard(fields[column[1]], '.', &row.question); !e.empty()) {
      return error("question " + e);
    }
    if (std::string e = ParseBoard(fields[column[2]], '\0', &row.answer); !e.empty()) {
      return error("answer " + e);
    }
    if (std::string e = SolutionError(row.answer); !e.empty()) {
      return error("answer is not a valid Sudoku grid: " + e);
    }
    if (std::string e = GivensError(row.question, row.answer); !e.empty()) {
      return error("question and answer disagree: " + e);
    }
    if (!absl::SimpleAtoi(fields[column[3]], &row.rating)) {
      return error(absl::StrCat("rating '", fields[column[3]], "' is not an integer"));
    }
    rows.push_back(std::move(row));
  }
  if (file.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error (", std::strerror(errno), ")"));
  }
  return rows;
}

std::string SudokuCsvText(const std::vector<SudokuRow>& rows) {
  std::string out = "source,question,answer,rating\n";
  for (const SudokuRow& row : rows) {
    absl::StrAppend(&out, row.source, ",");
    AppendBoard(row.question, &out);
    out.push_back(',');
    AppendBoard(row.answer, &out);
    absl::StrAppend(&out, ",", row.rating, "\n");
  }
  return out;
}

}  // namespace trm::sudoku
