#include "plugins/sudoku/sudoku_solver.h"

#include <bitset>

namespace trm::sudoku {
namespace {

constexpr uint16_t kAllDigits = 0x3FE;  // bits 1..9

int BoxOf(int cell) { return cell / kSide / 3 * 3 + cell % kSide / 3; }

class Search {
 public:
  Search(const Board& puzzle, int limit) : board_(puzzle), limit_(limit) {}

  SolveResult Run() {
    for (int cell = 0; cell < kCells; ++cell) {
      const int digit = board_[cell];
      if (digit == 0) continue;
      const uint16_t bit = static_cast<uint16_t>(1 << digit);
      const int r = cell / kSide, c = cell % kSide, b = BoxOf(cell);
      if ((rows_[r] | cols_[c] | boxes_[b]) & bit) return result_;  // conflicting givens
      rows_[r] |= bit;
      cols_[c] |= bit;
      boxes_[b] |= bit;
    }
    Visit();
    return result_;
  }

 private:
  uint16_t Candidates(int cell) const {
    return kAllDigits & ~(rows_[cell / kSide] | cols_[cell % kSide] | boxes_[BoxOf(cell)]);
  }

  void Visit() {
    ++result_.nodes;
    int best = -1, best_count = 10;
    uint16_t best_candidates = 0;
    for (int cell = 0; cell < kCells; ++cell) {
      if (board_[cell] != 0) continue;
      const uint16_t candidates = Candidates(cell);
      const int count = static_cast<int>(std::bitset<16>(candidates).count());
      if (count < best_count) {
        best = cell;
        best_count = count;
        best_candidates = candidates;
        if (count <= 1) break;
      }
    }
    if (best < 0) {  // no blank left: a solution
      if (result_.solutions++ == 0) result_.solution = board_;
      return;
    }
    const int r = best / kSide, c = best % kSide, b = BoxOf(best);
    for (int digit = 1; digit <= 9 && result_.solutions < limit_; ++digit) {
      const uint16_t bit = static_cast<uint16_t>(1 << digit);
      if (!(best_candidates & bit)) continue;
      board_[best] = static_cast<uint8_t>(digit);
      rows_[r] |= bit;
      cols_[c] |= bit;
      boxes_[b] |= bit;
      Visit();
      rows_[r] &= ~bit;
      cols_[c] &= ~bit;
      boxes_[b] &= ~bit;
    }
    board_[best] = 0;
  }

  Board board_;
  const int limit_;
  uint16_t rows_[kSide] = {}, cols_[kSide] = {}, boxes_[kSide] = {};
  SolveResult result_;
};

}  // namespace

SolveResult CountSolutions(const Board& puzzle, int limit) { return Search(puzzle, limit).Run(); }

}  // namespace trm::sudoku
