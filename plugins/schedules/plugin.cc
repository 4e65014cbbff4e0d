#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("schedules", "learning-rate schedules");
