// The training program (spec §6): data, model, loss, optimizers and schedule from the experiment's
// plugins; the persistent-carry training step; EMA; periodic evaluation through the evaluator
// registry; atomic checkpoints that resume bit-exactly; logging. One Trainer per process; in a
// data-parallel run every rank runs the same program over its slice of each global batch.
#ifndef TRM_TRAIN_TRAINER_H_
#define TRM_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/base/folder_lock.h"
#include "trm/config/experiment.pb.h"
#include "trm/data/puzzle_dataset.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/eval/evaluator.h"
#include "trm/logging/run_logger.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/optim/optimizer.h"
#include "trm/train/checkpoint_dir.h"
#include "trm/train/ema.h"
#include "trm/train/train_step.h"

namespace trm {

struct TrainerOptions {
  config::Experiment experiment;
  // Run folder (config.textproto, metrics.jsonl, tensorboard/, checkpoints/, eval/).
  std::string run_dir;
  // "" (start fresh), "latest" (newest checkpoint of run_dir, or fresh if there is none), or a
  // checkpoint folder.
  std::string resume;
  std::string device = "cpu";
  // --data_root of the tool (where relative data.path folders live).
  std::string data_root;
  // Builds the dataset into the given folder when it does not exist yet (on rank 0; the other
  // ranks wait for its status). Null: a missing dataset is an error.
  std::function<absl::Status(const std::string& dataset_dir)> build_missing_dataset;
  // How checkpoint.load fills a puzzle-embedding table of another size (the reference's mean of
  // every row by default; the solver appends rows for unseen tasks).
  PuzzleTableResize load_puzzle_table = PuzzleTableResize::kMeanOfAll;
  // Training ends (as at its last step: final checkpoint, status OK) before the first step that
  // would begin after this time. Any rank past it stops all of them at the same step.
  std::optional<absl::Time> deadline;
  // False: Run never evaluates (the caller predicts from the final checkpoint).
  bool evaluate = true;
  // Console for the logger (tests capture it).
  std::FILE* console = stderr;
};

// Makes SIGTERM (Slurm's time limit and preemption), SIGUSR1 (`sbatch --signal`) and SIGINT stop
// a running Trainer::Run after its current optimizer step, with a checkpoint. A second signal of
// the same kind has its default action, so that a stuck run can still be ended. Call it before
// Trainer::Create: a signal during set-up then stops the run before its first step.
void InstallStopSignalHandlers();

class Trainer {
 public:
  // Everything is validated and loaded here (datasets, plugins, checkpoint to resume from), so a
  // bad config fails before any training. `communicator` must outlive the Trainer.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const TrainerOptions& options,
                                                         Communicator* communicator);
  ~Trainer();

  // Trains until the total number of steps (or the reference's number of passes) is reached, or
  // until a stop signal (see InstallStopSignalHandlers): then every rank stops at the same step,
  // writes its checkpoint and returns OK with stop_signal() set.
  absl::Status Run();

  // The signal that stopped Run() early, 0 when it trained to the end. A rank that received none
  // reports the signal of the lowest rank that did.
  int stop_signal() const { return stop_signal_; }

  // Whether Run() ended at TrainerOptions::deadline, before its last step.
  bool reached_deadline() const { return reached_deadline_; }

  int64_t step() const { return step_; }
  int64_t total_steps() const { return total_steps_; }
  Architecture& model() { return *model_; }
  // The experiment with the dataset-derived fields filled in (what config.textproto holds).
  const config::Experiment& experiment() const { return experiment_; }

 private:
  explicit Trainer(const TrainerOptions& options, Communicator* communicator);

  absl::Status Setup();
  absl::Status PrepareDatasets();
  absl::Status BuildModel();
  absl::Status BuildOptimizers();
  absl::Status BuildEvaluators();
  // This rank's files of `checkpoint` (and rank 0's weights file) match their checksums.
  absl::Status VerifyCheckpoint(const std::string& checkpoint) const;
  absl::Status Resume(const std::string& checkpoint);
  absl::Status SaveCheckpoint();
  absl::StatusOr<std::map<std::string, double>> Evaluate();
  absl::Status EvaluateAndMaybeSave(bool save);
  // Whether any rank received a stop signal (its number, else 0) or passed the deadline
  // (kDeadlinePassed): one tiny collective per step when there are several ranks, so that all of
  // them stop at the same step. A signal wins over the deadline.
  static constexpr int kDeadlinePassed = -1;
  int AgreedStop();
  absl::Status StopWithCheckpoint();
  bool IsRoot() const { return communicator_->rank() == 0; }

  TrainerOptions options_;
  config::Experiment experiment_;
  Communicator* communicator_;
  at::Device device_;

  std::string train_path_;
  std::string test_path_;
  std::unique_ptr<PuzzleDataset> train_data_;
  std::unique_ptr<PuzzleDataset> test_data_;

  std::unique_ptr<Architecture> model_;
  std::unique_ptr<LossHead> loss_head_;
  std::unique_ptr<Optimizer> sparse_optimizer_;
  std::unique_ptr<Optimizer> dense_optimizer_;
  std::vector<ScheduledOptimizer> optimizers_;
  std::unique_ptr<LrSchedule> schedule_;
  std::unique_ptr<GradientReducer> reducer_;
  std::unique_ptr<ExponentialMovingAverage> ema_;
  std::unique_ptr<TrainStep> train_step_;
  std::vector<std::unique_ptr<Evaluator>> evaluators_;
  std::unique_ptr<RunLogger> logger_;
  std::unique_ptr<CheckpointDir> checkpoints_;
  // Rank 0 holds the run folder while the trainer lives.
  std::unique_ptr<FolderLock> run_lock_;

  int64_t step_ = 0;
  int64_t total_steps_ = 0;
  // Passes over the training data finished, and the reference's number of passes (0 = unbounded,
  // when --max_steps sets the length).
  int64_t passes_done_ = 0;
  int64_t max_passes_ = 0;
  int64_t last_saved_step_ = -1;
  int64_t last_evaluated_step_ = -1;
  int stop_signal_ = 0;
  bool reached_deadline_ = false;
};

}  // namespace trm

#endif  // TRM_TRAIN_TRAINER_H_
