// Evaluates a model on the test split of a built dataset: metrics (printed and saved as JSON),
// submission.json in the Kaggle ARC Prize format, and optionally an HTML report.
//
//   bazel run //tools:eval -- --experiment=arc2_trm
//   --checkpoint=runs/arc2_trm/checkpoints/step_1000 bazel run //tools:eval --
//   --experiment=arc2_trm --checkpoint=step_722098 --report=runs/report bazel run //tools:eval --
//   --experiment=arc2_trm_cpu --checkpoint=runs/arc2_trm_cpu --weights=raw bazel run //tools:eval
//   -- --experiment=arc2_trm_cpu --untrained      # pipeline smoke test
//
// --checkpoint takes a weights file (our .safetensors, a reference checkpoint `step_N`, a
// torch.save .pt), a checkpoint folder of our trainer (step_N/), or a run folder (its latest
// checkpoint). The model is built from the experiment with the dataset's shapes; a checkpoint of
// another configuration is an error naming the mismatched tensors.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tools/checkpoint_source.h"
#include "trm/app/app.h"
#include "trm/base/file_util.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"
#include "trm/base/strings.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/data/dataset_paths.h"
#include "trm/data/puzzle_dataset.h"
#include "trm/distributed/c10d_communicator.h"
#include "trm/distributed/env.h"
#include "trm/distributed/launcher.h"
#include "trm/eval/evaluation.h"
#include "trm/eval/evaluator.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/train/checkpoint_dir.h"
#include "trm/train/train_state.h"

ABSL_FLAG(std::string, checkpoint, "",
          "Weights to evaluate: a weights file (.safetensors, a reference step_N or .pt), a "
          "checkpoint folder of our trainer (step_N/) or a run folder (its latest checkpoint).");
ABSL_FLAG(std::string, weights, "ema",
          "For a checkpoint folder: 'ema' = the evaluation weights (EMA parameters when the run "
          "keeps an EMA, as the reference evaluates), 'raw' = the live training parameters.");
ABSL_FLAG(bool, untrained, false,
          "Evaluate a freshly initialised model (seed train.seed) instead of a checkpoint.");
ABSL_FLAG(std::string, data, "",
          "Dataset root to evaluate (default: the experiment's data.test_path, else data.path).");
ABSL_FLAG(std::string, data_root, "",
          "Folder that relative dataset paths are resolved against (default: $TRM_DATA_ROOT, "
          "else runs/data).");
ABSL_FLAG(std::string, out, "",
          "Folder for metrics.json and submission.json (default: runs/eval/<experiment>).");
ABSL_FLAG(std::string, report, "", "Also write the evaluators' HTML report into this folder.");
ABSL_FLAG(int, batch_size, 0, "Global evaluation batch size (default: train.global_batch_size).");
ABSL_FLAG(std::string, device, "cpu", "cpu, or cuda (each process uses cuda:LOCAL_RANK).");
ABSL_FLAG(int, nproc_per_node, 0,
          "Start this many processes on this machine (like torchrun --nproc_per_node).");

