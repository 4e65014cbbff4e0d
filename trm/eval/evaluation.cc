#include "trm/eval/evaluation.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "trm/base/status_macros.h"

namespace trm {
namespace {

constexpr char kCountMetric[] = "count";

// Eval mode for the duration of the evaluation, then the previous mode again.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Architecture& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
  }
  ~EvalModeGuard() { model_.train(was_training_); }

 private:
  Architecture& model_;
  bool was_training_;
};

at::Device ModelDevice(Architecture& model) {
  for (const at::Tensor& parameter : model.parameters()) return parameter.device();
  for (const at::Tensor& buffer : model.buffers()) return buffer.device();
  return at::Device(at::kCPU);
}

// The model outputs an evaluator may ask for, from the final ACT step.
const std::set<std::string>& KnownOutputs() {
  static const auto* const known = new std::set<std::string>{
      "preds", "logits", "q_halt_logits", "q_continue_logits", "target_q_continue"};
  return *known;
}

at::Tensor SelectOutput(const std::string& name, const ActOutputs& outputs,
                        const LossOutputs& loss) {
  if (name == "preds") return loss.preds;
  if (name == "logits") return outputs.logits;
  if (name == "q_halt_logits") return outputs.q_halt_logits;
  if (name == "q_continue_logits") return outputs.q_continue_logits;
  return outputs.target_q_continue;
}

// What every rank saw, so that all ranks reduce the same [sets x metrics] table even when some
// saw no rows or different sets.
struct Seen {
  int64_t rows = 0;
  std::set<std::string> sets;
  std::set<std::string> metrics;
};

std::string EncodeSeen(const Seen& seen) {
  return absl::StrCat(seen.rows, "\n", absl::StrJoin(seen.sets, "\t"), "\n",
                      absl::StrJoin(seen.metrics, "\t"));
}

absl::Status MergeSeen(const std::string& bytes, Seen& merged) {
  const std::vector<std::string> lines = absl::StrSplit(bytes, '\n');
  int64_t rows = 0;
  if (lines.size() != 3 || !absl::SimpleAtoi(lines[0], &rows)) {
    return absl::DataLossError("evaluation: malformed metric names from another rank");
  }
  merged.rows += rows;
  for (absl::string_view set : absl::StrSplit(lines[1], '\t', absl::SkipEmpty())) {
    merged.sets.insert(std::string(set));
  }
  for (absl::string_view metric : absl::StrSplit(lines[2], '\t', absl::SkipEmpty())) {
    merged.metrics.insert(std::string(metric));
  }
  return absl::OkStatus();
}

