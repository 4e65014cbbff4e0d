#include "tools/sweep/sweep_spec.h"

#include <ATen/core/grad_mode.h>

#include <cctype>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "trm/base/strings.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/augmentation.h"
#include "trm/data/dataset_builder.h"
#include "trm/eval/evaluator.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/optim/optimizer.h"

namespace trm::sweep {
namespace {

bool IsRunNamePart(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

// A grid value as it appears in a folder name ("1e-3" stays, "a,b" becomes "a_b").
std::string FolderSafe(const std::string& value) {
  std::string out;
  for (char c : value) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  }
  return out;
}

std::string AxisLabel(const Axis& axis) {
  if (axis.has_label()) return axis.label();
  const size_t dot = axis.path().rfind('.');
  return dot == std::string::npos ? axis.path() : axis.path().substr(dot + 1);
}

// Plugin names of the experiment that a registry with entries does not know.
absl::Status CheckPluginNames(const config::Experiment& e) {
  auto check = [](auto& registry, const std::string& field,
                  const std::string& name) -> absl::Status {
    if (registry.Keys().empty() || registry.Has(name)) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("experiment field ", field, ": ",
                                                   registry.UnknownNameError(name).message()));
  };
  TRM_RETURN_IF_ERROR(check(ArchitectureRegistry(), "arch.name", e.arch().name()));
  TRM_RETURN_IF_ERROR(check(LossRegistry(), "loss.name", e.loss().name()));
  TRM_RETURN_IF_ERROR(check(OptimizerRegistry(), "optimizer.name", e.optimizer().name()));
  if (e.has_puzzle_emb_optimizer()) {
    TRM_RETURN_IF_ERROR(check(OptimizerRegistry(), "puzzle_emb_optimizer.name",
                              e.puzzle_emb_optimizer().name()));
  }
  TRM_RETURN_IF_ERROR(check(LrScheduleRegistry(), "lr_schedule.name", e.lr_schedule().name()));
  if (!e.data().builder().empty()) {
    TRM_RETURN_IF_ERROR(check(DatasetBuilderRegistry(), "data.builder", e.data().builder()));
  }
  for (int i = 0; i < e.data().augmentations_size(); ++i) {
    TRM_RETURN_IF_ERROR(check(AugmentationRegistry(), absl::StrCat("data.augmentations[", i, "].name"),
                              e.data().augmentations(i).name()));
  }
  for (int i = 0; i < e.evaluators_size(); ++i) {
    TRM_RETURN_IF_ERROR(check(EvaluatorRegistry(), absl::StrCat("evaluators[", i, "].name"),
                              e.evaluators(i).name()));
  }
  return absl::OkStatus();
}

// Builds the architecture once with placeholder dataset sizes (the trainer injects the real
// ones): its factory checks the arch fields, so a bad variant fails here and not in its run.
absl::Status CheckArchitecture(const config::Experiment& e) {
  if (!ArchitectureRegistry().Has(e.arch().name())) return absl::OkStatus();
  config::ArchConfig arch = e.arch();
  arch.set_batch_size(1);
  arch.set_seq_len(4);
  arch.set_vocab_size(4);
  arch.set_num_puzzle_identifiers(1);
  at::NoGradGuard no_grad;
  return ArchitectureRegistry().Create(arch.name(), arch).status();
}

}  // namespace

absl::StatusOr<Sweep> LoadSweep(const std::string& name_or_path, const std::string& argv0) {
  TRM_ASSIGN_OR_RETURN(const std::string path,
                       config::FindConfigFile(name_or_path, "sweeps", "sweep", argv0));
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(path));
  Sweep sweep;
  TRM_RETURN_IF_ERROR(config::ParseTextProto(text, path, &sweep));
  if (!sweep.has_name()) sweep.set_name(std::filesystem::path(path).stem().string());
  absl::Status valid = ValidateSweep(sweep);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", valid.message()));
  return sweep;
}