namespace trm {
namespace {

namespace fs = std::filesystem;

template <typename T>
T OrDie(absl::StatusOr<T> value) {
  if (!value.ok()) Die(value.status());
  return *std::move(value);
}

void OrDie(const absl::Status& status) {
  if (!status.ok()) Die(status);
}

// The live (non-EMA) parameters of a checkpoint folder: the weights file holds the EMA
// parameters and the live buffers, rank 0's training state the live parameters.
absl::StatusOr<std::string> LoadRawParameters(const std::string& folder, Architecture& model) {
  const std::string state_path = TrainStatePath(folder, 0);
  TRM_ASSIGN_OR_RETURN(const auto tensors, ReadSafetensors(state_path));
  if (WithPrefix(tensors, kLiveParameterPrefix).empty()) {
    return std::string("the run kept no EMA: its weights file already holds the live weights");
  }
  TRM_RETURN_IF_ERROR(LoadLiveParameters(tensors, state_path, model));
  return absl::StrCat("live parameters from ", state_path, ", buffers from ",
                      CheckpointWeightsPath(folder));
}

std::string DatasetRoot(const config::Experiment& experiment) {
  if (!absl::GetFlag(FLAGS_data).empty()) return ResolveUserPath(absl::GetFlag(FLAGS_data));
  const std::string& path = experiment.data().test_path().empty() ? experiment.data().path()
                                                                  : experiment.data().test_path();
  if (path.empty()) {
    Die(absl::InvalidArgumentError(absl::StrCat(
        "experiment '", experiment.name(), "' names no dataset (data.path); pass --data=DIR")));
  }
  return ResolveDatasetPath(path, absl::GetFlag(FLAGS_data_root));
}

std::string DefaultOutputDir(const config::Experiment& experiment) {
  const std::string root =
      WorkspaceRoot().empty() ? std::string("runs") : WorkspaceRoot() + "/runs";
  return absl::StrCat(root, "/eval/", experiment.name());
}

int Main(int argc, char** argv) {
  const std::string usage =
      "Evaluates a model on a dataset's test split: eval --experiment=NAME "
      "(--checkpoint=PATH [--weights=ema|raw] | --untrained) [--data=DIR] [--out=DIR] "
      "[--report=DIR] [--batch_size=N] [--nproc_per_node=N] [--device=cpu|cuda]";
  InitTool(argc, argv, usage.c_str());
  const int nproc = absl::GetFlag(FLAGS_nproc_per_node);
  if (nproc > 1 && std::getenv("RANK") == nullptr) {
    return OrDie(
        LaunchLocalWorkers(SelfExecutable(), ArgsWithoutFlag(argc, argv, "nproc_per_node"), nproc));
  }
  config::Experiment experiment = ExperimentFromFlagsOrDie();

  const bool untrained = absl::GetFlag(FLAGS_untrained);
  if (untrained == !absl::GetFlag(FLAGS_checkpoint).empty()) {
    Die(absl::InvalidArgumentError("give exactly one of --checkpoint=PATH and --untrained"));
  }
  const std::string weights = absl::GetFlag(FLAGS_weights);
  if (weights != "ema" && weights != "raw") {
    Die(absl::InvalidArgumentError(
        absl::StrCat("--weights must be 'ema' or 'raw', got '", weights, "'")));
  }
  std::optional<CheckpointSource> checkpoint;
  if (!untrained) {
    checkpoint = OrDie(ResolveCheckpoint(absl::GetFlag(FLAGS_checkpoint)));
    if (weights == "raw" && checkpoint->folder.empty()) {
      Die(absl::InvalidArgumentError(absl::StrCat(
          "--weights=raw needs a checkpoint folder of our trainer (its training state holds the "
          "live weights); ",
          checkpoint->weights_file, " is a single weights file")));
    }
  }

  const DistributedEnv env = OrDie(DistributedEnvFromEnvironment());
  std::string device_name = absl::GetFlag(FLAGS_device);
  if (device_name == "cuda") device_name = absl::StrCat("cuda:", env.local_rank);
  if (absl::Status status = trm::CheckDevice(device_name); !status.ok()) trm::Die(status);
  CommunicatorOptions communicator_options;
  communicator_options.backend = experiment.distributed().backend();
  communicator_options.device = device_name;
  const std::unique_ptr<Communicator> communicator =
      OrDie(MakeCommunicator(env, communicator_options));
  const bool root = communicator->rank() == 0;
  const at::Device device(device_name);

  // The test split.
  const std::string data_root = DatasetRoot(experiment);
  if (!fs::exists(data_root + "/test/dataset.json")) {
    Die(absl::NotFoundError(absl::StrCat(data_root, ": no test split (", data_root,
                                         "/test/dataset.json); build the dataset with "
                                         "//tools:build_dataset")));
  }
  PuzzleDatasetOptions data_options;
  data_options.dataset_paths = {data_root};
  data_options.split = "test";
  data_options.test_set_mode = true;
  data_options.global_batch_size = absl::GetFlag(FLAGS_batch_size) > 0
                                       ? absl::GetFlag(FLAGS_batch_size)
                                       : experiment.train().global_batch_size();
  data_options.rank = communicator->rank();
  data_options.num_replicas = communicator->world_size();
  data_options.seed = static_cast<uint64_t>(experiment.train().seed());
  data_options.pin_memory = device.is_cuda();
  const std::unique_ptr<PuzzleDataset> test_data = OrDie(PuzzleDataset::Open(data_options));
  int64_t examples = 0;
  for (size_t set = 0; set < test_data->set_names().size(); ++set)
    examples += test_data->num_examples(set);
  if (examples == 0) {
    Die(absl::FailedPreconditionError(absl::StrCat(data_root, "/test: the test split is empty")));
  }

  // The model, with the dataset's shapes (spec §1.2).
  const DatasetMetadata& metadata = test_data->metadata();
  config::ArchConfig arch = experiment.arch();
  arch.set_batch_size(static_cast<int32_t>(test_data->local_batch_size()));
  arch.set_seq_len(static_cast<int32_t>(metadata.seq_len));
  arch.set_vocab_size(static_cast<int32_t>(metadata.vocab_size));
  arch.set_num_puzzle_identifiers(static_cast<int32_t>(metadata.num_puzzle_identifiers));
  at::manual_seed(experiment.train().seed());
  std::unique_ptr<Architecture> model = OrDie(ArchitectureRegistry().Create(arch.name(), arch));
  model->to(device);
  std::string weights_description =
      "untrained (seed " + std::to_string(experiment.train().seed()) + ")";
  if (checkpoint.has_value()) {
    // Our checkpoints carry checksums: a damaged weights file is named, not loaded.
    if (absl::Status intact = VerifyChecksumFile(checkpoint->weights_file); !intact.ok()) Die(intact);
    const LoadReport report = OrDie(LoadWeightsFile(checkpoint->weights_file, *model));
    weights_description = absl::StrCat(report.tensors, " tensors from ", checkpoint->weights_file);
    if (weights == "raw")
      weights_description = OrDie(LoadRawParameters(checkpoint->folder, *model));
  }
  std::unique_ptr<LossHead> loss_head =
      OrDie(LossRegistry().Create(experiment.loss().name(), experiment.loss()));

  std::vector<std::unique_ptr<Evaluator>> evaluators;
  std::vector<Evaluator*> evaluator_pointers;
  for (const config::EvaluatorConfig& config : experiment.evaluators()) {
    evaluators.push_back(OrDie(EvaluatorRegistry().Create(
        config.name(), config, EvaluatorContext{data_root, communicator.get()})));
    evaluator_pointers.push_back(evaluators.back().get());
  }

  const std::string out_dir = absl::GetFlag(FLAGS_out).empty()
                                  ? DefaultOutputDir(experiment)
                                  : ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (root) {
    std::printf("evaluating %s on %s (%lld test rows, global batch %lld, %d process(es), %s)\n",
                weights_description.c_str(), data_root.c_str(), static_cast<long long>(examples),
                static_cast<long long>(data_options.global_batch_size), communicator->world_size(),
                device.str().c_str());
    std::fflush(stdout);
  }
  int64_t batches_per_rank = 0;  // every rank walks every window of every set (spec §9.5)
  for (size_t set = 0; set < test_data->set_names().size(); ++set) {
    batches_per_rank += (test_data->num_examples(set) + data_options.global_batch_size - 1) /
                        data_options.global_batch_size;
  }
  EvalBatchSource next_batch = [&]() -> std::optional<EvalBatch> {
    std::optional<PuzzleDataset::Item> item = test_data->Next();
    if (!item.has_value()) return std::nullopt;
    return EvalBatch{item->set_name, std::move(item->batch), item->global_effective_count};
  };
  EvaluationOptions options;
  options.output_dir = out_dir;
  if (root) {
    // One line rewritten in place on a terminal; a line per batch in logs.
    const bool terminal = isatty(fileno(stderr)) != 0;
    options.on_batch = [&, terminal](const EvalProgress& progress) {
      std::fprintf(stderr, "%seval: batch %lld/%lld, %.1f rows/s%s", terminal ? "\r" : "",
                   static_cast<long long>(progress.batches),
                   static_cast<long long>(batches_per_rank),
                   progress.rows / std::max(progress.seconds, 1e-9),
                   terminal && progress.batches < batches_per_rank ? "   " : "\n");
    };
  }
  const auto start = std::chrono::steady_clock::now();
  const std::map<std::string, double> metrics =
      OrDie(Evaluate(*model, *loss_head, next_batch, evaluator_pointers, *communicator, options));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!root) return 0;

