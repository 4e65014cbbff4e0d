// Solves ARC tasks a model never trained on, the Kaggle setting: the test inputs come without
// solutions and the model has no puzzle embedding for their tasks. From a trained checkpoint and
// a challenges file it
//
//   1. writes a complete fallback submission.json at once (every task, 2 attempts per test input),
//   2. builds the augmented demonstrations and test inputs of those tasks with the experiment's
//      ARC builder, their identifiers appended after the checkpoint's trained ones,
//   3. grows the puzzle-embedding table for them (--new_rows: the mean of the trained rows, or the
//      blank identifier's row), the trained rows unchanged bit for bit,
//   4. fine-tunes on the demonstrations (--finetune: the embeddings only, or the whole model) for
//      --finetune_steps or until the time budget must go to prediction,
//   5. predicts the test inputs with the augmentation vote and replaces submission.json.
//
//   bazel run //tools:solve -- --experiment=runs/arc2_trm_cpu/config.textproto
//     --checkpoint=runs/arc2_trm_cpu --challenges=arc-agi_test_challenges.json --out=runs/solve
//     --finetune_steps=400 --time_budget=20m                                       (one line)
//
// With --time_budget the solver first times two prediction batches, stops fine-tuning when the
// rest of the budget is what prediction and the final checkpoint need, and stops predicting at the
// budget's end (tasks not reached keep their fallback attempts). --solutions=FILE scores the
// result (ARC/pass@k, the Kaggle score). Multi-process and CUDA as //tools:train (CUDA untested).
#include <ATen/Parallel.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/kaggle_submission.h"
#include "tools/checkpoint_source.h"
#include "tools/dataset_building.h"
#include "tools/process_group.h"
#include "tools/solve/time_budget.h"
#include "trm/app/app.h"
#include "trm/base/file_util.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/puzzle_dataset.h"
#include "trm/eval/evaluation.h"
#include "trm/eval/evaluator.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/train/checkpoint_dir.h"
#include "trm/train/trainer.h"

ABSL_FLAG(std::string, checkpoint, "",
          "Trained weights: a weights file (.safetensors, a reference step_N or .pt), a "
          "checkpoint folder of our trainer (step_N/) or a run folder (its latest checkpoint).");
ABSL_FLAG(std::string, challenges, "",
          "Tasks to solve, Kaggle layout (task id -> {train: [...], test: [{input}, ...]}).");
ABSL_FLAG(std::string, solutions, "",
          "Optional solutions of the challenges (Kaggle layout): the result is scored.");
ABSL_FLAG(std::string, out, "",
          "New folder for submission.json, solve.json and the work (data/, finetune/, "
          "predict/); an existing non-empty folder is refused.");
ABSL_FLAG(std::string, finetune, "all",
          "What fine-tuning on the demonstrations trains: 'all' (the whole model and the new "
          "embeddings), 'embeddings' (the new puzzle embeddings only) or 'none'.");
ABSL_FLAG(int64_t, finetune_steps, 0,
          "Optimizer steps of fine-tuning (the learning-rate schedule spans them); required "
          "unless --finetune=none.");
ABSL_FLAG(std::string, new_rows, "mean",
          "Initial embedding of each new identifier: 'mean' (of the trained identifiers' rows) or "
          "'blank' (the blank identifier's row).");
ABSL_FLAG(absl::Duration, time_budget, absl::InfiniteDuration(),
          "Wall time for everything (e.g. 11h30m); prediction stops at its end and tasks not "
          "reached keep fallback attempts. Default: no limit.");

