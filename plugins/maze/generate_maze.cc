// Writes generated mazes (plugins/maze/maze_generator.h) as Maze-Hard style CSVs:
//
//   bazel run //plugins/maze:generate_maze -- --out=DIR --train=N --test=M --side=S --seed=K
//       [--min_path_length=L] [--loop_fraction=F]
//
// DIR/train.csv and DIR/test.csv can then be built with data.task_dir=DIR. Existing files are
// never overwritten.
#include <iostream>

#include "absl/flags/flag.h"
#include "plugins/maze/maze.pb.h"
#include "plugins/maze/maze_generator.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"

ABSL_FLAG(std::string, out, "",
          "Folder to write train.csv and test.csv into (created if missing).");
ABSL_FLAG(int32_t, train, 1000, "Number of train mazes.");
ABSL_FLAG(int32_t, test, 1000, "Number of test mazes (distinct from the train mazes).");
ABSL_FLAG(int32_t, side, 30, "Grid side.");
ABSL_FLAG(uint32_t, seed, 0, "Generator seed: the same seed and options give the same files.");
ABSL_FLAG(int32_t, min_path_length, 0, "Minimum shortest-path length in steps (0 = 2 * side).");
ABSL_FLAG(double, loop_fraction, 0.1, "Fraction of the perfect maze's inner walls opened again.");

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Generates mazes: generate_maze --out=DIR --train=N --test=M --side=S --seed=K");
  if (absl::GetFlag(FLAGS_out).empty()) {
    trm::Die(absl::InvalidArgumentError("--out: the output folder is required"));
  }
  trm::maze::MazeGenerateOptions options;
  options.set_train_mazes(absl::GetFlag(FLAGS_train));
  options.set_test_mazes(absl::GetFlag(FLAGS_test));
  options.set_side(absl::GetFlag(FLAGS_side));
  options.set_seed(absl::GetFlag(FLAGS_seed));
  options.set_min_path_length(absl::GetFlag(FLAGS_min_path_length));
  options.set_loop_fraction(absl::GetFlag(FLAGS_loop_fraction));
  const std::string out = trm::ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (absl::Status status = trm::maze::WriteGeneratedMazes(options, out); !status.ok()) {
    trm::Die(status);
  }
  std::cout << "wrote " << out << "/train.csv (" << options.train_mazes() << " mazes) and " << out
            << "/test.csv (" << options.test_mazes() << " mazes)\n";
  return 0;
}
