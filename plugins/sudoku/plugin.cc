#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("sudoku", "Sudoku dataset builder (the reference's build_sudoku_dataset) and generator");
