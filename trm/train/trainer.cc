#include "trm/train/trainer.h"

#include <ATen/Parallel.h>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "trm/base/file_util.h"
#include "trm/base/folder_lock.h"
#include "trm/base/paths.h"
#include "trm/base/terminal.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/dataset_paths.h"
#include "trm/eval/evaluation.h"
#include "trm/optim/parameter_groups.h"
#include "trm/train/total_steps.h"
#include "trm/train/train_state.h"

namespace trm {
namespace fs = std::filesystem;
namespace {

constexpr char kTrainStateFormat[] = "trm-train-state-v1";

// Every rank passes its own status; all get the first failure (naming its rank), so that no rank
// waits forever in a collective that a failed rank will never join.
absl::Status AgreeOnStatus(Communicator& communicator, const absl::Status& local) {
  const std::vector<std::string> messages =
      communicator.AllGatherBytes(local.ok() ? std::string() : std::string(local.message()));
  for (size_t rank = 0; rank < messages.size(); ++rank) {
    if (messages[rank].empty()) continue;
    if (static_cast<int>(rank) == communicator.rank()) return local;
    return absl::AbortedError(absl::StrCat("rank ", rank, " failed: ", messages[rank]));
  }
  return absl::OkStatus();
}

// The rank-0 string on every rank.
std::string FromRoot(Communicator& communicator, const std::string& value) {
  return communicator.AllGatherBytes(value)[0];
}

TensorList Prefixed(const std::string& prefix, const TensorList& tensors) {
  TensorList out;
  for (const auto& [name, tensor] : tensors) out.emplace_back(prefix + name, tensor);
  return out;
}

// The first stop signal received (0: none). Written by the signal handler: lock-free atomics are
// async-signal-safe.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

void RecordStopSignal(int signal) {
  int none = 0;
  g_stop_signal.compare_exchange_strong(none, signal);
}

// Test hook for the crash-safety test: SIGKILL in the middle of writing the checkpoint of a step.
void MaybeKillDuringCheckpoint(int64_t step) {
  const char* value = std::getenv("TRM_TEST_KILL_DURING_CHECKPOINT_AT_STEP");
  int64_t at = 0;
  if (value != nullptr && absl::SimpleAtoi(value, &at) && at == step) std::raise(SIGKILL);
}

}  // namespace

void InstallStopSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = RecordStopSignal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the next signal of the same kind gets the default action. SA_RESTART: file
  // writes and collectives in progress go on instead of failing with EINTR.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  for (const int signal : {SIGTERM, SIGUSR1, SIGINT}) sigaction(signal, &action, nullptr);
}

Trainer::Trainer(const TrainerOptions& options, Communicator* communicator)
    : options_(options),
      experiment_(options.experiment),
      communicator_(communicator),
      device_(options.device) {}

Trainer::~Trainer() = default;

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const TrainerOptions& options,
                                                         Communicator* communicator) {
  std::unique_ptr<Trainer> trainer;
  try {
    trainer.reset(new Trainer(options, communicator));
  } catch (const std::exception& e) {
    std::string what = e.what();
    return absl::InvalidArgumentError(
        absl::StrCat("device '", options.device, "': ", what.substr(0, what.find('\n'))));
  }
  TRM_RETURN_IF_ERROR(trainer->Setup());
  return trainer;
}

