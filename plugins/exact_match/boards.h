// How the exact_match evaluator draws a sequence of tokens as a board: one glyph per token id,
// `cols` cells per row; as text for the console and as HTML for the report.
#ifndef PLUGINS_EXACT_MATCH_BOARDS_H_
#define PLUGINS_EXACT_MATCH_BOARDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/exact_match/exact_match.pb.h"

namespace trm::exact_match {

struct BoardLayout {
  // Glyph of token id i; empty: ids are printed.
  std::vector<std::string> glyphs;
  int64_t cols = 1;
  int64_t rows = 1;

  // What a cell of token `token` shows: its glyph, or its id (also for ids beyond the glyphs);
  // nothing for kIgnoreLabel (a target cell that has no target).
  std::string Glyph(int64_t token) const;
};

// The layout of boards of `seq_len` tokens from ids [0, vocab_size). Errors name the field
// ("exact_match.glyphs: ...").
absl::StatusOr<BoardLayout> MakeBoardLayout(const ExactMatchOptions& options, int64_t seq_len,
                                            int64_t vocab_size);

// One board to draw: `tokens` and which cells are marked (wrong predictions); `dimmed` cells are
// not scored (their label is ignored). Both may be empty (nothing marked).
struct BoardView {
  std::string title;
  std::vector<int32_t> tokens;
  std::vector<bool> marked;
  std::vector<bool> dimmed;
};

// Boards side by side under their titles, one '\n'-terminated line per row, cells as wide as the
// widest drawn. Marked cells are red with `color`, else followed by '*' instead of a space.
std::string DrawBoardsText(const std::vector<BoardView>& boards, const BoardLayout& layout,
                           bool color);

// One board as an HTML CSS grid of <span> cells (classes "x": marked, "i": dimmed), escaped.
std::string BoardHtml(const BoardView& board, const BoardLayout& layout);

}  // namespace trm::exact_match

#endif  // PLUGINS_EXACT_MATCH_BOARDS_H_
