#include "plugins/maze/maze_generator.h"

#include <cmath>
#include <filesystem>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "trm/data/numpy_random.h"

namespace trm::maze {
namespace {

namespace fs = std::filesystem;

constexpr char kWall = '#';
constexpr char kFree = ' ';
// Draws allowed per requested maze before the maze space is declared too small.
constexpr int64_t kAttemptsPerMaze = 200;

int MinPathLength(const MazeGenerateOptions& o) {
  return o.min_path_length() > 0 ? o.min_path_length() : 2 * o.side();
}

absl::Status CheckOptions(const MazeGenerateOptions& o) {
  auto invalid = [](const std::string& what) {
    return absl::InvalidArgumentError("generate." + what);
  };
  if (o.train_mazes() < 1) {
    return invalid(absl::StrCat("train_mazes is ", o.train_mazes(), ", must be >= 1"));
  }
  if (o.test_mazes() < 1) {
    return invalid(absl::StrCat("test_mazes is ", o.test_mazes(), ", must be >= 1"));
  }
  if (o.side() < 5 || o.side() > 255) {
    return invalid(absl::StrCat("side is ", o.side(), ", must be in [5, 255]"));
  }
  if (o.min_path_length() < 0) {
    return invalid(absl::StrCat("min_path_length is ", o.min_path_length(), ", must be >= 0"));
  }
  if (!(o.loop_fraction() >= 0 && o.loop_fraction() <= 1)) {
    return invalid(absl::StrCat("loop_fraction is ", o.loop_fraction(), ", must be in [0, 1]"));
  }
  return absl::OkStatus();
}

class Generator {
 public:
  explicit Generator(const MazeGenerateOptions& options)
      : side_(options.side()),
        min_path_length_(MinPathLength(options)),
        loop_fraction_(options.loop_fraction()),
        rng_(options.seed()) {}

  // One maze, or false when this draw has no goal cell that qualifies.
  bool TryOne(MazeRecord* record) {
    std::string grid = PerfectMaze();
    OpenLoops(&grid);
    std::vector<int> free_cells;
    for (int i = 0; i < side_ * side_; ++i) {
      if (grid[i] == kFree) free_cells.push_back(i);
    }
    const int start = free_cells[rng_.RandInt(0, static_cast<int64_t>(free_cells.size()))];
    std::vector<int> distance, paths;
    Bfs(grid, start, &distance, &paths);
    std::vector<int> goals;
    for (int cell : free_cells) {
      if (distance[cell] >= min_path_length_ && paths[cell] == 1) goals.push_back(cell);
    }
    if (goals.empty()) return false;
    const int goal = goals[rng_.RandInt(0, static_cast<int64_t>(goals.size()))];

    std::string question = grid;
    question[start] = 'S';
    question[goal] = 'G';
    std::string answer = question;
    // Walk back from G along strictly decreasing distances (one way only: the path is unique).
    for (int cell = Previous(goal, distance); cell != start; cell = Previous(cell, distance)) {
      answer[cell] = 'o';
    }
    *record = MazeRecord{"generated", std::move(question), std::move(answer),
                         absl::StrCat(distance[goal])};
    return true;
  }

 private:
  bool IsLatticeCell(int r, int c) const {
    return r >= 1 && c >= 1 && r % 2 == 1 && c % 2 == 1 && r <= side_ - 2 && c <= side_ - 2;
  }

  // Randomized depth-first search over the odd cells; the walls between visited neighbours are
  // carved.
  std::string PerfectMaze() {
    std::string grid(static_cast<size_t>(side_) * side_, kWall);
    const int lattice = (side_ - 1) / 2;
    const int first = static_cast<int>(rng_.RandInt(0, int64_t{lattice} * lattice));
    std::vector<std::pair<int, int>> stack = {
        {2 * (first / lattice) + 1, 2 * (first % lattice) + 1}};
    grid[stack.back().first * side_ + stack.back().second] = kFree;
    static constexpr int kSteps[4][2] = {{-2, 0}, {2, 0}, {0, -2}, {0, 2}};
    while (!stack.empty()) {
      const auto [r, c] = stack.back();
      std::vector<std::pair<int, int>> next;
      for (const auto& step : kSteps) {
        const int nr = r + step[0], nc = c + step[1];
        if (IsLatticeCell(nr, nc) && grid[nr * side_ + nc] == kWall) {
          next.push_back({nr, nc});
        }
      }
      if (next.empty()) {
        stack.pop_back();
        continue;
      }
      const auto [nr, nc] = next[rng_.RandInt(0, static_cast<int64_t>(next.size()))];
      grid[((r + nr) / 2) * side_ + (c + nc) / 2] = kFree;
      grid[nr * side_ + nc] = kFree;
      stack.push_back({nr, nc});
    }
    return grid;
  }