namespace trm {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// The staged task files, named so that the ARC builder reads them as the test subset "test".
constexpr char kTaskPrefix[] = "unseen";
constexpr char kTaskSubset[] = "test";
// Prediction batches timed before fine-tuning to plan the budget.
constexpr int kProbeBatches = 2;

enum class Finetune { kAll, kEmbeddings, kNone };

struct Settings {
  CheckpointSource checkpoint;
  std::string challenges;
  std::string solutions;  // "" = unscored
  std::string out;
  Finetune finetune = Finetune::kAll;
  int64_t finetune_steps = 0;
  PuzzleTableResize new_rows = PuzzleTableResize::kAppendMean;
  absl::Duration time_budget = absl::InfiniteDuration();
};

Settings SettingsFromFlagsOrDie() {
  Settings settings;
  auto required = [](const std::string& value, const char* flag) {
    if (value.empty()) Die(absl::InvalidArgumentError(absl::StrCat("--", flag, " is required")));
    return value;
  };
  settings.checkpoint = OrDie(ResolveCheckpoint(required(absl::GetFlag(FLAGS_checkpoint), "checkpoint")));
  settings.challenges = ResolveUserPath(required(absl::GetFlag(FLAGS_challenges), "challenges"));
  if (!absl::GetFlag(FLAGS_solutions).empty()) {
    settings.solutions = ResolveUserPath(absl::GetFlag(FLAGS_solutions));
  }
  settings.out = ResolveUserPath(required(absl::GetFlag(FLAGS_out), "out"));
  const std::string finetune = absl::GetFlag(FLAGS_finetune);
  if (finetune == "all") {
    settings.finetune = Finetune::kAll;
  } else if (finetune == "embeddings") {
    settings.finetune = Finetune::kEmbeddings;
  } else if (finetune == "none") {
    settings.finetune = Finetune::kNone;
  } else {
    Die(absl::InvalidArgumentError(absl::StrCat(
        "--finetune must be 'all', 'embeddings' or 'none', got '", finetune, "'")));
  }
  settings.finetune_steps = absl::GetFlag(FLAGS_finetune_steps);
  if (settings.finetune != Finetune::kNone && settings.finetune_steps <= 0) {
    Die(absl::InvalidArgumentError(absl::StrCat(
        "--finetune_steps must be positive with --finetune=", finetune,
        " (or pass --finetune=none)")));
  }
  const std::string new_rows = absl::GetFlag(FLAGS_new_rows);
  if (new_rows == "mean") {
    settings.new_rows = PuzzleTableResize::kAppendMean;
  } else if (new_rows == "blank") {
    settings.new_rows = PuzzleTableResize::kAppendBlank;
  } else {
    Die(absl::InvalidArgumentError(
        absl::StrCat("--new_rows must be 'mean' or 'blank', got '", new_rows, "'")));
  }
  settings.time_budget = absl::GetFlag(FLAGS_time_budget);
  if (settings.time_budget <= absl::ZeroDuration()) {
    Die(absl::InvalidArgumentError("--time_budget must be positive"));
  }
  return settings;
}

// The challenges (with their solutions when given), each error one line naming the file.
absl::StatusOr<std::vector<ArcTask>> ReadChallenges(const Settings& settings) {
  TRM_ASSIGN_OR_RETURN(std::vector<ArcTask> tasks, ReadArcTasksFile(settings.challenges));
  if (tasks.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(settings.challenges, ": no tasks"));
  }
  for (const ArcTask& task : tasks) {
    if (task.train.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          settings.challenges, ": task '", task.id, "' has no demonstration pairs (train)"));
    }
    for (size_t i = 0; i < task.train.size(); ++i) {
      if (!task.train[i].output.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(settings.challenges, ": task '", task.id,
                                                       "' train[", i, "] has no output"));
      }
    }
  }
  if (!settings.solutions.empty()) {
    TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(settings.solutions));
    TRM_RETURN_IF_ERROR(AttachArcSolutions(text, settings.solutions, tasks));
  }
  return tasks;
}

// Every task, every test input: the fallback grid twice.
KaggleSubmission FallbackSubmission(const std::vector<ArcTask>& tasks) {
  KaggleSubmission submission;
  for (const ArcTask& task : tasks) {
    submission.tasks.push_back(
        {task.id, std::vector<std::vector<Grid>>(
                      task.test.size(), std::vector<Grid>(kKaggleAttempts, FallbackGrid()))});
  }
  return submission;
}

// The evaluator's predictions where it made them, the fallback elsewhere, 2 attempts each.
KaggleSubmission MergePredictions(const std::vector<ArcTask>& tasks,
                                  const std::optional<KaggleSubmission>& predicted,
                                  int64_t* tasks_predicted) {
  std::map<std::string, const KaggleSubmission::Task*> by_id;
  if (predicted.has_value()) {
    for (const KaggleSubmission::Task& task : predicted->tasks) by_id[task.id] = &task;
  }
  KaggleSubmission submission = FallbackSubmission(tasks);
  *tasks_predicted = 0;
  for (KaggleSubmission::Task& task : submission.tasks) {
    auto it = by_id.find(task.id);
    if (it == by_id.end() || it->second->attempts.size() != task.attempts.size()) continue;
    ++*tasks_predicted;
    for (size_t input = 0; input < task.attempts.size(); ++input) {
      const std::vector<Grid>& attempts = it->second->attempts[input];
      for (size_t a = 0; a < task.attempts[input].size() && a < attempts.size(); ++a) {
        task.attempts[input][a] = attempts[a];
      }
    }
  }
  return submission;
}

