// Evaluator plugins consume the final ACT step of every test batch and turn them into metrics and
// artefacts (spec §6.7, §10).
#ifndef TRM_EVAL_EVALUATOR_H_
#define TRM_EVAL_EVALUATOR_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/config/experiment.pb.h"
#include "trm/distributed/communicator.h"
#include "trm/model/batch.h"
#include "trm/registry/registry.h"

namespace trm {

struct EvaluatorContext {
  // Root of the dataset being evaluated (identifiers.json, test_puzzles.json, test/).
  std::string data_path;
  // Never null; rank 0 produces the results.
  Communicator* communicator = nullptr;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;

  // Names of the model outputs UpdateBatch needs besides the batch ("preds", "q_halt_logits").
  virtual std::vector<std::string> RequiredOutputs() const = 0;

  // Starts an evaluation round. Fails when the evaluator cannot work at all (e.g. its data files
  // are missing or malformed), before any model computation.
  virtual absl::Status BeginEval() = 0;

  // One test batch (on the CPU) and the requested outputs of its final ACT step.
  virtual absl::Status UpdateBatch(const Batch& batch,
                                   const std::map<std::string, at::Tensor>& outputs) = 0;

  // Collective: every rank calls it. Rank 0 returns the metrics (e.g. "ARC/pass@2") and writes
  // its artefacts (submission.json, ...) under `output_dir` if non-empty; other ranks return {}.
  virtual absl::StatusOr<std::map<std::string, double>> Result(const std::string& output_dir) = 0;

  // Rank 0, after Result: writes a human-readable report of that result under `dir` (e.g.
  // index.html). `run_info` are lines of context to show (experiment, checkpoint, ...).
  virtual absl::Status WriteReport(
      const std::string& dir, const std::vector<std::pair<std::string, std::string>>& run_info) {
    return absl::UnimplementedError("this evaluator writes no report");
  }

  // Rank 0, after Result: a few lines for the person reading the console at the end of a run
  // (e.g. which tasks were solved, one of them drawn); "" when there is nothing to add.
  virtual std::string Summary(bool color) const { return ""; }
};

TRM_DECLARE_REGISTRY(EvaluatorRegistry, Evaluator, const config::EvaluatorConfig&,
                     const EvaluatorContext&);

}  // namespace trm

#endif  // TRM_EVAL_EVALUATOR_H_
