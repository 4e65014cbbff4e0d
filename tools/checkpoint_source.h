// What a tool's --checkpoint names: a weights file (our .safetensors, a reference step_N, a
// torch.save .pt), a checkpoint folder of our trainer (step_N/), or a run folder (its newest
// complete checkpoint). Shared by //tools:eval and //tools:solve.
#ifndef TOOLS_CHECKPOINT_SOURCE_H_
#define TOOLS_CHECKPOINT_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"

namespace trm {

struct CheckpointSource {
  std::string weights_file;  // the file LoadWeightsFile reads
  std::string folder;        // our trainer's checkpoint folder, or "" for a plain weights file
};

// `flag` resolved against the user's folder. Errors name the path.
absl::StatusOr<CheckpointSource> ResolveCheckpoint(const std::string& flag);

}  // namespace trm

#endif  // TOOLS_CHECKPOINT_SOURCE_H_