// The out folder, new or empty; nothing in it is ever replaced but submission.json, which this
// run writes first.
absl::Status PrepareOutFolder(const std::string& out) {
  std::error_code error;
  if (fs::exists(out, error) && !fs::is_empty(out, error)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "--out ", out, ": exists and is not empty; give a new folder (nothing is overwritten)"));
  }
  fs::create_directories(out, error);
  if (error) {
    return absl::PermissionDeniedError(absl::StrCat(out, ": cannot create: ", error.message()));
  }
  return absl::OkStatus();
}

// Copies the challenges (and solutions) where the ARC builder looks for the subset "test".
absl::StatusOr<std::string> StageTaskFiles(const Settings& settings) {
  const std::string dir = settings.out + "/tasks";
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return absl::PermissionDeniedError(absl::StrCat(dir, ": ", error.message()));
  const std::string stem = absl::StrCat(dir, "/", kTaskPrefix, "_", kTaskSubset);
  TRM_ASSIGN_OR_RETURN(const std::string challenges, ReadFileToString(settings.challenges));
  TRM_RETURN_IF_ERROR(WriteFileAtomically(stem + "_challenges.json", challenges));
  if (!settings.solutions.empty()) {
    TRM_ASSIGN_OR_RETURN(const std::string solutions, ReadFileToString(settings.solutions));
    TRM_RETURN_IF_ERROR(WriteFileAtomically(stem + "_solutions.json", solutions));
  }
  return dir;
}

// Rows of the stored puzzle-embedding table: the first identifier free for new tasks.
int64_t TrainedIdentifiers(const NamedTensors& weights) {
  for (const auto& [key, tensor] : weights) {
    if (StripCheckpointPrefixes(key) == kPuzzleTableKey && tensor.dim() == 2) {
      return tensor.size(0);
    }
  }
  return 1;  // a model without a puzzle-embedding table: only the blank identifier
}

// The experiment with its dataset replaced by the unseen tasks (ids from `first_identifier`).
absl::Status PointAtUnseenTasks(const std::string& task_dir, const std::string& data_dir,
                                int64_t first_identifier, config::Experiment& experiment) {
  if (experiment.data().builder() != "arc") {
    return absl::InvalidArgumentError(absl::StrCat(
        "experiment '", experiment.name(), "': data.builder is '", experiment.data().builder(),
        "'; the solver reads ARC challenges and needs the 'arc' builder"));
  }
  const std::string arc = "data.[trm.arc.arc]";
  TRM_ASSIGN_OR_RETURN(const std::string canvas, ReadField(experiment, arc + ".canvas_size"));
  TRM_ASSIGN_OR_RETURN(const std::string max_train_pairs,
                       ReadField(experiment, arc + ".task_filter.max_train_pairs"));
  for (const std::string& assignment : std::vector<std::string>{
           "data.task_dir=" + task_dir,
           "data.path=" + data_dir,
           "data.test_path=",
           absl::StrCat(arc, ".input_file_prefix=", kTaskPrefix),
           absl::StrCat(arc, ".subsets=", kTaskSubset),
           absl::StrCat(arc, ".test_set_name=", kTaskSubset),
           absl::StrCat(arc, ".puzzle_identifiers_start=", first_identifier),
           arc + ".allow_missing_solutions=true",
           // Every task, except those whose grids do not fit the model's canvas (they keep the
           // fallback attempts).
           absl::StrCat(arc, ".task_filter={max_grid_side: ", canvas,
                        " max_train_pairs: ", max_train_pairs, "}")}) {
    TRM_RETURN_IF_ERROR(ApplyOverride(assignment, &experiment));
  }
  bool has_arc_evaluator = false;
  for (const config::EvaluatorConfig& evaluator : experiment.evaluators()) {
    has_arc_evaluator |= evaluator.name() == "arc";
  }
  if (!has_arc_evaluator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "experiment '", experiment.name(),
        "' has no 'arc' evaluator; it votes the predictions into the submission"));
  }
  return absl::OkStatus();
}

struct Phase {
  double seconds = 0;
  std::map<std::string, double> metrics;
};

