#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("evaluators", "evaluators: ARC votes, pass@k, submission.json, HTML report");
