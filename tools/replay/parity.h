// Replays a parity case (fixtures/README §3, §4) and compares every stored tensor:
//   model cases: "eval" (float32, every ACT step, final carry), "eval_bf16" (initial states exact,
//   q logits / stored logits within the case's bf16 bounds), "train" (step 1 on `batch` with
//   backward: every gradient; later steps on `batch2`: halting, resets, losses, metrics, preds);
//   the "ops" case: cross entropies and their gradients, RMS norm, RoPE, attention, SwiGLU.
// Used by //tools:parity and by the parity tests. Architectures and the loss head come from the
// registries, so the plugins must be loaded first.
#ifndef TOOLS_REPLAY_PARITY_H_
#define TOOLS_REPLAY_PARITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/replay/compare.h"

namespace trm::parity {

struct ParityOptions {
  // Weights file; empty = DIR/weights.safetensors. Ignored by the ops case.
  std::string weights_path;
  // Where model cases run ("cpu", "cuda", ...); the ops case runs on the CPU only.
  std::string device = "cpu";
};

struct ParityReport {
  std::string case_name;
  std::vector<Comparison> comparisons;

  int failures() const;
  bool passed() const { return !comparisons.empty() && failures() == 0; }
  // One line per comparison and a summary line.
  std::string ToString() const;
};

// Errors (unreadable or inconsistent case files, an unknown architecture, weights that do not fit
// the model) are statuses; numerical disagreement is a report with failures. Every expected
// tensor that the run did not produce is a failure too.
absl::StatusOr<ParityReport> RunParityCase(const std::string& dir,
                                           const ParityOptions& options = {});

}  // namespace trm::parity

#endif  // TOOLS_REPLAY_PARITY_H_
