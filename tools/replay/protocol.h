// The fixtures' run protocol (fixtures/README §3) for one model case:
//   "eval":      eval mode, initial carry, n_steps calls on `batch` (every step, final carry);
//   "eval_bf16": the same with forward_dtype bfloat16 and the same weights;
//   "train":     train mode, step 1 on `batch` with backward (every gradient), steps 2..n on
//                `batch2` (rows that halted are reset and take batch2's row).
// Every produced tensor is returned under its fixture name ("eval.step2.q_halt_logits",
// "grad.model.inner.lm_head.weight", ...), so that the parity check and the case generator share
// one implementation.
#ifndef TOOLS_REPLAY_PROTOCOL_H_
#define TOOLS_REPLAY_PROTOCOL_H_

#include <ATen/ATen.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "trm/checkpoint/weights_file.h"
#include "trm/model/architecture.h"
#include "trm/model/batch.h"
#include "tools/replay/fixture_case.h"

namespace trm::parity {

using TensorMap = std::map<std::string, at::Tensor>;

struct CaseInputs {
  Batch batch;
  Batch batch2;
  at::Tensor carry0_halted;  // bool [B]
  at::Tensor carry0_steps;   // int32 [B]
};

// inputs.safetensors: batch.*, batch2.*, carry0.halted, carry0.steps.
absl::StatusOr<CaseInputs> ReadCaseInputs(const std::string& path);
TensorMap CaseInputsToTensors(const CaseInputs& inputs);

struct ProtocolOptions {
  // forward_dtype of the "eval" and "train" runs: float32, or float64 for an oracle.
  std::string dtype = "float32";
  bool run_bf16 = true;
  // Where the model runs ("cpu", "cuda", "cuda:1"); every produced tensor is returned on the CPU.
  std::string device = "cpu";
};

// Builds the case's architecture from the registry with the given forward dtype and loads
// `weights` (any stored names and formats the checkpoint loader accepts; H_init / L_init of a
// bf16 model are the float32 values rounded, as torch's load_state_dict does).
absl::StatusOr<std::unique_ptr<Architecture>> BuildCaseModel(const ModelCase& c,
                                                             const std::string& dtype,
                                                             const NamedTensors& weights,
                                                             const std::string& source);

absl::StatusOr<TensorMap> RunProtocol(const ModelCase& c, const CaseInputs& inputs,
                                      const NamedTensors& weights,
                                      const std::string& weights_source,
                                      const ProtocolOptions& options = {});

}  // namespace trm::parity

#endif  // TOOLS_REPLAY_PROTOCOL_H_
