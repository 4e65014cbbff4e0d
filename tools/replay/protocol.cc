#include "tools/replay/protocol.h"

#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/model/loss_head.h"

namespace trm::parity {
namespace {

absl::StatusOr<at::Tensor> Get(const TensorMap& tensors, const std::string& name,
                               const std::string& path) {
  auto it = tensors.find(name);
  if (it == tensors.end())
    return absl::NotFoundError(absl::StrCat(path, ": no tensor '", name, "'"));
  return it->second;
}

absl::StatusOr<Batch> GetBatch(const TensorMap& tensors, const std::string& prefix,
                               const std::string& path) {
  Batch batch;
  TRM_ASSIGN_OR_RETURN(batch.inputs, Get(tensors, prefix + ".inputs", path));
  TRM_ASSIGN_OR_RETURN(batch.labels, Get(tensors, prefix + ".labels", path));
  TRM_ASSIGN_OR_RETURN(batch.puzzle_identifiers,
                       Get(tensors, prefix + ".puzzle_identifiers", path));
  return batch;
}

class Recorder {
 public:
  void Put(const std::string& name, const at::Tensor& tensor) {
    if (tensor.defined()) out_[name] = tensor.detach().to(at::kCPU).clone();
  }

  void Step(const std::string& step, const ActCarry& carry, const ActOutputs& outputs,
            const LossOutputs& loss) {
    Put(step + ".logits", outputs.logits);
    Put(step + ".q_halt_logits", outputs.q_halt_logits);
    Put(step + ".q_continue_logits", outputs.q_continue_logits);
    Put(step + ".target_q_continue", outputs.target_q_continue);
    Put(step + ".halted", carry.halted);
    Put(step + ".steps", carry.steps);
    Put(step + ".all_finish", carry.halted.all());
    Put(step + ".current_puzzle_identifiers", carry.current_data.puzzle_identifiers);
    Put(step + ".preds", loss.preds);
    Put(step + ".loss", loss.loss);
    for (const auto& [metric, value] : loss.metrics) Put(step + ".metrics." + metric, value);
  }

  TensorMap Take() { return std::move(out_); }

 private:
  TensorMap out_;
};

CaseInputs OnDevice(const CaseInputs& inputs, const at::Device& device) {
  CaseInputs out;
  out.batch = inputs.batch.To(device);
  out.batch2 = inputs.batch2.To(device);
  if (inputs.carry0_halted.defined()) out.carry0_halted = inputs.carry0_halted.to(device);
  if (inputs.carry0_steps.defined()) out.carry0_steps = inputs.carry0_steps.to(device);
  return out;
}

ActCarry StartCarry(const Architecture& model, const CaseInputs& inputs) {
  ActCarry carry = model.InitialCarry(inputs.batch);
  if (inputs.carry0_halted.defined()) carry.halted = inputs.carry0_halted.clone();
  if (inputs.carry0_steps.defined()) carry.steps = inputs.carry0_steps.clone();
  return carry;
}

}  // namespace

absl::StatusOr<CaseInputs> ReadCaseInputs(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(const TensorMap tensors, ReadSafetensors(path));
  CaseInputs inputs;
  TRM_ASSIGN_OR_RETURN(inputs.batch, GetBatch(tensors, "batch", path));
  TRM_ASSIGN_OR_RETURN(inputs.batch2, GetBatch(tensors, "batch2", path));
  TRM_ASSIGN_OR_RETURN(inputs.carry0_halted, Get(tensors, "carry0.halted", path));
  TRM_ASSIGN_OR_RETURN(inputs.carry0_steps, Get(tensors, "carry0.steps", path));
  return inputs;
}

TensorMap CaseInputsToTensors(const CaseInputs& inputs) {
  TensorMap tensors;
  for (const auto& [prefix, batch] :
       {std::pair<std::string, const Batch*>{"batch", &inputs.batch}, {"batch2", &inputs.batch2}}) {
    tensors[prefix + ".inputs"] = batch->inputs;
    tensors[prefix + ".labels"] = batch->labels;
    tensors[prefix + ".puzzle_identifiers"] = batch->puzzle_identifiers;
  }
  tensors["carry0.halted"] = inputs.carry0_halted;
  tensors["carry0.steps"] = inputs.carry0_steps;
  return tensors;
}

absl::StatusOr<std::unique_ptr<Architecture>> BuildCaseModel(const ModelCase& c,
                                                             const std::string& dtype,
                                                             const NamedTensors& weights,
                                                             const std::string& source) {
  config::ArchConfig config = c.arch;
  config.set_forward_dtype(dtype);
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<Architecture> model,
                       ArchitectureRegistry().Create(c.architecture, config));
  TRM_RETURN_IF_ERROR(LoadStateDict(weights, source, *model).status());
  return model;
}

