// The evaluation loop (spec §6.7), shared by the trainer's periodic evaluation and tools/eval:
// for every test batch of this rank, a fresh ACT carry, Forward without autograd until every row
// halts (halt_max_steps calls in eval mode), the loss head on the final step, the evaluators fed
// with the outputs they require, and per-set metrics summed over all ranks.
#ifndef TRM_EVAL_EVALUATION_H_
#define TRM_EVAL_EVALUATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trm/distributed/communicator.h"
#include "trm/eval/evaluator.h"
#include "trm/model/architecture.h"
#include "trm/model/batch.h"
#include "trm/model/loss_head.h"

namespace trm {

// One test batch of this rank, as the loader yields it in test mode (spec §9.5): padded to the
// local batch size with blank rows.
struct EvalBatch {
  std::string set_name;
  Batch batch;
  int64_t global_effective_count = 0;
};

// This rank's test batches in order, then nullopt.
using EvalBatchSource = std::function<std::optional<EvalBatch>()>;

struct EvalProgress {
  int64_t batches = 0;  // batches done on this rank
  int64_t rows = 0;     // rows done (padding included)
  double seconds = 0;   // time spent on those batches
};

struct EvaluationOptions {
  // Where evaluators write their artefacts (submission.json, ...); "" = nowhere.
  std::string output_dir;
  // Called after every batch (e.g. for a progress bar).
  std::function<void(const EvalProgress&)> on_batch;
  // Checked after every batch: true ends this rank's walk there (a time budget). The metrics and
  // the evaluators then cover the batches done.
  std::function<bool()> stop;
};

// Runs one evaluation. The model is switched to eval mode and back to its previous mode.
// Returns "<set>/<metric>" for every set that had rows (each loss-head metric summed over the
// set's counted rows of all ranks, divided by their count, as the reference; "<set>/count" is the
// count itself, where the reference logs count / count = 1; the sums are float64 where the
// reference's table is float32), plus, on rank 0, every evaluator's metrics (e.g. "ARC/pass@2").
// Every rank must call it (it is collective). Fails on an empty test split (no rows on any rank),
// on an evaluator error, and on a model that does not halt within halt_max_steps calls.
absl::StatusOr<std::map<std::string, double>> Evaluate(Architecture& model, LossHead& loss_head,
                                                       const EvalBatchSource& next_batch,
                                                       const std::vector<Evaluator*>& evaluators,
                                                       Communicator& communicator,
                                                       const EvaluationOptions& options = {});

}  // namespace trm

#endif  // TRM_EVAL_EVALUATION_H_
