#include "plugins/exact_match/boards.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "trm/base/strings.h"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

// Splits UTF-8 text into its characters, so that a glyph may be "█" as well as "#".
absl::StatusOr<std::vector<std::string>> SplitCharacters(const std::string& text) {
  std::vector<std::string> characters;
  for (size_t at = 0; at < text.size();) {
    const unsigned char lead = text[at];
    const size_t length = lead < 0x80           ? 1
                          : (lead >> 5) == 0x6  ? 2
                          : (lead >> 4) == 0xE  ? 3
                          : (lead >> 3) == 0x1E ? 4
                                                : 0;
    bool valid = length > 0 && at + length <= text.size();
    for (size_t i = 1; valid && i < length; ++i) valid = (text[at + i] & 0xC0) == 0x80;
    if (!valid) {
      return absl::InvalidArgumentError(
          absl::StrCat("exact_match.glyphs: not valid UTF-8 at byte ", at));
    }
    characters.push_back(text.substr(at, length));
    at += length;
  }
  return characters;
}

// Terminal columns of a glyph or printed id (one per character).
size_t Columns(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

bool At(const std::vector<bool>& flags, size_t i) { return i < flags.size() && flags[i]; }

constexpr char kRed[] = "\x1b[41;97m";
constexpr char kDim[] = "\x1b[2m";
constexpr char kReset[] = "\x1b[0m";

}  // namespace

std::string BoardLayout::Glyph(int64_t token) const {
  if (token == kIgnoreLabel) return "";
  if (token >= 0 && token < static_cast<int64_t>(glyphs.size())) return glyphs[token];
  return absl::StrCat(token);
}

absl::StatusOr<BoardLayout> MakeBoardLayout(const ExactMatchOptions& options, int64_t seq_len,
                                            int64_t vocab_size) {
  BoardLayout layout;
  if (options.has_glyphs()) {
    auto glyphs = SplitCharacters(options.glyphs());
    if (!glyphs.ok()) return glyphs.status();
    if (static_cast<int64_t>(glyphs->size()) < vocab_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("exact_match.glyphs: \"", options.glyphs(), "\" has ", glyphs->size(),
                       " characters, the dataset's vocabulary ", vocab_size,
                       " tokens (one glyph per token id)"));
    }
    layout.glyphs = *std::move(glyphs);
  }
  if (seq_len <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("exact_match: the dataset's seq_len is ", seq_len));
  }
  if (options.grid_cols() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("exact_match.grid_cols: ", options.grid_cols(), " is negative"));
  }
  if (options.grid_cols() > 0) {
    if (seq_len % options.grid_cols() != 0) {
      return absl::InvalidArgumentError(absl::StrCat("exact_match.grid_cols: ", options.grid_cols(),
                                                     " does not divide the dataset's seq_len ",
                                                     seq_len));
    }
    layout.cols = options.grid_cols();
  } else {
    const int64_t side = std::llround(std::sqrt(static_cast<double>(seq_len)));
    layout.cols = side * side == seq_len ? side : seq_len;
  }
  layout.rows = seq_len / layout.cols;
  return layout;
}

std::string DrawBoardsText(const std::vector<BoardView>& boards, const BoardLayout& layout,
                           bool color) {
  size_t cell = 1;
  for (const BoardView& board : boards) {
    for (int32_t token : board.tokens) cell = std::max(cell, Columns(layout.Glyph(token)));
  }
  // Every board column is as wide as its cells (and a space each) or its title.
  std::vector<size_t> widths;
  for (const BoardView& board : boards) {
    widths.push_back(std::max<size_t>(layout.cols * (cell + 1), Columns(board.title)));
  }
  const auto pad = [](std::string& line, size_t columns, size_t width) {
    if (columns < width) line.append(width - columns, ' ');
  };
  std::string out;
  std::string line;
  for (size_t b = 0; b < boards.size(); ++b) {
    line += boards[b].title;
    pad(line, Columns(boards[b].title), widths[b] + 2);
  }
  absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  for (int64_t r = 0; r < layout.rows; ++r) {
    line.clear();
    for (size_t b = 0; b < boards.size(); ++b) {
      const BoardView& board = boards[b];
      for (int64_t c = 0; c < layout.cols; ++c) {
        const size_t i = r * layout.cols + c;
        std::string glyph = i < board.tokens.size() ? layout.Glyph(board.tokens[i]) : "";
        glyph.insert(0, cell - std::min(cell, Columns(glyph)), ' ');  // ids right-aligned
        const bool marked = At(board.marked, i);
        if (color && marked) {
          absl::StrAppend(&line, kRed, glyph, kReset, " ");
        } else if (color && At(board.dimmed, i)) {
          absl::StrAppend(&line, kDim, glyph, kReset, " ");
        } else {
          absl::StrAppend(&line, glyph, marked ? "*" : " ");
        }
      }
      pad(line, 0, widths[b] - layout.cols * (cell + 1) + 2);
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  return out;
}

std::string BoardHtml(const BoardView& board, const BoardLayout& layout) {
  std::string out = absl::StrCat("<div class=\"board\" style=\"grid-template-columns:repeat(",
                                 layout.cols, ",auto)\">");
  for (size_t i = 0; i < board.tokens.size(); ++i) {
    const char* cls = At(board.marked, i)   ? " class=\"x\""
                      : At(board.dimmed, i) ? " class=\"i\""
                                            : "";
    absl::StrAppend(&out, "<span", cls, ">", HtmlEscape(layout.Glyph(board.tokens[i])), "</span>");
  }
  return out + "</div>";
}

}  // namespace trm::exact_match
