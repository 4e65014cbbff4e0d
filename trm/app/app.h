// Start-up shared by every tool: Abseil flags, plugin loading, --list_plugins, experiments.
//
//   int main(int argc, char** argv) {
//     trm::InitTool(argc, argv, "usage");
//     trm::config::Experiment experiment = trm::ExperimentFromFlagsOrDie();
//     ...
//   }
#ifndef TRM_APP_APP_H_
#define TRM_APP_APP_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/config/experiment.pb.h"

namespace trm {

// Re-executes with passive OpenMP waits unless OMP_WAIT_POLICY is set (cpu_threads.h), parses the
// flags (every `--set path=value` is collected, in order, before Abseil sees the rest), sets the
// intra-op thread count of ATen and OpenBLAS, loads the plugins (--plugins, else every plugin in
// --plugin_dir and next to the tool), and handles --list_plugins (prints and exits 0). A plugin
// that fails to load ends the process with its one-line error, and so does any exception that
// escapes the tool later (std::terminate prints it as one line and exits 1). Returns the
// positional arguments.
std::vector<std::string> InitTool(int argc, char** argv, const char* usage);

// Loads --experiment with the --set overrides; with --print_config prints it and exits 0.
// Errors end the process with one line and exit status 1.
config::Experiment ExperimentFromFlagsOrDie();

// The `--set` assignments given on the command line.
const std::vector<std::string>& SetFlags();

// Prints every registry and its entries (what --list_plugins shows).
void PrintRegistries(std::ostream& out);

// Prints "error: <message>" on one line to stderr and exits with status 1.
[[noreturn]] void Die(const absl::Status& status);

// The value, or Die with the status.
template <typename T>
T OrDie(absl::StatusOr<T> value) {
  if (!value.ok()) Die(value.status());
  return *std::move(value);
}
inline void OrDie(const absl::Status& status) {
  if (!status.ok()) Die(status);
}

// `device` ("cpu", "cuda:1", ...) can hold tensors in this process: it parses, and a CUDA device
// needs a LibTorch with CUDA and a visible GPU of that index. Else a one-line error naming it.
absl::Status CheckDevice(const std::string& device);

// The argv[0] the tool was started with (for runfiles lookups).
const std::string& ToolArgv0();

}  // namespace trm

#endif  // TRM_APP_APP_H_
