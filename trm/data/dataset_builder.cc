#include "trm/data/dataset_builder.h"

namespace trm {

TRM_DEFINE_REGISTRY(DatasetBuilderRegistry, "datasets", DatasetBuilder, const config::DataConfig&);

}  // namespace trm