class Solver {
 public:
  Solver(Settings settings, config::Experiment experiment, Communicator* communicator,
         at::Device device, absl::Time start)
      : settings_(std::move(settings)),
        experiment_(std::move(experiment)),
        communicator_(communicator),
        device_(device),
        budget_(start, settings_.time_budget) {}

  absl::Status Run();

 private:
  bool IsRoot() const { return communicator_->rank() == 0; }
  absl::Status Prepare();
  absl::Status OpenTestSplit();
  // The model for the test split with `weights` (read from `source`, checksum verified).
  absl::Status BuildModel(const NamedTensors& weights, const std::string& source,
                          PuzzleTableResize resize);
  // Verifies and reads a weights file.
  static absl::StatusOr<NamedTensors> ReadVerifiedWeights(const std::string& weights_file);
  // Seconds per test batch on this rank, from the first kProbeBatches.
  absl::StatusOr<double> TimePredictionBatches();
  absl::Status Finetune(absl::Time deadline);
  absl::Status Predict();
  absl::Status WriteResults();

  Settings settings_;
  config::Experiment experiment_;
  Communicator* communicator_;
  at::Device device_;
  TimeBudget budget_;

  std::vector<ArcTask> tasks_;
  // The checkpoint's weights, read once for the table size and the first model; freed after.
  NamedTensors pretrained_;
  std::string data_dir_;
  std::unique_ptr<PuzzleDataset> test_data_;
  int64_t test_batches_per_rank_ = 0;
  std::unique_ptr<Architecture> model_;
  std::string weights_description_;

  int64_t first_new_identifier_ = 0;
  int64_t finetune_steps_done_ = 0;
  bool finetune_cut_by_budget_ = false;
  Phase finetune_phase_;
  Phase predict_phase_;
  int64_t predicted_batches_ = 0;
  bool prediction_complete_ = false;
};

absl::Status Solver::Prepare() {
  TRM_ASSIGN_OR_RETURN(tasks_, ReadChallenges(settings_));
  data_dir_ = settings_.out + "/data";
  absl::Status prepared = absl::OkStatus();
  std::string task_dir;
  if (IsRoot()) {
    prepared = PrepareOutFolder(settings_.out);
    // First of all a complete, valid submission, so that any later failure or kill leaves one.
    if (prepared.ok()) {
      prepared = WriteSubmission(settings_.out + "/" + kSubmissionFile, FallbackSubmission(tasks_),
                                 tasks_, settings_.challenges);
    }
    if (prepared.ok()) {
      absl::StatusOr<std::string> staged = StageTaskFiles(settings_);
      prepared = staged.status();
      if (staged.ok()) task_dir = *staged;
    }
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, prepared));
  TRM_ASSIGN_OR_RETURN(pretrained_, ReadVerifiedWeights(settings_.checkpoint.weights_file));
  first_new_identifier_ = TrainedIdentifiers(pretrained_);
  TRM_RETURN_IF_ERROR(PointAtUnseenTasks(settings_.out + "/tasks", data_dir_,
                                         first_new_identifier_, experiment_));
  absl::Status built = absl::OkStatus();
  if (IsRoot()) {
    DatasetBuildOptions build;
    build.output_dir = data_dir_;
    build.num_threads = at::get_num_threads();
    absl::StatusOr<DatasetBuildSummary> summary =
        BuildExperimentDataset(experiment_.data(), task_dir, build);
    built = summary.status();
    if (summary.ok()) {
      std::fprintf(stderr, "solve: %zu tasks from %s; new identifiers from %lld\n%s",
                   tasks_.size(), settings_.challenges.c_str(),
                   static_cast<long long>(first_new_identifier_), DescribeBuild(*summary).c_str());
    }
  }
  return AgreeOnStatus(*communicator_, built);
}

absl::Status Solver::OpenTestSplit() {
  PuzzleDatasetOptions options;
  options.dataset_paths = {data_dir_};
  options.split = "test";
  options.test_set_mode = true;
  options.global_batch_size = experiment_.train().global_batch_size();
  options.rank = communicator_->rank();
  options.num_replicas = communicator_->world_size();
  options.seed = static_cast<uint64_t>(experiment_.train().seed());
  options.pin_memory = device_.is_cuda();
  TRM_ASSIGN_OR_RETURN(test_data_, PuzzleDataset::Open(options));
  test_batches_per_rank_ = 0;
  for (size_t set = 0; set < test_data_->set_names().size(); ++set) {
    test_batches_per_rank_ +=
        (test_data_->num_examples(set) + options.global_batch_size - 1) / options.global_batch_size;
  }
  return absl::OkStatus();
}

