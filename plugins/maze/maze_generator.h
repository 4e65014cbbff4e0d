// Random mazes with a unique shortest path, in the layout of Maze-Hard (spec §11.2):
//
//   1. a perfect maze (randomized depth-first search) on the cells at odd coordinates inside a
//      wall border (for an even side the last row and column stay wall too);
//   2. loops: a fraction `loop_fraction` of the remaining walls between two such cells is opened
//      (Maze-Hard's mazes are not trees);
//   3. S on a random free cell; G on a random free cell whose shortest path from S has at least
//      `min_path_length` steps and is the only shortest path (paths counted by BFS); a maze with no
//      such cell, or one already generated, is drawn again.
//
// The answer is the question with the cells strictly between S and G on that path marked 'o'
// (S and G keep their letters); the rating is the path's length in steps. Every draw comes from
// NumpyRandomState(seed), so the mazes depend on the seed and the options only.
#ifndef PLUGINS_MAZE_MAZE_GENERATOR_H_
#define PLUGINS_MAZE_MAZE_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/maze/maze.pb.h"
#include "plugins/maze/maze_csv.h"

namespace trm::maze {

struct GeneratedMazes {
  std::vector<MazeRecord> train;
  std::vector<MazeRecord> test;
};

// train_mazes + test_mazes distinct mazes (no test maze is also a train maze). Invalid options are
// errors naming the field ("generate.side ..."); so is a maze space too small for the count.
absl::StatusOr<GeneratedMazes> GenerateMazes(const MazeGenerateOptions& options);

// Generates and writes <dir>/train.csv and <dir>/test.csv; fails without writing if either exists.
absl::Status WriteGeneratedMazes(const MazeGenerateOptions& options, const std::string& dir);

}  // namespace trm::maze

#endif  // PLUGINS_MAZE_MAZE_GENERATOR_H_