  // Opens loop_fraction of the walls that still separate two lattice cells.
  void OpenLoops(std::string* grid) {
    std::vector<int> walls;
    for (int r = 1; r <= side_ - 2; ++r) {
      for (int c = 1; c <= side_ - 2; ++c) {
        if ((*grid)[r * side_ + c] != kWall) continue;
        const bool between_rows =
            r % 2 == 0 && c % 2 == 1 && IsLatticeCell(r - 1, c) && IsLatticeCell(r + 1, c);
        const bool between_cols =
            r % 2 == 1 && c % 2 == 0 && IsLatticeCell(r, c - 1) && IsLatticeCell(r, c + 1);
        if (between_rows || between_cols) walls.push_back(r * side_ + c);
      }
    }
    rng_.Shuffle(walls.data(), walls.size());
    const size_t open = static_cast<size_t>(std::lround(loop_fraction_ * walls.size()));
    for (size_t k = 0; k < open; ++k) (*grid)[walls[k]] = kFree;
  }

  // Shortest distances from `start` and the number of shortest paths (capped at 2).
  void Bfs(const std::string& grid, int start, std::vector<int>* distance,
           std::vector<int>* paths) const {
    distance->assign(grid.size(), -1);
    paths->assign(grid.size(), 0);
    std::vector<int> queue = {start};
    (*distance)[start] = 0;
    (*paths)[start] = 1;
    for (size_t head = 0; head < queue.size(); ++head) {
      const int cell = queue[head];
      for (int next : Neighbours(cell)) {
        if (grid[next] == kWall) continue;
        if ((*distance)[next] < 0) {
          (*distance)[next] = (*distance)[cell] + 1;
          queue.push_back(next);
        }
        if ((*distance)[next] == (*distance)[cell] + 1) {
          (*paths)[next] = std::min(2, (*paths)[next] + (*paths)[cell]);
        }
      }
    }
  }

  std::vector<int> Neighbours(int cell) const {
    const int r = cell / side_, c = cell % side_;
    std::vector<int> out;
    if (r > 0) out.push_back(cell - side_);
    if (r + 1 < side_) out.push_back(cell + side_);
    if (c > 0) out.push_back(cell - 1);
    if (c + 1 < side_) out.push_back(cell + 1);
    return out;
  }

  int Previous(int cell, const std::vector<int>& distance) const {
    for (int next : Neighbours(cell)) {
      if (distance[next] == distance[cell] - 1) return next;
    }
    return -1;  // unreachable: a reached cell other than the start has a predecessor
  }

  const int side_;
  const int min_path_length_;
  const double loop_fraction_;
  NumpyRandomState rng_;
};

}  // namespace

absl::StatusOr<GeneratedMazes> GenerateMazes(const MazeGenerateOptions& options) {
  TRM_RETURN_IF_ERROR(CheckOptions(options));
  const int64_t wanted = int64_t{options.train_mazes()} + options.test_mazes();
  Generator generator(options);
  std::unordered_set<std::string> seen;
  GeneratedMazes mazes;
  for (int64_t attempts = 0; static_cast<int64_t>(seen.size()) < wanted; ++attempts) {
    if (attempts >= kAttemptsPerMaze * wanted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "generate: only ", seen.size(), " distinct ", options.side(), "x", options.side(),
          " mazes with a unique shortest path of at least ", MinPathLength(options),
          " steps after ", attempts, " draws, ", wanted,
          " wanted; lower generate.min_path_length or the counts, or raise generate.side"));
    }
    MazeRecord record;
    if (!generator.TryOne(&record) || !seen.insert(record.question).second) continue;
    (static_cast<int64_t>(mazes.train.size()) < options.train_mazes() ? mazes.train : mazes.test)
        .push_back(std::move(record));
  }
  return mazes;
}

absl::Status WriteGeneratedMazes(const MazeGenerateOptions& options, const std::string& dir) {
  const std::string train = (fs::path(dir) / "train.csv").string();
  const std::string test = (fs::path(dir) / "test.csv").string();
  for (const std::string& path : {train, test}) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
      return absl::AlreadyExistsError(absl::StrCat(path, ": exists; not overwritten"));
    }
  }
  TRM_ASSIGN_OR_RETURN(const GeneratedMazes mazes, GenerateMazes(options));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": cannot create: ", ec.message()));
  TRM_RETURN_IF_ERROR(WriteFileAtomically(train, MazeCsvText(mazes.train)));
  return WriteFileAtomically(test, MazeCsvText(mazes.test));
}

}  // namespace trm::maze