absl::StatusOr<NamedTensors> Solver::ReadVerifiedWeights(const std::string& weights_file) {
  TRM_RETURN_IF_ERROR(VerifyChecksumFile(weights_file));
  return ReadWeights(weights_file);
}

absl::Status Solver::BuildModel(const NamedTensors& weights, const std::string& source,
                                PuzzleTableResize resize) {
  const DatasetMetadata& metadata = test_data_->metadata();
  config::ArchConfig arch = experiment_.arch();
  arch.set_batch_size(static_cast<int32_t>(test_data_->local_batch_size()));
  arch.set_seq_len(static_cast<int32_t>(metadata.seq_len));
  arch.set_vocab_size(static_cast<int32_t>(metadata.vocab_size));
  arch.set_num_puzzle_identifiers(static_cast<int32_t>(metadata.num_puzzle_identifiers));
  at::manual_seed(experiment_.train().seed());
  TRM_ASSIGN_OR_RETURN(model_, ArchitectureRegistry().Create(arch.name(), arch));
  model_->to(device_);
  LoadWeightsOptions options;
  options.puzzle_table_resize = resize;
  TRM_ASSIGN_OR_RETURN(const LoadReport report, LoadStateDict(weights, source, *model_, options));
  weights_description_ = absl::StrCat(report.tensors, " tensors from ", source);
  if (report.puzzle_embedding_rows_appended > 0) {
    absl::StrAppend(&weights_description_, ", ", report.puzzle_embedding_rows_appended,
                    " puzzle-embedding rows appended");
  }
  return absl::OkStatus();
}

absl::StatusOr<double> Solver::TimePredictionBatches() {
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<LossHead> loss_head,
                       LossRegistry().Create(experiment_.loss().name(), experiment_.loss()));
  int taken = 0;
  EvalBatchSource next_batch = [&]() -> std::optional<EvalBatch> {
    if (taken == kProbeBatches) return std::nullopt;
    std::optional<PuzzleDataset::Item> item = test_data_->Next();
    if (!item.has_value()) return std::nullopt;
    ++taken;
    return EvalBatch{item->set_name, item->batch.To(device_), item->global_effective_count};
  };
  const absl::Time start = absl::Now();
  TRM_RETURN_IF_ERROR(Evaluate(*model_, *loss_head, next_batch, {}, *communicator_).status());
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  TRM_RETURN_IF_ERROR(OpenTestSplit());  // rewind for the real pass
  return seconds / std::max(taken, 1);
}

absl::Status Solver::Finetune(absl::Time deadline) {
  config::Experiment experiment = experiment_;
  experiment.mutable_train()->set_max_steps(settings_.finetune_steps);
  experiment.mutable_train()->set_freeze_weights(settings_.finetune == Finetune::kEmbeddings);
  // Only the embeddings change: an average of constant weights would only add rounding.
  if (settings_.finetune == Finetune::kEmbeddings) experiment.mutable_ema()->set_enabled(false);
  config::CheckpointConfig& checkpoint = *experiment.mutable_checkpoint();
  checkpoint.set_load(settings_.checkpoint.weights_file);
  checkpoint.set_every_eval(false);
  checkpoint.set_every_steps(0);
  checkpoint.set_keep_last(1);

  TrainerOptions options;
  options.experiment = experiment;
  options.run_dir = settings_.out + "/finetune";
  options.device = device_.str();
  options.load_puzzle_table = settings_.new_rows;
  if (deadline != absl::InfiniteFuture()) options.deadline = deadline;
  options.evaluate = false;
  const absl::Time start = absl::Now();
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<Trainer> trainer, Trainer::Create(options, communicator_));
  TRM_RETURN_IF_ERROR(trainer->Run());
  finetune_steps_done_ = trainer->step();
  finetune_cut_by_budget_ = trainer->reached_deadline();
  finetune_phase_.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  trainer.reset();
  TRM_ASSIGN_OR_RETURN(const CheckpointSource finetuned, ResolveCheckpoint(options.run_dir));
  TRM_ASSIGN_OR_RETURN(const NamedTensors weights, ReadVerifiedWeights(finetuned.weights_file));
  return BuildModel(weights, finetuned.weights_file, PuzzleTableResize::kError);
}

