#include <memory>

#include "plugins/testing/tensor_holder_architecture.h"
#include "trm/plugin/plugin_api.h"

TRM_PLUGIN("test_reference_keys", "stand-in architectures for checkpoint tests");

TRM_REGISTER(
    ::trm::ArchitectureRegistry, "reference_keys",
    [](const ::trm::config::ArchConfig& config) -> std::unique_ptr<::trm::Architecture> {
      return std::make_unique<::trm::testing::TensorHolderArchitecture>(
          config, ::trm::testing::ReferenceStateSpecs(config));
    },
    "the reference's TRM/HRM state-dict keys for a config; no forward pass");
