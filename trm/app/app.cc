#include "trm/app/app.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "trm/app/cpu_threads.h"
#include "trm/config/experiment_loader.h"
#include "trm/nn/host_memory.h"
#include "trm/plugin/plugin_loader.h"
#include "trm/registry/registry.h"

ABSL_FLAG(std::string, plugins, "",
          "Comma-separated plugins to load (names or .so paths). Default: every plugin in "
          "--plugin_dir and next to the tool.");
ABSL_FLAG(std::string, plugin_dir, "", "Extra folder searched for libtrm_*.so plugins.");
ABSL_FLAG(bool, list_plugins, false, "Print every registry and its entries, then exit.");
ABSL_FLAG(std::string, experiment, "",
          "Experiment name (experiments/NAME.textproto) or path to a text proto.");
ABSL_FLAG(std::vector<std::string>, set, {},
          "Override an experiment field, e.g. --set arch.L_cycles=6 (repeatable).");
ABSL_FLAG(bool, print_config, false, "Print the final experiment config and exit.");
ABSL_FLAG(int, threads, 0, "Intra-op CPU threads (0 = number of cores).");

namespace trm {
namespace {

std::vector<std::string>& MutableSetFlags() {
  static auto* const sets = new std::vector<std::string>;
  return *sets;
}

std::string& MutableArgv0() {
  static auto* const argv0 = new std::string;
  return *argv0;
}

}  // namespace

const std::vector<std::string>& SetFlags() { return MutableSetFlags(); }
absl::Status CheckDevice(const std::string& device) {
  std::optional<at::Device> parsed;
  try {
    parsed.emplace(device);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat("device '", device, "' is not a device such as cpu, cuda or cuda:1"));
  }
  if (!parsed->is_cuda()) return absl::OkStatus();
  if (!at::hasCUDA()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device '", device,
        "': this binary's LibTorch has no CUDA, or no GPU is visible (build with --config=cuda "
        "and TRM_LIBTORCH set to a CUDA LibTorch)"));
  }
  const int64_t gpus = static_cast<int64_t>(at::getNumGPUs());
  if (parsed->has_index() && parsed->index() >= gpus) {
    return absl::FailedPreconditionError(
        absl::StrCat("device '", device, "': only ", gpus, " GPU(s) are visible"));
  }
  return absl::OkStatus();
}

const std::string& ToolArgv0() { return MutableArgv0(); }

namespace {

// An exception that escapes a tool (a c10::Error from deep inside LibTorch, ...) ends it like Die:
// one line and exit status 1, instead of std::terminate's abort and core dump. Files are written
// atomically (temporary name, then rename), so skipping destructors loses nothing on disk.
[[noreturn]] void DieOnUncaughtException() {
  std::string message = "terminated without an exception";
  if (const std::exception_ptr current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const c10::Error& e) {
      message = e.what_without_backtrace();
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "an exception of unknown type";
    }
  }
  message = message.substr(0, message.find('\n'));
  std::cerr << "error: " << message << std::endl;
  std::_Exit(1);
}

}  // namespace

void Die(const absl::Status& status) {
  std::string message(status.message());
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::cerr << "error: " << message << std::endl;
  std::exit(1);
}

void PrintRegistries(std::ostream& out) {
  out << "plugins:\n";
  for (const LoadedPlugin& plugin : GlobalPluginLoader().plugins()) {
    out << "  " << plugin.name << "  (" << plugin.path << ")";
    if (!plugin.description.empty()) out << "  " << plugin.description;
    out << "\n";
  }
  for (RegistryBase* registry : AllRegistries()) {
    out << registry->kind() << ":\n";
    const auto entries = registry->Entries();
    if (entries.empty()) out << "  (none)\n";
    for (const RegistryBase::EntryInfo& entry : entries) {
      out << "  " << entry.name;
      if (!entry.origin.empty()) out << "  [" << entry.origin << "]";
      if (!entry.description.empty()) out << "  " << entry.description;
      out << "\n";
    }
  }
}

std::vector<std::string> InitTool(int argc, char** argv, const char* usage) {
  ReexecWithPassiveOpenMpWaits(argv);
  std::set_terminate(DieOnUncaughtException);
  nn::KeepFreedTensorMemoryForReuse();
  MutableArgv0() = argv[0];
  // Collect every --set before Abseil parses (it keeps only the last value of a flag).
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--set" || arg == "-set") {
      if (i + 1 >= argc) Die(absl::InvalidArgumentError("--set needs a value: --set path=value"));
      MutableSetFlags().push_back(argv[++i]);
    } else if (absl::StartsWith(arg, "--set=") || absl::StartsWith(arg, "-set=")) {
      MutableSetFlags().push_back(arg.substr(arg.find('=') + 1));
    } else {
      rest.push_back(argv[i]);
    }
  }
  absl::SetProgramUsageMessage(usage);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(rest.size()), rest.data());

  const int threads = absl::GetFlag(FLAGS_threads) > 0
                          ? absl::GetFlag(FLAGS_threads)
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SetCpuThreads(threads);

  PluginLoader& loader = GlobalPluginLoader();
  std::vector<std::string> dirs = DefaultPluginDirs(argv[0]);
  if (!absl::GetFlag(FLAGS_plugin_dir).empty()) {
    dirs.insert(dirs.begin(), absl::GetFlag(FLAGS_plugin_dir));
  }
  const std::string requested = absl::GetFlag(FLAGS_plugins);
  if (!requested.empty()) {
    for (const std::string& plugin :
         std::vector<std::string>(absl::StrSplit(requested, ',', absl::SkipEmpty()))) {
      if (absl::Status s = loader.LoadByNameOrPath(plugin, dirs); !s.ok()) Die(s);
    }
  } else {
    if (!absl::GetFlag(FLAGS_plugin_dir).empty()) {
      if (absl::Status s = loader.LoadDirectory(absl::GetFlag(FLAGS_plugin_dir)); !s.ok()) Die(s);
    }
    for (const std::string& dir : dirs) {
      if (absl::Status s = loader.LoadDirectory(dir); !s.ok()) Die(s);
    }
  }
  if (absl::GetFlag(FLAGS_list_plugins)) {
    PrintRegistries(std::cout);
    std::exit(0);
  }
  return std::vector<std::string>(positional.begin() + 1, positional.end());
}

config::Experiment ExperimentFromFlagsOrDie() {
  const std::string name = absl::GetFlag(FLAGS_experiment);
  if (name.empty()) Die(absl::InvalidArgumentError("--experiment is required (see --help)"));
  absl::StatusOr<config::Experiment> experiment =
      config::LoadExperiment(name, SetFlags(), ToolArgv0());
  if (!experiment.ok()) Die(experiment.status());
  if (absl::GetFlag(FLAGS_print_config)) {
    std::cout << config::ExperimentToText(*experiment);
    std::exit(0);
  }
  return *std::move(experiment);
}

}  // namespace trm
