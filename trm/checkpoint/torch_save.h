// Reads the files PyTorch's torch.save writes (the zip container of torch >= 1.6): the reference's
// checkpoints (`step_N`, a state_dict() OrderedDict) and the fixtures' weights.pt (a dict).
//
// The container is read with LibTorch's PyTorchStreamReader over a memory mapping of the file, and
// archive/data.pkl with our strict unpickler (pickle.h). Storages stored uncompressed (torch.save
// never compresses) become tensors over the mapping after a CRC check, so reading a checkpoint
// copies nothing: a 2.3 GiB puzzle table costs page cache, not a second heap copy.
#ifndef TRM_CHECKPOINT_TORCH_SAVE_H_
#define TRM_CHECKPOINT_TORCH_SAVE_H_

#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"
#include "trm/checkpoint/pickle.h"

namespace trm {

// Unpickles the object saved in `path`. Its tensors keep the file's mapping alive.
// Errors are one line naming the file (and the byte offset for pickle errors).
absl::StatusOr<PickleValuePtr> ReadTorchSave(const std::string& path);

// The tensors of a saved dict or OrderedDict of str -> tensor (e.g. a state_dict()), in file order.
absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> ReadTorchSaveTensors(
    const std::string& path);

}  // namespace trm

#endif  // TRM_CHECKPOINT_TORCH_SAVE_H_
