#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("maze", "Maze-Hard dataset builder (the reference's build_maze_dataset) and generator");