absl::Status ValidateSweep(const Sweep& sweep) {
  auto invalid = [](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("sweep field ", field, ": ", why));
  };
  if (!IsRunNamePart(sweep.name())) {
    return invalid("name", absl::StrCat("'", sweep.name(), "' must be [A-Za-z0-9_.-]+"));
  }
  if (sweep.experiment().empty()) return invalid("experiment", "the base experiment is required");
  std::set<std::string> variants;
  for (int i = 0; i < sweep.variants_size(); ++i) {
    const std::string& name = sweep.variants(i).name();
    if (!IsRunNamePart(name)) {
      return invalid(absl::StrCat("variants[", i, "].name"),
                     absl::StrCat("'", name, "' must be [A-Za-z0-9_.-]+"));
    }
    if (!variants.insert(name).second) {
      return invalid(absl::StrCat("variants[", i, "].name"),
                     absl::StrCat("variant '", name, "' is defined twice"));
    }
  }
  std::set<std::string> labels;
  for (int i = 0; i < sweep.grid_size(); ++i) {
    const Axis& axis = sweep.grid(i);
    const std::string field = absl::StrCat("grid[", i, "]");
    if (axis.path().empty()) return invalid(field + ".path", "is required");
    if (axis.values().empty()) return invalid(field + ".values", "needs at least one value");
    if (!IsRunNamePart(AxisLabel(axis))) {
      return invalid(field + ".label", absl::StrCat("'", AxisLabel(axis), "' must be [A-Za-z0-9_.-]+"));
    }
    if (!labels.insert(AxisLabel(axis)).second) {
      return invalid(field + ".label",
                     absl::StrCat("two axes are labelled '", AxisLabel(axis), "'"));
    }
    std::set<std::string> values(axis.values().begin(), axis.values().end());
    if (values.size() != static_cast<size_t>(axis.values_size())) {
      return invalid(field + ".values", "has a value twice");
    }
  }
  std::set<int64_t> seeds(sweep.seeds().begin(), sweep.seeds().end());
  if (seeds.size() != static_cast<size_t>(sweep.seeds_size())) {
    return invalid("seeds", "has a seed twice");
  }
  for (int i = 0; i < sweep.metrics_size(); ++i) {
    const Metric& metric = sweep.metrics(i);
    if (metric.name().empty()) return invalid(absl::StrCat("metrics[", i, "].name"), "is required");
    if (metric.reduce() == Metric::AT_STEP && metric.step() <= 0) {
      return invalid(absl::StrCat("metrics[", i, "].step"), "AT_STEP needs a step > 0");
    }
  }
  if (sweep.has_baseline() && !variants.empty() && !variants.count(sweep.baseline())) {
    return invalid("baseline", absl::StrCat("no variant '", sweep.baseline(), "'",
                                            DidYouMean(sweep.baseline(), VariantNames(sweep))));
  }
  const SlurmOptions& slurm = sweep.slurm();
  if (slurm.tasks_per_run() < 1) return invalid("slurm.tasks_per_run", "must be >= 1");
  if (slurm.cpus_per_task() < 0) return invalid("slurm.cpus_per_task", "must be >= 0");
  if (slurm.gpus_per_task() < 0) return invalid("slurm.gpus_per_task", "must be >= 0");
  if (slurm.max_concurrent() < 0) return invalid("slurm.max_concurrent", "must be >= 0");
  if (slurm.signal_grace_seconds() < 0) return invalid("slurm.signal_grace_seconds", "must be >= 0");
  return absl::OkStatus();
}

std::vector<std::string> VariantNames(const Sweep& sweep) {
  std::vector<std::string> names;
  for (const Variant& variant : sweep.variants()) names.push_back(variant.name());
  if (names.empty()) names.push_back("base");
  return names;
}

std::string BaselineVariant(const Sweep& sweep) {
  return sweep.has_baseline() ? sweep.baseline() : VariantNames(sweep).front();
}

absl::StatusOr<std::vector<SweepRun>> ExpandSweep(const Sweep& sweep, const std::string& argv0) {
  TRM_RETURN_IF_ERROR(ValidateSweep(sweep));
  std::vector<Variant> variants(sweep.variants().begin(), sweep.variants().end());
  if (variants.empty()) variants.emplace_back().set_name("base");

  // The grid points in row-major order: the last axis varies fastest.
  std::vector<std::vector<int>> points = {{}};
  for (const Axis& axis : sweep.grid()) {
    std::vector<std::vector<int>> next;
    for (const std::vector<int>& point : points) {
      for (int v = 0; v < axis.values_size(); ++v) {
        next.push_back(point);
        next.back().push_back(v);
      }
    }
    points = std::move(next);
  }

  std::vector<SweepRun> runs;
  for (const Variant& variant : variants) {
    for (const std::vector<int>& point : points) {
      SweepRun prototype;
      prototype.variant = variant.name();
      prototype.overrides.assign(sweep.set().begin(), sweep.set().end());
      prototype.overrides.insert(prototype.overrides.end(), variant.set().begin(),
                                 variant.set().end());
      std::string name = variant.name();
      for (size_t a = 0; a < point.size(); ++a) {
        const Axis& axis = sweep.grid(static_cast<int>(a));
        const std::string& value = axis.values(point[a]);
        prototype.grid.emplace_back(AxisLabel(axis), value);
        prototype.overrides.push_back(absl::StrCat(axis.path(), "=", value));
        absl::StrAppend(&name, "-", AxisLabel(axis), FolderSafe(value));
      }
      std::string where = absl::StrCat("variant '", variant.name(), "'");
      for (const auto& [label, value] : prototype.grid) absl::StrAppend(&where, " ", label, "=", value);

      // The experiment without the seed first: its own seed is the default.
      absl::StatusOr<config::Experiment> experiment =
          config::LoadExperiment(sweep.experiment(), prototype.overrides, argv0);
      if (!experiment.ok()) {
        return absl::Status(experiment.status().code(),
                            absl::StrCat(where, ": ", experiment.status().message()));
      }
      absl::Status plugins = CheckPluginNames(*experiment);
      if (plugins.ok()) plugins = CheckArchitecture(*experiment);
      if (!plugins.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", plugins.message()));
      }
      std::vector<int64_t> seeds(sweep.seeds().begin(), sweep.seeds().end());
      if (seeds.empty()) seeds.push_back(experiment->train().seed());
      for (int64_t seed : seeds) {
        SweepRun run = prototype;
        run.index = static_cast<int>(runs.size());
        run.seed = seed;
        run.name = absl::StrCat(name, "-seed", seed);
        run.overrides.push_back(absl::StrCat("train.seed=", seed));
        run.experiment = *experiment;
        run.experiment.mutable_train()->set_seed(seed);
        runs.push_back(std::move(run));
      }
    }
  }
  return runs;
}

}  // namespace trm::sweep