absl::Status Trainer::PrepareDatasets() {
  const config::DataConfig& data = experiment_.data();
  if (data.path().empty()) {
    return absl::InvalidArgumentError("experiment field data.path: the dataset folder is required");
  }
  train_path_ = ResolveDatasetPath(data.path(), options_.data_root);
  test_path_ = data.test_path().empty() ? train_path_
                                        : ResolveDatasetPath(data.test_path(), options_.data_root);
  absl::Status built = absl::OkStatus();
  if (IsRoot() && !fs::exists(train_path_ + "/train/dataset.json")) {
    if (!options_.build_missing_dataset) {
      built = absl::NotFoundError(absl::StrCat("no dataset at ", train_path_));
    } else {
      std::error_code error;
      fs::create_directories(fs::path(train_path_).parent_path(), error);
      built = options_.build_missing_dataset(train_path_);
    }
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, built));

  const config::TrainConfig& train = experiment_.train();
  PuzzleDatasetOptions train_options;
  train_options.dataset_paths = {train_path_};
  train_options.split = "train";
  train_options.global_batch_size = train.global_batch_size();
  train_options.epochs_per_iter =
      train.eval_interval() > 0 ? train.eval_interval() : train.epochs();
  train_options.rank = communicator_->rank();
  train_options.num_replicas = communicator_->world_size();
  train_options.seed = static_cast<uint64_t>(train.seed());
  train_options.pin_memory = device_.is_cuda();
  TRM_ASSIGN_OR_RETURN(train_data_, PuzzleDataset::Open(train_options));

  if (fs::exists(test_path_ + "/test/dataset.json")) {
    PuzzleDatasetOptions test_options = train_options;
    test_options.dataset_paths = {test_path_};
    test_options.split = "test";
    test_options.test_set_mode = true;
    test_options.epochs_per_iter = 1;
    TRM_ASSIGN_OR_RETURN(test_data_, PuzzleDataset::Open(test_options));
  }

  const DatasetMetadata& metadata = train_data_->metadata();
  config::ArchConfig& arch = *experiment_.mutable_arch();
  arch.set_batch_size(static_cast<int32_t>(train_data_->local_batch_size()));
  arch.set_seq_len(static_cast<int32_t>(metadata.seq_len));
  arch.set_vocab_size(static_cast<int32_t>(metadata.vocab_size));
  arch.set_num_puzzle_identifiers(static_cast<int32_t>(metadata.num_puzzle_identifiers));

  const int64_t reference_steps =
      ReferenceTotalSteps(train.epochs(), metadata.total_groups, metadata.mean_puzzle_examples,
                          train.global_batch_size());
  total_steps_ = train.max_steps() > 0 ? train.max_steps() : reference_steps;
  max_passes_ = train.max_steps() > 0 ? 0 : train.epochs() / train_options.epochs_per_iter;
  return absl::OkStatus();
}

absl::Status Trainer::BuildModel() {
  TRM_ASSIGN_OR_RETURN(
      model_, ArchitectureRegistry().Create(experiment_.arch().name(), experiment_.arch()));
  TRM_ASSIGN_OR_RETURN(loss_head_,
                       LossRegistry().Create(experiment_.loss().name(), experiment_.loss()));
  model_->to(device_);
  absl::Status loaded = absl::OkStatus();
  if (IsRoot() && !experiment_.checkpoint().load().empty()) {
    LoadWeightsOptions load_options;
    load_options.puzzle_table_resize = options_.load_puzzle_table;
    absl::StatusOr<LoadReport> report =
        LoadWeightsFile(ResolveUserPath(experiment_.checkpoint().load()), *model_, load_options);
    loaded = report.status();
    if (report.ok()) {
      std::fprintf(options_.console, "initialised %lld tensors from %s\n",
                   static_cast<long long>(report->tensors),
                   experiment_.checkpoint().load().c_str());
    }
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, loaded));
  // Every rank starts from rank 0's weights (each rank seeded its own generator differently).
  at::NoGradGuard no_grad;
  for (auto& [name, tensor] : model_->StateDict()) communicator_->Broadcast(tensor, 0);
  return absl::OkStatus();
}

