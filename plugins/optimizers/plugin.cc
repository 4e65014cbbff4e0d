#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("optimizers", "AdamATan2, AdamW and the sparse puzzle-embedding sign-SGD");
