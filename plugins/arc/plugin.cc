#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("arc", "ARC-AGI dataset builder (the reference's build_arc_dataset)");