absl::Status Solver::Predict() {
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<LossHead> loss_head,
                       LossRegistry().Create(experiment_.loss().name(), experiment_.loss()));
  std::vector<std::unique_ptr<Evaluator>> evaluators;
  std::vector<Evaluator*> pointers;
  for (const config::EvaluatorConfig& config : experiment_.evaluators()) {
    TRM_ASSIGN_OR_RETURN(std::unique_ptr<Evaluator> evaluator,
                         EvaluatorRegistry().Create(config.name(), config,
                                                    EvaluatorContext{data_dir_, communicator_}));
    pointers.push_back(evaluator.get());
    evaluators.push_back(std::move(evaluator));
  }
  EvalBatchSource next_batch = [&]() -> std::optional<EvalBatch> {
    std::optional<PuzzleDataset::Item> item = test_data_->Next();
    if (!item.has_value()) return std::nullopt;
    return EvalBatch{item->set_name, item->batch.To(device_), item->global_effective_count};
  };
  EvaluationOptions options;
  options.output_dir = settings_.out + "/predict";
  const absl::Time deadline = budget_.PredictionDeadline();
  bool stopped = false;
  options.stop = [&] {
    stopped = absl::Now() >= deadline;
    return stopped;
  };
  const bool terminal = isatty(fileno(stderr)) != 0;
  options.on_batch = [&](const EvalProgress& progress) {
    predicted_batches_ = progress.batches;
    if (!IsRoot()) return;
    std::fprintf(stderr, "%spredict: batch %lld/%lld%s", terminal ? "\r" : "",
                 static_cast<long long>(progress.batches),
                 static_cast<long long>(test_batches_per_rank_),
                 terminal && progress.batches < test_batches_per_rank_ ? "   " : "\n");
  };
  const absl::Time start = absl::Now();
  TRM_ASSIGN_OR_RETURN(predict_phase_.metrics,
                       Evaluate(*model_, *loss_head, next_batch, pointers, *communicator_, options));
  predict_phase_.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  prediction_complete_ = !stopped || predicted_batches_ == test_batches_per_rank_;
  return absl::OkStatus();
}

// How well fine-tuning fits the tasks' demonstrations: the means of train/accuracy and
// train/exact_accuracy over the first and the last tenth of its steps (from its metrics.jsonl).
json DemonstrationAccuracy(const std::string& metrics_file) {
  std::vector<std::map<std::string, double>> steps;
  std::ifstream in(metrics_file);
  std::string line;
  while (std::getline(in, line)) {
    const json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || !record.contains("train/exact_accuracy")) continue;
    std::map<std::string, double> values;
    for (const char* key : {"train/accuracy", "train/exact_accuracy"}) {
      if (record.contains(key) && record[key].is_number()) values[key] = record[key].get<double>();
    }
    steps.push_back(std::move(values));
  }
  json result = json::object();
  if (steps.empty()) return result;
  const size_t tenth = std::max<size_t>(1, steps.size() / 10);
  auto mean = [&](size_t from, const char* label) {
    std::map<std::string, double> sums;
    for (size_t i = from; i < from + tenth; ++i) {
      for (const auto& [key, value] : steps[i]) sums[key] += value;
    }
    json window = {{"steps", absl::StrCat(from + 1, "-", from + tenth)}};
    for (const auto& [key, sum] : sums) window[key] = sum / static_cast<double>(tenth);
    result[label] = window;
  };
  mean(0, "first_tenth");
  mean(steps.size() - tenth, "last_tenth");
  return result;
}