absl::StatusOr<TensorMap> RunProtocol(const ModelCase& c, const CaseInputs& case_inputs,
                                      const NamedTensors& weights,
                                      const std::string& weights_source,
                                      const ProtocolOptions& options) {
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<LossHead> head,
                       LossRegistry().Create(c.loss.name(), c.loss));
  Recorder record;
  std::optional<at::Device> device;
  try {
    device.emplace(options.device);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat("device '", options.device, "' is not a device such as cpu or cuda:0"));
  }
  const CaseInputs inputs = OnDevice(case_inputs, *device);

  std::vector<std::pair<std::string, std::string>> eval_runs = {{"eval", options.dtype}};
  if (options.run_bf16) eval_runs.emplace_back("eval_bf16", "bfloat16");
  for (const auto& [run, dtype] : eval_runs) {
    TRM_ASSIGN_OR_RETURN(std::unique_ptr<Architecture> model,
                         BuildCaseModel(c, dtype, weights, weights_source));
    model->to(*device);
    model->eval();
    // The initial-state buffers as the model holds them (rounded to bf16 in eval_bf16).
    std::set<std::string> parameters;
    for (const auto& p : model->named_parameters()) parameters.insert(p.key());
    for (const auto& [name, tensor] : model->StateDict()) {
      if (parameters.count(name) == 0 && absl::EndsWith(name, "_init")) {
        record.Put(run + "." + name.substr(name.find('.') + 1), tensor);
      }
    }
    at::NoGradGuard no_grad;
    ActCarry carry = StartCarry(*model, inputs);
    for (int k = 1; k <= c.n_steps; ++k) {
      ActOutputs outputs;
      std::tie(carry, outputs) = model->Forward(carry, inputs.batch);
      record.Step(absl::StrCat(run, ".step", k), carry, outputs, head->Compute(carry, outputs));
    }
    const std::vector<std::string> names = model->StateNames();
    for (size_t i = 0; i < names.size(); ++i)
      record.Put(run + ".final." + names[i], carry.states[i]);
  }

  TRM_ASSIGN_OR_RETURN(std::unique_ptr<Architecture> model,
                       BuildCaseModel(c, options.dtype, weights, weights_source));
  model->to(*device);
  model->train();
  ActCarry carry = StartCarry(*model, inputs);
  for (int k = 1; k <= c.n_steps; ++k) {
    // Only step 1 is differentiated.
    std::unique_ptr<at::NoGradGuard> no_grad;
    if (k > 1) no_grad = std::make_unique<at::NoGradGuard>();
    ActOutputs outputs;
    std::tie(carry, outputs) = model->Forward(carry, k == 1 ? inputs.batch : inputs.batch2);
    const LossOutputs loss = head->Compute(carry, outputs);
    record.Step(absl::StrCat("train.step", k), carry, outputs, loss);
    if (k > 1) continue;
    loss.loss.backward();
    for (const auto& item : model->named_parameters()) {
      const at::Tensor& grad = item.value().grad();
      record.Put("grad.model." + item.key(), grad.defined() ? grad : at::zeros_like(item.value()));
    }
    for (const auto& item : model->named_buffers()) {
      if (item.value().requires_grad() && item.value().grad().defined()) {
        record.Put("grad.model." + item.key(), item.value().grad());
      }
    }
  }
  return record.Take();
}

}  // namespace trm::parity
