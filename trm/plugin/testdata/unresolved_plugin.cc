// Needs a symbol that no host provides, so dlopen(RTLD_NOW) fails.
#include "trm/plugin/plugin_api.h"

extern "C" int trm_symbol_that_does_not_exist(int);

namespace {
const char* Register(const char*) { return trm_symbol_that_does_not_exist(1) ? nullptr : "no"; }
}  // namespace

extern "C" __attribute__((visibility("default"))) const TrmPluginInfo* trm_plugin_entry() {
  static const TrmPluginInfo info = {TRM_PLUGIN_API_VERSION, "test_unresolved", "",
                                     TORCH_VERSION,          TRM_PLUGIN_CUDA,   &Register};
  return &info;
}
