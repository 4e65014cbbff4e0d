// Weight files of any supported format, told apart by their first bytes (reference checkpoints
// are named `step_N`, without an extension): our safetensors files and the zip archives of
// PyTorch's torch.save (the reference's checkpoints, the fixtures' weights.pt).
#ifndef TRM_CHECKPOINT_WEIGHTS_FILE_H_
#define TRM_CHECKPOINT_WEIGHTS_FILE_H_

#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"

namespace trm {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

enum class WeightsFormat { kSafetensors, kTorchSave };

const char* WeightsFormatName(WeightsFormat format);

// Looks at the magic bytes only; errors name the file and what it looks like instead.
absl::StatusOr<WeightsFormat> DetectWeightsFormat(const std::string& path);

// Every tensor of the file under its stored name, in the file's order (safetensors: sorted by
// name). Tensors are zero-copy views of a private mapping of the file where possible and keep it
// alive; writing to them never changes the file.
absl::StatusOr<NamedTensors> ReadWeights(const std::string& path);

}  // namespace trm

#endif  // TRM_CHECKPOINT_WEIGHTS_FILE_H_
