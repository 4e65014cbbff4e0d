// A parity case folder (fixtures/README §1, §3): case.json (config, tolerances, measured noise),
// inputs.safetensors, expected.safetensors and a weights file. The reference's fixtures and the
// self-consistency cases written by //tools:make_parity_case share this layout.
#ifndef TOOLS_REPLAY_FIXTURE_CASE_H_
#define TOOLS_REPLAY_FIXTURE_CASE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "trm/config/experiment.pb.h"

namespace trm::parity {

struct Tolerance {
  double atol = 0;
  double rtol = 0;
};

struct CaseTolerances {
  Tolerance logits;
  Tolerance q_logits;
  Tolerance final_carry;
  Tolerance loss_and_metrics;
  double grad_atol_rel = 0;
  // Per ACT step (index k - 1).
  std::vector<double> bf16_logits_atol;
  std::vector<double> bf16_q_logits_atol;
  // Argmax positions that may flip (top-2 gap within float noise), per step.
  std::vector<int64_t> fragile_eval_per_step;
  std::vector<int64_t> fragile_train_per_step;
};

struct ModelCase {
  std::string dir;
  std::string name;
  // Registry name of the architecture ("trm", "hrm", ...).
  std::string architecture;
  config::ArchConfig arch;
  config::LossConfig loss;
  int n_steps = 0;
  CaseTolerances tolerances;
};

// Reads DIR/case.json of a model case. Errors name the file and the field.
absl::StatusOr<ModelCase> LoadModelCase(const std::string& dir);

// Reads and parses a JSON file; errors name the file.
absl::StatusOr<nlohmann::json> ReadJsonFile(const std::string& path);

// The reference's "models.recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1" (or a
// registry name) -> "trm", "hrm", "transformer_baseline", "trm_singlez", "trm_hier6".
absl::StatusOr<std::string> ArchitectureFromModelClass(const std::string& model_class);

// case.json "config" (the reference's field names) <-> ArchConfig. Unknown keys are errors
// (except "causal", which the reference passes and ignores).
absl::Status ArchConfigFromJson(const nlohmann::json& json, config::ArchConfig* config);
nlohmann::json ArchConfigToJson(const config::ArchConfig& config);

}  // namespace trm::parity

#endif  // TOOLS_REPLAY_FIXTURE_CASE_H_
