#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("act_loss", "the ACT loss head (cross entropy + halting BCE, reference metrics)");
