// Claims a future plugin API version.
#include "trm/plugin/plugin_api.h"

namespace {
const char* RegisterNothing(const char*) { return nullptr; }
}  // namespace

extern "C" __attribute__((visibility("default"))) const TrmPluginInfo* trm_plugin_entry() {
  static const TrmPluginInfo info = {999,           "test_wrong_version", "",
                                     TORCH_VERSION, TRM_PLUGIN_CUDA,      &RegisterNothing};
  return &info;
}