  nlohmann::ordered_json json;
  json["experiment"] = experiment.name();
  json["weights"] = weights_description;
  json["weights_kind"] = untrained ? "untrained" : weights;
  json["dataset"] = data_root;
  json["test_rows"] = examples;
  json["processes"] = communicator->world_size();
  json["device"] = device.str();
  json["seconds"] = seconds;
  for (const config::EvaluatorConfig& config : experiment.evaluators()) {
    // The plugin's settings are its extension: printed by the descriptors the plugin registered.
    json["evaluators"].push_back({{"name", config.name()}, {"config", config.ShortDebugString()}});
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : metrics) names.push_back(name);
  std::sort(names.begin(), names.end(), NaturalLess);
  for (const std::string& name : names) {
    json["metrics"][name] = metrics.at(name);
    std::printf("%-28s %.6f\n", name.c_str(), metrics.at(name));
  }
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error)
    Die(absl::InternalError(absl::StrCat(out_dir, ": cannot create folder: ", error.message())));
  OrDie(WriteFileAtomically(out_dir + "/metrics.json", json.dump(2) + "\n"));
  std::printf("wrote %s/metrics.json", out_dir.c_str());
  if (fs::exists(out_dir + "/submission.json")) std::printf(" and submission.json");
  std::printf(" (%.1f s)\n", seconds);

  if (!absl::GetFlag(FLAGS_report).empty()) {
    const std::string report_dir = ResolveUserPath(absl::GetFlag(FLAGS_report));
    const std::vector<std::pair<std::string, std::string>> run_info = {
        {"experiment", experiment.name()},
        {"weights", weights_description},
        {"dataset", data_root},
        {"test rows", std::to_string(examples)}};
    for (Evaluator* evaluator : evaluator_pointers) {
      const absl::Status status = evaluator->WriteReport(report_dir, run_info);
      if (absl::IsUnimplemented(status)) continue;
      OrDie(status);
      std::printf("wrote the report to %s\n", report_dir.c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  try {
    return trm::Main(argc, argv);
  } catch (const c10::Error& e) {
    trm::Die(absl::InternalError(e.what_without_backtrace()));
  }
}
