#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("exact_match", "evaluators: whole-board exact match (Sudoku, Maze, ...), HTML boards");