absl::Status Trainer::BuildOptimizers() {
  OptimizerTarget dense;
  for (const auto& item : model_->named_parameters(/*recurse=*/true)) {
    dense.parameters.emplace_back(item.key(), item.value());
  }
  dense.communicator = communicator_;
  TRM_RETURN_IF_ERROR(ResolveParameterGroups(experiment_.optimizer(), dense.parameters).status());
  std::optional<SparseEmbeddingState> sparse = model_->SparseEmbedding();
  if (sparse.has_value()) {
    OptimizerTarget target;
    target.sparse_embedding = sparse;
    target.communicator = communicator_;
    const config::OptimizerConfig& config = experiment_.puzzle_emb_optimizer();
    TRM_ASSIGN_OR_RETURN(sparse_optimizer_,
                         OptimizerRegistry().Create(config.name(), config, target));
    optimizers_.push_back({"puzzle_emb", sparse_optimizer_.get(), config.lr(), true});
  }
  const config::OptimizerConfig& config = experiment_.optimizer();
  TRM_ASSIGN_OR_RETURN(dense_optimizer_, OptimizerRegistry().Create(config.name(), config, dense));
  optimizers_.push_back(
      {"dense", dense_optimizer_.get(), config.lr(), !experiment_.train().freeze_weights()});
  TRM_ASSIGN_OR_RETURN(schedule_,
                       LrScheduleRegistry().Create(experiment_.lr_schedule().name(),
                                                   experiment_.lr_schedule(), total_steps_));
  std::vector<at::Tensor> parameters;
  for (const auto& [name, tensor] : dense.parameters) parameters.push_back(tensor);
  reducer_ = std::make_unique<GradientReducer>(
      parameters, int64_t{experiment_.distributed().bucket_mb()} << 20, communicator_);
  if (experiment_.ema().enabled()) {
    ema_ = std::make_unique<ExponentialMovingAverage>(dense.parameters, experiment_.ema().rate());
  }
  train_step_ = std::make_unique<TrainStep>(
      model_.get(), loss_head_.get(), optimizers_, schedule_.get(), reducer_.get(), communicator_,
      TrainStepOptions{experiment_.train().global_batch_size(), experiment_.train().nan_guard()});
  return absl::OkStatus();
}

absl::Status Trainer::Setup() {
  at::manual_seed(static_cast<uint64_t>(experiment_.train().seed() + communicator_->rank()));
  TRM_RETURN_IF_ERROR(PrepareDatasets());
  TRM_RETURN_IF_ERROR(BuildModel());
  TRM_RETURN_IF_ERROR(BuildOptimizers());
  TRM_RETURN_IF_ERROR(BuildEvaluators());

  checkpoints_ = std::make_unique<CheckpointDir>(options_.run_dir + "/checkpoints");
  absl::Status prepared = absl::OkStatus();
  std::vector<std::string> candidates;
  if (IsRoot()) {
    // Before touching the folder: a second trainer on it would interleave checkpoints and logs.
    FolderLock::Options lock;
    lock.what = "run folder";
    absl::StatusOr<std::unique_ptr<FolderLock>> locked =
        FolderLock::Acquire(options_.run_dir, ".train.lock", lock);
    prepared = locked.status();
    if (locked.ok()) run_lock_ = *std::move(locked);
    if (prepared.ok()) prepared = checkpoints_->RemoveStaging();
    // The checkpoints to try, best first: every complete one, newest first, for "latest".
    if (prepared.ok() && options_.resume == "latest") {
      absl::StatusOr<std::vector<int64_t>> steps = checkpoints_->CompletedSteps();
      prepared = steps.status();
      if (steps.ok()) {
        for (auto step = steps->rbegin(); step != steps->rend(); ++step) {
          candidates.push_back(checkpoints_->PathFor(*step));
        }
        if (steps->empty()) {
          std::fprintf(options_.console, "no checkpoint in %s yet: starting from step 0\n",
                       checkpoints_->root().c_str());
        }
      }
    } else if (prepared.ok() && !options_.resume.empty()) {
      candidates.push_back(ResolveUserPath(options_.resume));
      if (!fs::is_directory(candidates.back())) {
        prepared =
            absl::NotFoundError(absl::StrCat("--resume: no checkpoint folder ", candidates.back()));
      }
    }
    if (prepared.ok()) {
      std::error_code error;
      fs::create_directories(options_.run_dir, error);
      prepared = error ? absl::PermissionDeniedError(absl::StrCat(
                             "cannot create ", options_.run_dir, ": ", error.message()))
                       : WriteFileAtomically(options_.run_dir + "/config.textproto",
                                             config::ExperimentToText(experiment_));
    }
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, prepared));
  candidates = absl::StrSplit(FromRoot(*communicator_, absl::StrJoin(candidates, "\n")), '\n',
                              absl::SkipEmpty());
  std::string resume_from;
  for (const std::string& candidate : candidates) {
    const absl::Status intact = AgreeOnStatus(*communicator_, VerifyCheckpoint(candidate));
    if (intact.ok()) {
      resume_from = candidate;
      break;
    }
    if (options_.resume != "latest") return intact;
    if (IsRoot()) {
      std::fprintf(options_.console, "checkpoint %s is damaged (%s); trying the one before\n",
                   candidate.c_str(), std::string(intact.message()).c_str());
    }
  }
  if (!candidates.empty() && resume_from.empty()) {
    return absl::DataLossError(absl::StrCat("no intact checkpoint in ", checkpoints_->root(),
                                            " to resume from (each one is damaged, see above)"));
  }
  if (!resume_from.empty()) {
    TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, Resume(resume_from)));
  }
  if (IsRoot()) {
    RunLoggerOptions log;
    log.dir = options_.run_dir;
    log.jsonl = experiment_.logging().jsonl();
    log.tensorboard = experiment_.logging().tensorboard();
    log.log_every = experiment_.logging().log_every();
    log.total_steps = total_steps_;
    log.console = options_.console;
    if (!resume_from.empty()) log.resumed_at_step = step_;
    TRM_ASSIGN_OR_RETURN(logger_, RunLogger::Create(log));
  }
  return absl::OkStatus();
}

