#include "plugins/maze/maze_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"

namespace trm::maze {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::SizeIs;

MazeGenerateOptions Options(int side, int train, int test, uint32_t seed) {
  MazeGenerateOptions options;
  options.set_side(side);
  options.set_train_mazes(train);
  options.set_test_mazes(test);
  options.set_seed(seed);
  return options;
}

std::vector<int> Neighbours(int cell, int side) {
  const int r = cell / side, c = cell % side;
  std::vector<int> out;
  if (r > 0) out.push_back(cell - side);
  if (r + 1 < side) out.push_back(cell + side);
  if (c > 0) out.push_back(cell - 1);
  if (c + 1 < side) out.push_back(cell + 1);
  return out;
}

// Distance from `from` to `to` over non-wall cells and the number of shortest paths.
std::pair<int, long> ShortestPaths(const std::string& grid, int side, int from, int to) {
  std::vector<int> distance(grid.size(), -1);
  std::vector<long> count(grid.size(), 0);
  std::vector<int> queue = {from};
  distance[from] = 0;
  count[from] = 1;
  for (size_t head = 0; head < queue.size(); ++head) {
    const int cell = queue[head];
    for (int next : Neighbours(cell, side)) {
      if (grid[next] == '#') continue;
      if (distance[next] < 0) {
        distance[next] = distance[cell] + 1;
        queue.push_back(next);
      }
      if (distance[next] == distance[cell] + 1) count[next] += count[cell];
    }
  }
  return {distance[to], count[to]};
}

// Checks one maze; returns whether its free cells contain a cycle.
bool CheckMaze(const MazeRecord& maze, int side, int min_path_length) {
  SCOPED_TRACE(maze.question);
  EXPECT_EQ(maze.source, "generated");
  EXPECT_THAT(maze.question, SizeIs(side * side));
  EXPECT_THAT(maze.answer, SizeIs(side * side));
  EXPECT_EQ(std::count(maze.question.begin(), maze.question.end(), 'S'), 1);
  EXPECT_EQ(std::count(maze.question.begin(), maze.question.end(), 'G'), 1);
  EXPECT_EQ(maze.question.find_first_not_of("# SG"), std::string::npos);
  // The answer is the question with free cells marked 'o'.
  for (int k = 0; k < side * side; ++k) {
    if (maze.answer[k] != maze.question[k]) {
      EXPECT_EQ(maze.question[k], ' ');
      EXPECT_EQ(maze.answer[k], 'o');
    }
  }
  // The border is wall.
  for (int k = 0; k < side; ++k) {
    EXPECT_EQ(maze.question[k], '#');
    EXPECT_EQ(maze.question[(side - 1) * side + k], '#');
    EXPECT_EQ(maze.question[k * side], '#');
    EXPECT_EQ(maze.question[k * side + side - 1], '#');
  }
  const int start = static_cast<int>(maze.question.find('S'));
  const int goal = static_cast<int>(maze.question.find('G'));
  const auto [distance, paths] = ShortestPaths(maze.question, side, start, goal);
  EXPECT_EQ(paths, 1) << "the shortest path is not unique";
  EXPECT_GE(distance, min_path_length);
  EXPECT_EQ(maze.rating, std::to_string(distance));
  // The marked cells are a path S -> G: walking from S along unvisited marked cells reaches G in
  // `distance` steps and visits every marked cell.
  const long marked = std::count(maze.answer.begin(), maze.answer.end(), 'o');
  EXPECT_EQ(marked, distance - 1);
  std::set<int> visited = {start};
  int cell = start, steps = 0;
  while (cell != goal && steps <= distance) {
    int next = -1;
    for (int n : Neighbours(cell, side)) {
      if ((maze.answer[n] == 'o' || maze.answer[n] == 'G') && !visited.count(n)) next = n;
    }
    if (next < 0) break;
    visited.insert(next);
    cell = next;
    ++steps;
  }
  EXPECT_EQ(cell, goal);
  EXPECT_EQ(steps, distance);
  // A connected graph with as many edges as vertices or more has a cycle.
  long free_cells = 0, edges = 0;
  for (int k = 0; k < side * side; ++k) {
    if (maze.question[k] == '#') continue;
    ++free_cells;
    for (int n : Neighbours(k, side)) edges += n > k && maze.question[n] != '#';
  }
  return edges >= free_cells;
}

TEST(MazeGeneratorTest, MazesHaveOneShortestPathMarkedFromStartToGoal) {
  for (int side : {9, 10, 15}) {
    SCOPED_TRACE(side);
    MazeGenerateOptions options = Options(side, 20, 10, 3);
    options.set_loop_fraction(0.2);
    absl::StatusOr<GeneratedMazes> mazes = GenerateMazes(options);
    ASSERT_TRUE(mazes.ok()) << mazes.status();
    ASSERT_THAT(mazes->train, SizeIs(20));
    ASSERT_THAT(mazes->test, SizeIs(10));
    int with_loops = 0;
    std::set<std::string> questions;
    for (const auto* split : {&mazes->train, &mazes->test}) {
      for (const MazeRecord& maze : *split) {
        with_loops += CheckMaze(maze, side, 2 * side);
        questions.insert(maze.question);
      }
    }
    EXPECT_GT(with_loops, 0) << "loop_fraction 0.2 opened no loop";
    EXPECT_THAT(questions, SizeIs(30)) << "a maze repeats (or a test maze is a train maze)";
  }
}

TEST(MazeGeneratorTest, WithoutLoopsEveryMazeIsATree) {
  MazeGenerateOptions options = Options(11, 10, 5, 1);
  options.set_loop_fraction(0);
  options.set_min_path_length(5);
  absl::StatusOr<GeneratedMazes> mazes = GenerateMazes(options);
  ASSERT_TRUE(mazes.ok()) << mazes.status();
  for (const MazeRecord& maze : mazes->train) EXPECT_FALSE(CheckMaze(maze, 11, 5));
}

TEST(MazeGeneratorTest, DeterministicForASeed) {
  absl::StatusOr<GeneratedMazes> a = GenerateMazes(Options(9, 5, 3, 11));
  absl::StatusOr<GeneratedMazes> b = GenerateMazes(Options(9, 5, 3, 11));
  absl::StatusOr<GeneratedMazes> c = GenerateMazes(Options(9, 5, 3, 12));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto questions = [](const GeneratedMazes& m) {
    std::vector<std::string> out;
    for (const auto* split : {&m.train, &m.test}) {
      for (const MazeRecord& maze : *split)
        out.push_back(maze.question + maze.answer + maze.rating);
    }
    return out;
  };
  EXPECT_EQ(questions(*a), questions(*b));
  EXPECT_NE(questions(*a), questions(*c));
}

TEST(MazeGeneratorTest, BadOptionsAndTooSmallSpacesAreErrors) {
  MazeGenerateOptions options = Options(4, 1, 1, 0);
  EXPECT_THAT(GenerateMazes(options).status().message(), HasSubstr("generate.side is 4"));
  options = Options(9, 0, 1, 0);
  EXPECT_THAT(GenerateMazes(options).status().message(), HasSubstr("generate.train_mazes is 0"));
  options = Options(9, 1, 1, 0);
  options.set_loop_fraction(1.5);
  EXPECT_THAT(GenerateMazes(options).status().message(),
              HasSubstr("generate.loop_fraction is 1.5"));
  // A 5x5 grid has 4 cells in its lattice and 7 free cells at most: far fewer than 1000 mazes.
  options = Options(5, 1000, 1, 0);
  options.set_min_path_length(1);
  EXPECT_THAT(GenerateMazes(options).status().message(), HasSubstr("distinct 5x5 mazes"));
}

TEST(MazeGeneratorTest, WritesCsvsAndNeverOverwrites) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/csv";
  fs::remove_all(dir);
  ASSERT_TRUE(WriteGeneratedMazes(Options(9, 4, 2, 0), dir).ok());
  absl::StatusOr<MazeCsv> train = ReadMazeCsv(dir + "/train.csv");
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->side, 9);
  EXPECT_THAT(train->records, SizeIs(4));
  const absl::StatusOr<std::string> before = ReadFileToString(dir + "/test.csv");
  absl::Status again = WriteGeneratedMazes(Options(9, 4, 2, 1), dir);
  EXPECT_THAT(again.message(), HasSubstr("train.csv: exists; not overwritten"));
  EXPECT_EQ(*ReadFileToString(dir + "/test.csv"), *before);
}

}  // namespace
}  // namespace trm::maze