// One test batch: the full ACT unroll, then metrics and evaluator updates from the final step.
absl::Status EvaluateBatch(Architecture& model, LossHead& loss_head, const EvalBatch& item,
                           const at::Device& device, int max_steps,
                           const std::set<std::string>& required,
                           const std::vector<Evaluator*>& evaluators,
                           std::map<std::string, std::map<std::string, double>>& sums, Seen& seen,
                           EvalProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const Batch batch = item.batch.To(device);
  ActCarry carry = model.InitialCarry(batch);
  ActOutputs outputs;
  for (int step = 1;; ++step) {
    std::tie(carry, outputs) = model.Forward(carry, batch);
    if (carry.halted.all().item<bool>()) break;
    if (step >= max_steps) {
      return absl::InternalError(absl::StrCat(
          "evaluation: the model did not halt every row within halt_max_steps = ", max_steps,
          " steps"));
    }
  }
  // Only the final step's outputs and metrics count (spec §16.10).
  const LossOutputs loss = loss_head.Compute(carry, outputs);
  std::map<std::string, double>& set_sums = sums[item.set_name];
  for (const auto& [name, value] : loss.metrics) {
    set_sums[name] += value.item<double>();
    seen.metrics.insert(name);
  }
  seen.sets.insert(item.set_name);
  seen.rows += item.batch.size();

  std::map<std::string, at::Tensor> cpu_outputs;
  for (const std::string& name : required) {
    const at::Tensor tensor = SelectOutput(name, outputs, loss);
    if (tensor.defined()) cpu_outputs[name] = tensor.to(at::kCPU);
  }
  if (!evaluators.empty()) {
    const Batch cpu_batch =
        item.batch.To(at::kCPU);  // no copy when the loader's batch is on the CPU
    for (Evaluator* evaluator : evaluators) {
      TRM_RETURN_IF_ERROR(evaluator->UpdateBatch(cpu_batch, cpu_outputs));
    }
  }
  progress.batches += 1;
  progress.rows += item.batch.size();
  progress.seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, double>> Evaluate(Architecture& model, LossHead& loss_head,
                                                       const EvalBatchSource& next_batch,
                                                       const std::vector<Evaluator*>& evaluators,
                                                       Communicator& communicator,
                                                       const EvaluationOptions& options) {
  std::set<std::string> required;
  for (Evaluator* evaluator : evaluators) {
    for (const std::string& name : evaluator->RequiredOutputs()) {
      if (!KnownOutputs().count(name)) {
        return absl::InvalidArgumentError(
            absl::StrCat("an evaluator requires the model output '", name,
                         "'; available: ", absl::StrJoin(KnownOutputs(), ", ")));
      }
      required.insert(name);
    }
  }
  for (Evaluator* evaluator : evaluators) TRM_RETURN_IF_ERROR(evaluator->BeginEval());

  at::NoGradGuard no_grad;
  EvalModeGuard eval_mode(model);
  const at::Device device = ModelDevice(model);
  const int max_steps = std::max(1, model.arch_config().halt_max_steps());

  Seen seen;
  std::map<std::string, std::map<std::string, double>> sums;  // set -> metric -> sum
  EvalProgress progress;
  while (std::optional<EvalBatch> item = next_batch()) {
    // LibTorch reports errors (a shape mismatch, out of memory, ...) as exceptions.
    try {
      TRM_RETURN_IF_ERROR(EvaluateBatch(model, loss_head, *item, device, max_steps, required,
                                        evaluators, sums, seen, progress));
    } catch (const c10::Error& e) {
      return absl::InternalError(absl::StrCat("evaluation: batch ", progress.batches + 1, ": ",
                                              e.what_without_backtrace()));
    }
    if (options.on_batch) options.on_batch(progress);
    if (options.stop && options.stop()) break;
  }

  // Agree on the table layout, then sum it over all ranks.
  Seen all;
  for (const std::string& bytes : communicator.AllGatherBytes(EncodeSeen(seen))) {
    TRM_RETURN_IF_ERROR(MergeSeen(bytes, all));
  }
  if (all.rows == 0) {
    return absl::FailedPreconditionError("evaluation: the test split has no rows on any rank");
  }
  if (!all.metrics.count(kCountMetric)) {
    return absl::InternalError("evaluation: the loss head reports no 'count' metric");
  }
  const std::vector<std::string> set_names(all.sets.begin(), all.sets.end());
  const std::vector<std::string> metric_names(all.metrics.begin(), all.metrics.end());
  at::Tensor table =
      at::zeros({static_cast<int64_t>(set_names.size()), static_cast<int64_t>(metric_names.size())},
                at::kDouble);
  auto cells = table.accessor<double, 2>();
  for (size_t s = 0; s < set_names.size(); ++s) {
    auto set = sums.find(set_names[s]);
    if (set == sums.end()) continue;
    for (size_t m = 0; m < metric_names.size(); ++m) {
      auto value = set->second.find(metric_names[m]);
      if (value != set->second.end()) cells[s][m] = value->second;
    }
  }
  std::vector<at::Tensor> reduce = {table};
  communicator.AllReduceSum(reduce);
  table = reduce[0];
  cells = table.accessor<double, 2>();

  std::map<std::string, double> metrics;
  const size_t count_column =
      std::find(metric_names.begin(), metric_names.end(), kCountMetric) - metric_names.begin();
  for (size_t s = 0; s < set_names.size(); ++s) {
    const double count = cells[s][count_column];
    metrics[absl::StrCat(set_names[s], "/", kCountMetric)] = count;
    if (count == 0) continue;  // a set whose rows were all padding has no averages
    for (size_t m = 0; m < metric_names.size(); ++m) {
      if (m == count_column) continue;
      metrics[absl::StrCat(set_names[s], "/", metric_names[m])] = cells[s][m] / count;
    }
  }

  for (Evaluator* evaluator : evaluators) {
    TRM_ASSIGN_OR_RETURN(const auto evaluator_metrics, evaluator->Result(options.output_dir));
    for (const auto& [name, value] : evaluator_metrics) {
      if (!metrics.emplace(name, value).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("evaluation: metric '", name, "' is reported twice"));
      }
    }
  }
  return metrics;
}

}  // namespace trm
