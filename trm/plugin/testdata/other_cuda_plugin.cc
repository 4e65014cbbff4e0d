// Claims the opposite CUDA-ness of whatever it is compiled with, so it never matches the host.
#include "trm/plugin/plugin_api.h"

namespace {
const char* RegisterNothing(const char*) { return nullptr; }
}  // namespace

extern "C" __attribute__((visibility("default"))) const TrmPluginInfo* trm_plugin_entry() {
  static const TrmPluginInfo info = {TRM_PLUGIN_API_VERSION, "test_other_cuda",   "",
                                     TORCH_VERSION,          1 - TRM_PLUGIN_CUDA, &RegisterNothing};
  return &info;
}
