#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("augmentations", "ARC augmentations: dihedral_color (variants), translate (placement)");
