// What a checkpoint holds besides the model weights, as named tensors: the ACT carry, the random
// generators' states and opaque byte strings (the data loader's position). Together with the
// optimizers' and EMA's tensors this is everything needed to continue a run bit-exactly.
#ifndef TRM_TRAIN_TRAIN_STATE_H_
#define TRM_TRAIN_TRAIN_STATE_H_

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/model/architecture.h"

namespace trm {

using TensorList = std::vector<std::pair<std::string, at::Tensor>>;

// Files of one checkpoint folder.
std::string CheckpointWeightsPath(const std::string& dir);     // model.safetensors (reference keys)
std::string TrainStatePath(const std::string& dir, int rank);  // train_state.rank<R>.safetensors

// "carry.state.<name>", "carry.steps", "carry.halted",
// "carry.data.{inputs,labels,puzzle_identifiers}", on the CPU.
TensorList CarryToTensors(const ActCarry& carry, const std::vector<std::string>& state_names);
// The inverse, onto `device`; errors name the missing tensor.
absl::StatusOr<ActCarry> CarryFromTensors(const std::map<std::string, at::Tensor>& tensors,
                                          const std::vector<std::string>& state_names,
                                          const at::Device& device);

// The default generator of `device` (CPU, or the current CUDA device's) as a uint8 tensor.
at::Tensor GeneratorState(const at::Device& device);
absl::Status SetGeneratorState(const at::Device& device, const at::Tensor& state);

// Bytes <-> a uint8 tensor, so opaque state travels in safetensors files.
at::Tensor BytesToTensor(const std::string& bytes);
std::string TensorToBytes(const at::Tensor& tensor);

// The tensors under `prefix`, with the prefix removed.
std::map<std::string, at::Tensor> WithPrefix(const std::map<std::string, at::Tensor>& tensors,
                                             const std::string& prefix);

// With EMA on, the weights file holds the EMA parameters and rank 0's training state the live
// (trained) ones under this prefix.
inline constexpr char kLiveParameterPrefix[] = "shared.live.";

// Copies the live parameters among `state_tensors` (a training state file's tensors, read from
// `source`) into `model`. NotFound when the state holds none (the run kept no EMA) or lacks one of
// the model's parameters; InvalidArgument on a shape mismatch. Errors name `source` and the
// parameter.
absl::Status LoadLiveParameters(const std::map<std::string, at::Tensor>& state_tensors,
                                const std::string& source, Architecture& model);

}  // namespace trm

#endif  // TRM_TRAIN_TRAIN_STATE_H_
