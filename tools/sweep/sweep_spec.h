// Sweep specs (sweep.proto): finding and parsing them, expanding them into runs, and checking
// every run's experiment before anything runs.
#ifndef TOOLS_SWEEP_SWEEP_SPEC_H_
#define TOOLS_SWEEP_SWEEP_SPEC_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/sweep/sweep.pb.h"
#include "trm/config/experiment.pb.h"

namespace trm::sweep {

// One training run of a sweep: a variant, one value per grid axis, a seed.
struct SweepRun {
  int index = 0;     // position in the expansion (the Slurm array index)
  std::string name;  // run folder name: <variant>[-<label><value>...]-seed<seed>
  std::string variant;
  std::vector<std::pair<std::string, std::string>> grid;  // (axis label, value)
  int64_t seed = 0;
  // Every override in the order applied: Sweep.set, the variant's, the grid's, train.seed.
  std::vector<std::string> overrides;
  // The base experiment with the overrides applied and validated.
  config::Experiment experiment;
};

// Finds `name_or_path` (a file, else experiments/sweeps/<name>.textproto) and parses it; `name`
// defaults to the file's stem. Errors are one line naming the file.
absl::StatusOr<Sweep> LoadSweep(const std::string& name_or_path, const std::string& argv0 = "");

// Structural checks (names, duplicates, metrics, Slurm options); errors name the field.
absl::Status ValidateSweep(const Sweep& sweep);

// Every run, variants × grid × seeds (variant outermost, seed innermost), each experiment loaded
// and validated, its plugin names checked against the registries that have entries (the sweep
// tool loads the plugins) and its architecture built once with placeholder sizes (the factory
// checks the arch fields). Errors name the variant (and grid point) and the field.
absl::StatusOr<std::vector<SweepRun>> ExpandSweep(const Sweep& sweep,
                                                  const std::string& argv0 = "");

// The variant deltas are measured against: Sweep.baseline, else the first variant.
std::string BaselineVariant(const Sweep& sweep);

// The variants in spec order ("base" when the spec has none).
std::vector<std::string> VariantNames(const Sweep& sweep);

}  // namespace trm::sweep

#endif  // TOOLS_SWEEP_SWEEP_SPEC_H_