absl::Status Trainer::VerifyCheckpoint(const std::string& checkpoint) const {
  TRM_RETURN_IF_ERROR(VerifyChecksumFile(TrainStatePath(checkpoint, communicator_->rank())));
  return IsRoot() ? VerifyChecksumFile(CheckpointWeightsPath(checkpoint)) : absl::OkStatus();
}

absl::Status Trainer::Resume(const std::string& checkpoint) {
  const int rank = communicator_->rank();
  TRM_ASSIGN_OR_RETURN(auto own, SafetensorsReader::Open(TrainStatePath(checkpoint, rank)));
  const auto& metadata = own->metadata();
  auto field = [&](const std::string& key) -> std::string {
    auto it = metadata.find(key);
    return it == metadata.end() ? "" : it->second;
  };
  if (field("format") != kTrainStateFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat(own->path(), ": not a training state (format '", field("format"), "')"));
  }
  int world = 0;
  if (!absl::SimpleAtoi(field("world_size"), &world) || world != communicator_->world_size()) {
    return absl::FailedPreconditionError(
        absl::StrCat(checkpoint, " was written by ", field("world_size"),
                     " processes; resuming it exactly needs ", "the same number (this run has ",
                     communicator_->world_size(), ")"));
  }
  if (!absl::SimpleAtoi(field("step"), &step_) ||
      !absl::SimpleAtoi(field("passes_done"), &passes_done_) ||
      !absl::SimpleAtoi(field("last_evaluated_step"), &last_evaluated_step_)) {
    return absl::InvalidArgumentError(absl::StrCat(own->path(), ": bad step counters in metadata"));
  }
  std::map<std::string, at::Tensor> tensors;
  for (const SafetensorsEntry& entry : own->entries()) {
    TRM_ASSIGN_OR_RETURN(tensors[entry.name], own->Read(entry.name));
  }
  // Rank-independent state lives in rank 0's file.
  if (rank != 0) {
    TRM_ASSIGN_OR_RETURN(auto shared, ReadSafetensors(TrainStatePath(checkpoint, 0)));
    for (auto& [name, tensor] : shared) {
      if (name.rfind("shared.", 0) == 0) tensors[name] = tensor;
    }
  }

  // Weights file: EMA parameters (if EMA is on) and the live buffers, under reference keys.
  TRM_RETURN_IF_ERROR(LoadWeightsFile(CheckpointWeightsPath(checkpoint), *model_).status());
  at::NoGradGuard no_grad;
  if (ema_ != nullptr) {
    TRM_RETURN_IF_ERROR(LoadLiveParameters(tensors, checkpoint, *model_));
    TRM_RETURN_IF_ERROR(ema_->LoadShadowTensors(WithPrefix(tensors, "shared.ema.")));
  }
  for (const ScheduledOptimizer& entry : optimizers_) {
    absl::Status loaded = entry.optimizer->LoadStateTensors(
        WithPrefix(tensors, "shared.optimizer." + entry.role + "."));
    if (!loaded.ok())
      return absl::Status(loaded.code(), absl::StrCat(checkpoint, ": ", loaded.message()));
  }
  if (tensors.count("carry.steps")) {
    TRM_ASSIGN_OR_RETURN(ActCarry carry, CarryFromTensors(tensors, model_->StateNames(), device_));
    train_step_->set_carry(std::move(carry));
  }
  TRM_RETURN_IF_ERROR(SetGeneratorState(at::kCPU, tensors.at("rng.cpu")));
  if (device_.is_cuda()) {
    if (!tensors.count("rng.device")) {
      return absl::NotFoundError(absl::StrCat(checkpoint, ": no device generator state"));
    }
    TRM_RETURN_IF_ERROR(SetGeneratorState(device_, tensors.at("rng.device")));
  }
  TRM_ASSIGN_OR_RETURN(
      PuzzleDataset::Position position,
      PuzzleDataset::Position::FromString(TensorToBytes(tensors.at("loader.position"))));
  TRM_RETURN_IF_ERROR(train_data_->RestorePosition(position));
  last_saved_step_ = step_;
  if (IsRoot()) {
    std::fprintf(options_.console, "resumed from %s at step %lld\n", checkpoint.c_str(),
                 static_cast<long long>(step_));
  }
  return absl::OkStatus();
}

