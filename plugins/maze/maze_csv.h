// Maze CSV files in the layout of the Hugging Face Maze-Hard set (spec §11): a header row naming
// the columns `source,question,answer,rating`, then one maze per row, each grid a string of
// side * side characters from "# SGo" in row-major order.
#ifndef PLUGINS_MAZE_MAZE_CSV_H_
#define PLUGINS_MAZE_MAZE_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace trm::maze {

// Wall, free, start, goal, path: token = position + 1 (0 is PAD).
inline constexpr char kMazeCharset[] = "# SGo";
inline constexpr int kMazeVocabSize = 6;

// The token of a maze character, or -1 if it is not one.
int MazeCharToken(char c);

struct MazeRecord {
  std::string source;
  std::string question;
  std::string answer;
  std::string rating;
};

struct MazeCsv {
  int side = 0;  // every question and answer has side * side characters
  std::vector<MazeRecord> records;
};

// Reads and checks a maze CSV (RFC 4180 quoting, LF or CRLF). Columns are found by their header
// names (extra columns are allowed). Errors read "<path>:<line>: ..." on one line: a missing file
// or column, a row with another field count than the header, a non-square grid, a grid of another
// size than the first row's, an answer of another length, a character outside "# SGo".
absl::StatusOr<MazeCsv> ReadMazeCsv(const std::string& path);

// The CSV text of `records` (header included); fields holding ',', '"' or a line break are quoted.
std::string MazeCsvText(const std::vector<MazeRecord>& records);

}  // namespace trm::maze

#endif  // PLUGINS_MAZE_MAZE_CSV_H_
