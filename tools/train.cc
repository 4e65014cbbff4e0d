// Trains a model as the reference's pretrain.py does (spec §6), from one CPU process to many.
//
//   bazel run //tools:train -- --experiment=arc2_trm_cpu
//   bazel run //tools:train -- --experiment=arc2_trm_cpu --nproc_per_node=2     # 2 processes, Gloo
//   torchrun --nproc_per_node=4 bazel-bin/tools/train --experiment=arc2_trm --device=cuda
//   bazel run //tools:train -- --experiment=arc2_trm_cpu --resume=latest
//   srun --ntasks=4 bazel-bin/tools/train --experiment=arc2_trm_cpu    # ranks from Slurm's step
//
// SIGTERM, SIGUSR1 or SIGINT stop the run after the current step with a checkpoint; the exit
// status is then 75 (EX_TEMPFAIL: stopped, resumable with --resume=latest).
#include <sysexits.h>

#include <cstdio>
#include <optional>

#include "ATen/Parallel.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/dataset_building.h"
#include "tools/process_group.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"
#include "trm/train/trainer.h"

ABSL_FLAG(
    std::string, run_dir, "",
    "Output folder of the run (default: checkpoint.dir, else <workspace>/runs/<experiment>).");
ABSL_FLAG(std::string, resume, "",
          "'latest' (newest checkpoint of the run folder; starts fresh if there is none) or a "
          "checkpoint folder to continue from exactly.");
ABSL_FLAG(int64_t, max_steps, 0,
          "Stop after this many optimizer steps (overrides train.max_steps).");
ABSL_FLAG(std::string, data_root, "", "Folder of built datasets (default: <workspace>/runs/data).");
ABSL_FLAG(std::string, task_dir, "",
          "Folder of the raw task files, for building a missing dataset (default: data.task_dir).");

namespace {

std::string DefaultRunDir(const trm::config::Experiment& experiment) {
  if (!experiment.checkpoint().dir().empty())
    return trm::ResolveUserPath(experiment.checkpoint().dir());
  const std::string root = trm::WorkspaceRoot();
  return (root.empty() ? std::string("runs") : root + "/runs") + "/" + experiment.name();
}

}  // namespace

int main(int argc, char** argv) {
  // First of all, before the plugins load: a signal during set-up stops the run before its first
  // step instead of killing it (the launcher below installs its own forwarding handlers).
  trm::InstallStopSignalHandlers();
  trm::InitTool(argc, argv,
                "Trains a model: train --experiment=NAME [--set path=value ...] [--resume=latest] "
                "[--nproc_per_node=N] [--device=cpu|cuda] [--print_config] [--list_plugins]");
  trm::config::Experiment experiment = trm::ExperimentFromFlagsOrDie();
  if (absl::GetFlag(FLAGS_max_steps) > 0) {
    experiment.mutable_train()->set_max_steps(absl::GetFlag(FLAGS_max_steps));
  }

  if (std::optional<int> status = trm::LaunchLocalWorkersIfAsked(argc, argv)) return *status;
  const trm::ProcessGroup group = trm::JoinProcessGroupOrDie(experiment);

  trm::TrainerOptions options;
  options.experiment = experiment;
  options.run_dir = absl::GetFlag(FLAGS_run_dir).empty()
                        ? DefaultRunDir(experiment)
                        : trm::ResolveUserPath(absl::GetFlag(FLAGS_run_dir));
  options.resume = absl::GetFlag(FLAGS_resume);
  options.device = group.device;
  options.data_root = absl::GetFlag(FLAGS_data_root);
  options.build_missing_dataset = [&experiment](const std::string& dataset_dir) -> absl::Status {
    std::fprintf(stderr, "building dataset '%s' with builder '%s' into %s\n",
                 experiment.data().path().c_str(), experiment.data().builder().c_str(),
                 dataset_dir.c_str());
    trm::DatasetBuildOptions build;
    build.output_dir = dataset_dir;
    build.num_threads = at::get_num_threads();
    absl::StatusOr<trm::DatasetBuildSummary> summary =
        trm::BuildExperimentDataset(experiment.data(), absl::GetFlag(FLAGS_task_dir), build);
    if (!summary.ok()) return summary.status();
    std::fputs(trm::DescribeBuild(*summary).c_str(), stderr);
    return absl::OkStatus();
  };

  absl::StatusOr<std::unique_ptr<trm::Trainer>> trainer =
      trm::Trainer::Create(options, group.communicator.get());
  if (!trainer.ok()) trm::Die(trainer.status());
  if (absl::Status status = (*trainer)->Run(); !status.ok()) trm::Die(status);
  return (*trainer)->stop_signal() != 0 ? EX_TEMPFAIL : 0;
}