absl::Status Trainer::SaveCheckpoint() {
  if (step_ == last_saved_step_) return absl::OkStatus();
  const int rank = communicator_->rank();
  absl::Status status = absl::OkStatus();
  std::string staging;
  if (IsRoot()) {
    absl::StatusOr<std::string> created = checkpoints_->BeginStaging(step_);
    status = created.status();
    if (created.ok()) staging = *created;
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, status));
  staging = FromRoot(*communicator_, staging);

  if (IsRoot()) {
    // The evaluation weights (spec §6.5): EMA parameters with the live buffers.
    std::optional<ExponentialMovingAverage::Swap> swap;
    if (ema_ != nullptr) swap.emplace(ema_->SwapIn());
    status = SaveWeightsFile(CheckpointWeightsPath(staging), *model_);
    if (status.ok()) status = WriteChecksumFile(CheckpointWeightsPath(staging));
  }
  MaybeKillDuringCheckpoint(step_);
  if (status.ok()) {
    TensorList tensors;
    if (IsRoot()) {
      if (ema_ != nullptr) {
        TensorList live;
        for (const auto& item : model_->named_parameters(/*recurse=*/true)) {
          live.emplace_back(item.key(), item.value().detach());
        }
        for (auto& entry : Prefixed(kLiveParameterPrefix, live)) tensors.push_back(entry);
        for (auto& entry : Prefixed("shared.ema.", ema_->ShadowTensors())) tensors.push_back(entry);
      }
      for (const ScheduledOptimizer& entry : optimizers_) {
        for (auto& item :
             Prefixed("shared.optimizer." + entry.role + ".", entry.optimizer->StateTensors())) {
          tensors.push_back(item);
        }
      }
    }
    if (train_step_->carry().has_value()) {
      for (auto& entry : CarryToTensors(*train_step_->carry(), model_->StateNames())) {
        tensors.push_back(entry);
      }
    }
    tensors.emplace_back("rng.cpu", GeneratorState(at::kCPU));
    if (device_.is_cuda()) tensors.emplace_back("rng.device", GeneratorState(device_));
    tensors.emplace_back("loader.position", BytesToTensor(train_data_->SavePosition().ToString()));
    const std::map<std::string, std::string> metadata = {
        {"format", kTrainStateFormat},
        {"experiment", experiment_.name()},
        {"step", std::to_string(step_)},
        {"passes_done", std::to_string(passes_done_)},
        {"last_evaluated_step", std::to_string(last_evaluated_step_)},
        {"rank", std::to_string(rank)},
        {"world_size", std::to_string(communicator_->world_size())},
    };
    status = WriteSafetensors(TrainStatePath(staging, rank), tensors, metadata);
    if (status.ok()) status = WriteChecksumFile(TrainStatePath(staging, rank));
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, status));
  if (IsRoot()) {
    // Metrics first: a committed checkpoint never lacks the metrics of the steps it covers.
    if (logger_ != nullptr) status = logger_->Flush();
    if (status.ok()) status = checkpoints_->Commit(step_);
    if (status.ok()) status = checkpoints_->Prune(experiment_.checkpoint().keep_last());
  }
  TRM_RETURN_IF_ERROR(AgreeOnStatus(*communicator_, status));
  last_saved_step_ = step_;
  return absl::OkStatus();
}

