// The contract between the host and a run-time plugin (in the spirit of LLVM pass plugins).
//
// A plugin is a shared object that exports exactly one C symbol, `trm_plugin_entry`, returning a
// TrmPluginInfo. The loader reads `api_version` first and refuses a mismatch before touching
// anything else, then calls `register_all` to add the plugin's objects to the host's registries.
//
// In a plugin:
//   TRM_PLUGIN("arc_data", "ARC-AGI task readers and augmentations");
//   TRM_REGISTER_CLASS(AugmentationRegistry, "dihedral_color", DihedralColor, "...");
//
// Registrations are collected per shared object while it is being loaded and only committed by
// `register_all`, so a plugin that fails the version check leaves no trace in the registries.
#ifndef TRM_PLUGIN_PLUGIN_API_H_
#define TRM_PLUGIN_PLUGIN_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "torch/version.h"

// Bump whenever a core interface that plugins see changes incompatibly.
#define TRM_PLUGIN_API_VERSION 2

// Whether this code is compiled for a CUDA LibTorch (Bazel's --config=cuda defines TRM_WITH_CUDA).
#ifdef TRM_WITH_CUDA
#define TRM_PLUGIN_CUDA 1
#else
#define TRM_PLUGIN_CUDA 0
#endif

#define TRM_PLUGIN_ENTRY_SYMBOL "trm_plugin_entry"

extern "C" {

struct TrmPluginInfo {
  // Must stay the first field: the loader reads it before trusting the rest of the layout.
  uint32_t api_version;
  const char* name;
  const char* description;
  // LibTorch version the plugin was compiled against; the loader refuses a different one.
  const char* torch_version;
  // TRM_PLUGIN_CUDA of the plugin; the loader refuses one that differs from the host's.
  uint32_t cuda;
  // Commits the plugin's registrations; returns nullptr on success or an error message that stays
  // valid until the next call. `origin` is the plugin name, recorded for --list_plugins.
  const char* (*register_all)(const char* origin);
};

typedef const TrmPluginInfo* (*TrmPluginEntryFn)();

}  // extern "C"

namespace trm {
namespace plugin_internal {

using PendingRegistration = std::function<absl::Status(const std::string& origin)>;

// Registrations of the shared object this header is compiled into. Hidden visibility gives every
// plugin (and the host) its own list: one plugin can never commit another's registrations.
__attribute__((visibility("hidden"))) inline std::vector<PendingRegistration>& Pending() {
  static auto* const pending = new std::vector<PendingRegistration>;
  return *pending;
}

__attribute__((visibility("hidden"))) inline bool AddPending(PendingRegistration registration) {
  Pending().push_back(std::move(registration));
  return true;
}

__attribute__((visibility("hidden"))) inline const char* CommitPending(const char* origin) {
  static std::string error;
  for (const PendingRegistration& registration : Pending()) {
    absl::Status status = registration(origin);
    if (!status.ok()) {
      error = std::string(status.message());
      return error.c_str();
    }
  }
  return nullptr;
}

}  // namespace plugin_internal
}  // namespace trm

#define TRM_PLUGIN_CONCAT_INNER_(a, b) a##b
#define TRM_PLUGIN_CONCAT_(a, b) TRM_PLUGIN_CONCAT_INNER_(a, b)

// Defines the plugin's entry point. Exactly once per plugin shared object.
#define TRM_PLUGIN(plugin_name, plugin_description)                                           \
  extern "C" __attribute__((visibility("default"))) const TrmPluginInfo* trm_plugin_entry() { \
    static const TrmPluginInfo info = {                                                       \
        TRM_PLUGIN_API_VERSION, plugin_name,     plugin_description,                          \
        TORCH_VERSION,          TRM_PLUGIN_CUDA, &::trm::plugin_internal::CommitPending};     \
    return &info;                                                                             \
  }

// Registers `factory` under `name` in the registry returned by `Accessor()`.
#define TRM_REGISTER(Accessor, name, factory, description)                                  \
  [[maybe_unused]] static const bool TRM_PLUGIN_CONCAT_(trm_registration_, __COUNTER__) =   \
      ::trm::plugin_internal::AddPending([](const std::string& origin) {                    \
        return Accessor().Register(name, factory, description, origin);                     \
      })

// Registers a class whose constructor takes the registry's factory arguments.
#define TRM_REGISTER_CLASS(Accessor, name, Class, description) \
  TRM_REGISTER(Accessor, name,                                 \
               [](auto&&... args) { return std::make_unique<Class>(args...); }, description)

#endif  // TRM_PLUGIN_PLUGIN_API_H_
