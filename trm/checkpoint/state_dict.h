// Loading weights into an Architecture, and writing our weight files.
//
// Key convention: our files hold the reference's ACTLossHead state-dict keys, i.e. "model." +
// Architecture::StateDict() key (the fixtures' weights.safetensors use the same). Checkpoints of
// the reference's training come from a torch.compile'd module and add "_orig_mod.". Loading strips
// an optional "_orig_mod." and then an optional "model.".
#ifndef TRM_CHECKPOINT_STATE_DICT_H_
#define TRM_CHECKPOINT_STATE_DICT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/checkpoint/weights_file.h"
#include "trm/model/architecture.h"

namespace trm {

// The puzzle-embedding table's key after StripCheckpointPrefixes (the reference's name, used by
// every architecture that has the table).
inline constexpr char kPuzzleTableKey[] = "inner.puzzle_emb.weights";

// "_orig_mod.model.inner.x", "model.inner.x" and "inner.x" all give "inner.x".
std::string StripCheckpointPrefixes(const std::string& key);

// `weights` with StripCheckpointPrefixes applied; an error names both keys if two collide.
absl::StatusOr<NamedTensors> StripCheckpointPrefixes(const NamedTensors& weights,
                                                     const std::string& source);

// What loading does when the stored puzzle-embedding table has another number of rows than the
// model's (a model for another dataset). The embedding width must match in every case.
enum class PuzzleTableResize {
  // A shape mismatch, like any other tensor's.
  kError,
  // The reference's load_checkpoint (spec §6.6): every row of the model's table becomes the mean
  // of the stored rows.
  kMeanOfAll,
  // New identifiers appended to a trained model (unseen tasks): the stored rows are kept bit for
  // bit and every row after them becomes the mean of the trained rows (stored rows 1.., row 0 being
  // the blank identifier's; a one-row table gives its row). A smaller model table is an error.
  kAppendMean,
  // As kAppendMean, the new rows a copy of the blank identifier's row 0 (the reference's Kaggle
  // script predicts unseen tasks with the blank identifier).
  kAppendBlank,
};

struct LoadWeightsOptions {
  PuzzleTableResize puzzle_table_resize = PuzzleTableResize::kError;
};

struct LoadReport {
  int64_t tensors = 0;
  // Floating-point buffers stored in another dtype and converted (H_init/L_init of a run with
  // another forward dtype).
  std::vector<std::string> converted;
  // kMeanOfAll: the puzzle-embedding table was filled with the mean of a stored table of this
  // shape.
  std::vector<int64_t> puzzle_embedding_mean_of;
  // kAppend*: rows appended after the stored ones (0: the table had the model's shape).
  int64_t puzzle_embedding_rows_appended = 0;
};

// Copies `weights` (stored names) into the tensors of model.StateDict(). Keys must match exactly
// and shapes must be equal. Dtypes must be equal too, except for floating-point buffers, which
// take the model's dtype as torch's load_state_dict does: the reference stores H_init/L_init in
// the forward dtype of the run (bf16 in production), so a bf16 checkpoint loads into a float32
// model and vice versa. Parameters and integer tensors never change dtype.
// Nothing is modified unless everything matches; the error is one line naming `source` and every
// missing, unexpected, shape-mismatched and dtype-mismatched key.
absl::StatusOr<LoadReport> LoadStateDict(const NamedTensors& weights, const std::string& source,
                                         Architecture& model,
                                         const LoadWeightsOptions& options = {});

// ReadWeights(path) (any format) and LoadStateDict.
absl::StatusOr<LoadReport> LoadWeightsFile(const std::string& path, Architecture& model,
                                           const LoadWeightsOptions& options = {});

// The model's StateDict() as "model." + key, as they will be written by SaveWeightsFile.
NamedTensors WeightsFileTensors(const Architecture& model);

// Writes WeightsFileTensors(model) to a safetensors file, atomically (replaces `path`).
absl::Status SaveWeightsFile(const std::string& path, const Architecture& model);

}  // namespace trm

#endif  // TRM_CHECKPOINT_STATE_DICT_H_