absl::Status Trainer::BuildEvaluators() {
  if (test_data_ == nullptr) return absl::OkStatus();
  EvaluatorContext context;
  context.data_path = test_path_;
  context.communicator = communicator_;
  for (const config::EvaluatorConfig& config : experiment_.evaluators()) {
    TRM_ASSIGN_OR_RETURN(std::unique_ptr<Evaluator> evaluator,
                         EvaluatorRegistry().Create(config.name(), config, context));
    evaluators_.push_back(std::move(evaluator));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, double>> Trainer::Evaluate() {
  if (test_data_ == nullptr) return std::map<std::string, double>();
  // The reference evaluates a copy of the model holding the EMA parameters (spec §6.5).
  std::optional<ExponentialMovingAverage::Swap> swap;
  if (ema_ != nullptr) swap.emplace(ema_->SwapIn());
  EvalBatchSource next_batch = [&]() -> std::optional<EvalBatch> {
    std::optional<PuzzleDataset::Item> item = test_data_->Next();
    if (!item.has_value()) return std::nullopt;
    return EvalBatch{item->set_name, item->batch.To(device_), item->global_effective_count};
  };
  std::vector<Evaluator*> evaluators;
  for (const auto& evaluator : evaluators_) evaluators.push_back(evaluator.get());
  EvaluationOptions options;
  options.output_dir = absl::StrFormat("%s/eval/step_%d", options_.run_dir, step_);
  return trm::Evaluate(*model_, *loss_head_, next_batch, evaluators, *communicator_, options);
}

absl::Status Trainer::EvaluateAndMaybeSave(bool save) {
  if (options_.evaluate && step_ != last_evaluated_step_) {
    absl::StatusOr<std::map<std::string, double>> metrics = Evaluate();
    TRM_RETURN_IF_ERROR(metrics.status());
    last_evaluated_step_ = step_;
    if (logger_ != nullptr && !metrics->empty())
      TRM_RETURN_IF_ERROR(logger_->LogEval(step_, *metrics));
  }
  return save ? SaveCheckpoint() : absl::OkStatus();
}

int Trainer::AgreedStop() {
  int local = g_stop_signal.load();
  if (local == 0 && options_.deadline.has_value() && absl::Now() >= *options_.deadline) {
    local = kDeadlinePassed;
  }
  if (communicator_->world_size() == 1) return local;
  const at::Tensor reasons = communicator_->AllGather(at::tensor({local}, at::kInt));
  int agreed = 0;
  for (int rank = 0; rank < communicator_->world_size(); ++rank) {
    const int reason = reasons[rank].item<int>();
    if (reason > 0) return reason;
    if (reason == kDeadlinePassed) agreed = kDeadlinePassed;
  }
  return agreed;
}

absl::Status Trainer::StopWithCheckpoint() {
  TRM_RETURN_IF_ERROR(SaveCheckpoint());
  if (logger_ != nullptr) {
    logger_->Info(absl::StrFormat(
        "stopped by signal %d (%s) at step %d of %d; checkpoint %s; run again with "
        "--resume=latest to continue",
        stop_signal_, strsignal(stop_signal_), step_, total_steps_, checkpoints_->PathFor(step_)));
    TRM_RETURN_IF_ERROR(logger_->Flush());
  }
  return absl::OkStatus();
}

absl::Status Trainer::Run() {
  const config::TrainConfig& train = experiment_.train();
  const config::CheckpointConfig& checkpoint = experiment_.checkpoint();
  if (logger_ != nullptr) {
    int64_t parameters = 0;
    for (const auto& p : model_->parameters()) parameters += p.numel();
    logger_->Info(absl::StrFormat(
        "training '%s': %d parameters, %d steps of global batch %d on %d process(es), device %s",
        experiment_.name(), parameters, total_steps_, train.global_batch_size(),
        communicator_->world_size(), device_.str()));
  }
  auto finished = [&] {
    return reached_deadline_ || step_ >= total_steps_ ||
           (max_passes_ > 0 && passes_done_ >= max_passes_);
  };
  while (!finished()) {
    bool pass_ended = false;
    int64_t batches = 0;
    // A resumed run may stand at the very end of a pass; only a pass started here must yield.
    const bool fresh_pass = !train_data_->SavePosition().in_pass;
    while (step_ < total_steps_) {
      // Before taking the next batch, so that the checkpoint resumes with it.
      const int stop = AgreedStop();
      if (stop == kDeadlinePassed) {
        reached_deadline_ = true;
        break;
      }
      if (stop != 0) {
        stop_signal_ = stop;
        return StopWithCheckpoint();
      }
      std::optional<PuzzleDataset::Item> item = train_data_->Next();
      if (!item.has_value()) {
        pass_ended = true;
        break;
      }
      ++batches;
      ++step_;
      absl::StatusOr<std::map<std::string, double>> metrics =
          train_step_->Run(step_, item->batch.To(device_));
      if (!metrics.ok()) return metrics.status();
      if (ema_ != nullptr) ema_->Update();
      if (logger_ != nullptr) TRM_RETURN_IF_ERROR(logger_->LogTrain(step_, *metrics));
      if (train.eval_every_steps() > 0 && step_ % train.eval_every_steps() == 0) {
        TRM_RETURN_IF_ERROR(EvaluateAndMaybeSave(checkpoint.every_eval()));
      }
      if (checkpoint.every_steps() > 0 && step_ % checkpoint.every_steps() == 0) {
        TRM_RETURN_IF_ERROR(SaveCheckpoint());
      }
    }
    if (pass_ended) {
      if (batches == 0 && fresh_pass) {
        return absl::FailedPreconditionError(
            absl::StrCat("the training set of ", train_path_, " yields no batch of ",
                         train.global_batch_size(), " examples; lower train.global_batch_size"));
      }
      ++passes_done_;
    }
    const bool due = pass_ended && passes_done_ - 1 >= train.min_eval_interval();
    if (due || finished())
      TRM_RETURN_IF_ERROR(EvaluateAndMaybeSave(checkpoint.every_eval() || finished()));
  }
  TRM_RETURN_IF_ERROR(SaveCheckpoint());
  if (IsRoot()) {
    for (const auto& evaluator : evaluators_) {
      const std::string summary = evaluator->Summary(WantsColor(options_.console));
      if (!summary.empty()) std::fputs(summary.c_str(), options_.console);
    }
  }
  if (logger_ != nullptr) {
    logger_->Info(absl::StrCat("done at step ", step_,
                               reached_deadline_ ? " (the deadline came first)" : "",
                               "; checkpoints in ", checkpoints_->root()));
  }
  return absl::OkStatus();
}

}  // namespace trm