absl::Status Solver::WriteResults() {
  std::optional<KaggleSubmission> predicted;
  const std::string predicted_file = settings_.out + "/predict/" + kSubmissionFile;
  if (fs::exists(predicted_file)) {
    TRM_ASSIGN_OR_RETURN(predicted, ReadSubmissionFile(predicted_file));
  }
  int64_t tasks_predicted = 0;
  const KaggleSubmission submission = MergePredictions(tasks_, predicted, &tasks_predicted);
  const std::string submission_file = settings_.out + "/" + kSubmissionFile;
  TRM_RETURN_IF_ERROR(WriteSubmission(submission_file, submission, tasks_, settings_.challenges));

  json summary;
  summary["checkpoint"] = settings_.checkpoint.weights_file;
  summary["challenges"] = settings_.challenges;
  summary["tasks"] = tasks_.size();
  summary["tasks_predicted"] = tasks_predicted;
  summary["first_new_identifier"] = first_new_identifier_;
  summary["processes"] = communicator_->world_size();
  summary["device"] = device_.str();
  summary["finetune"] = {{"mode", absl::GetFlag(FLAGS_finetune)},
                         {"new_rows", absl::GetFlag(FLAGS_new_rows)},
                         {"steps_asked", settings_.finetune_steps},
                         {"steps_done", finetune_steps_done_},
                         {"cut_by_time_budget", finetune_cut_by_budget_},
                         {"seconds", finetune_phase_.seconds}};
  if (finetune_steps_done_ > 0) {
    summary["finetune"]["demonstrations"] =
        DemonstrationAccuracy(settings_.out + "/finetune/metrics.jsonl");
  }
  summary["predict"] = {{"weights", weights_description_},
                        {"batches_done", predicted_batches_},
                        {"batches", test_batches_per_rank_},
                        {"complete", prediction_complete_},
                        {"seconds", predict_phase_.seconds}};
  std::string scored;
  if (!settings_.solutions.empty()) {
    TRM_ASSIGN_OR_RETURN(const double score,
                         ScoreSubmission(submission, tasks_, settings_.solutions));
    summary["score"] = score;
    for (const auto& [name, value] : predict_phase_.metrics) {
      if (absl::StartsWith(name, "ARC/")) summary["metrics"][name] = value;
    }
    scored = absl::StrFormat("; score %.4f (ARC Prize: mean over tasks of test inputs solved)",
                             score);
  }
  summary["seconds"] = budget_.Elapsed();
  TRM_RETURN_IF_ERROR(WriteFileAtomically(settings_.out + "/solve.json", summary.dump(2) + "\n"));
  std::printf("solve: wrote %s (%lld of %zu tasks predicted, %lld fine-tuning steps%s; %.1f s)%s\n",
              submission_file.c_str(), static_cast<long long>(tasks_predicted), tasks_.size(),
              static_cast<long long>(finetune_steps_done_),
              finetune_cut_by_budget_ ? ", cut by the time budget" : "", budget_.Elapsed(),
              scored.c_str());
  return absl::OkStatus();
}

absl::Status Solver::Run() {
  TRM_RETURN_IF_ERROR(Prepare());
  TRM_RETURN_IF_ERROR(OpenTestSplit());
  TRM_RETURN_IF_ERROR(
      BuildModel(pretrained_, settings_.checkpoint.weights_file, settings_.new_rows));
  pretrained_.clear();
  if (settings_.finetune != Finetune::kNone) {
    absl::Time deadline = absl::InfiniteFuture();
    if (budget_.limited()) {
      TRM_ASSIGN_OR_RETURN(const double seconds_per_batch, TimePredictionBatches());
      int64_t model_bytes = 0;
      for (const auto& [name, tensor] : model_->StateDict()) model_bytes += tensor.nbytes();
      deadline = budget_.FinetuneDeadline(
          PredictionEstimate{seconds_per_batch, test_batches_per_rank_, model_bytes});
    }
    model_.reset();  // the trainer builds its own
    TRM_RETURN_IF_ERROR(Finetune(deadline));
  }
  TRM_RETURN_IF_ERROR(Predict());
  return IsRoot() ? WriteResults() : absl::OkStatus();
}

int Main(int argc, char** argv) {
  const absl::Time start = absl::Now();
  InitTool(argc, argv,
           "Fine-tunes on unseen ARC tasks and writes submission.json: solve "
           "--experiment=NAME|FILE --checkpoint=PATH --challenges=FILE --out=DIR "
           "[--finetune=all|embeddings|none --finetune_steps=N] [--new_rows=mean|blank] "
           "[--time_budget=DURATION] [--solutions=FILE] [--nproc_per_node=N] [--device=cpu|cuda]");
  if (std::optional<int> status = LaunchLocalWorkersIfAsked(argc, argv)) return *status;
  config::Experiment experiment = ExperimentFromFlagsOrDie();
  Settings settings = SettingsFromFlagsOrDie();
  const ProcessGroup group = JoinProcessGroupOrDie(experiment);
  Solver solver(std::move(settings), std::move(experiment), group.communicator.get(),
                at::Device(group.device), start);
  OrDie(solver.Run());
  return 0;
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) { return trm::Main(argc, argv); }
