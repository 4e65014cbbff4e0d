#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("recursive_reasoning",
           "TRM, HRM and the ablations (transformer_baseline, trm_singlez, trm_hier6)");
