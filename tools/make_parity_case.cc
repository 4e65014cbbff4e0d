// Writes a self-consistency parity case: a configuration the reference accepts but the shipped
// fixtures do not cover (other sizes, head counts, expansions, layer and cycle counts, learned
// positions, derived puzzle_emb_len, padding rows, the ablation architectures), in the layout of
// the reference's fixtures. We cannot run the Python reference here, so the expected tensors come
// from our own model evaluated in float64 (same float32 weights, float64 activations) and the
// tolerances follow the fixtures' rule (50x the measured float32-vs-float64 deviation). Replaying
// such a case in float32 with //tools:parity is a consistency and regression check of our code,
// NOT a comparison with the reference.
//
//   bazel run //tools:make_parity_case -- --out=DIR --architecture=trm
//       --config='{"hidden_size": 96, "num_heads": 8}' [--padding_rows=1] [--seed=0]
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "trm/app/app.h"
#include "trm/base/file_util.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"
#include "tools/replay/fixture_case.h"
#include "tools/replay/protocol.h"

ABSL_FLAG(std::string, out, "", "Case folder to create (must not exist).");
ABSL_FLAG(std::string, architecture, "trm", "Registered architecture.");
ABSL_FLAG(std::string, config, "{}",
          "JSON object of architecture fields (reference names) over the small defaults.");
ABSL_FLAG(int, padding_rows, 0,
          "Trailing rows of both batches that are padding (id 0, no labels).");
ABSL_FLAG(int, n_steps, 3, "ACT steps per run.");
ABSL_FLAG(int, seed, 0, "Seed of weights, perturbations and data.");
ABSL_FLAG(std::string, description, "", "One line saying what the case covers.");

namespace trm::parity {
namespace {

using nlohmann::json;

// Every halting decision must clear float32 noise by this much (the fixtures use 0.05 too).
constexpr double kHaltMargin = 0.05;
constexpr int kMaxAttempts = 64;

json SmallBaseConfig() {
  return {{"H_cycles", 2},
          {"L_cycles", 2},
          {"H_layers", 1},
          {"L_layers", 2},
          {"hidden_size", 64},
          {"num_heads", 4},
          {"expansion", 4.0},
          {"pos_encodings", "rope"},
          {"puzzle_emb_ndim", 64},
          {"puzzle_emb_len", 16},
          {"seq_len", 64},
          {"vocab_size", 12},
          {"batch_size", 3},
          {"num_puzzle_identifiers", 10},
          {"halt_max_steps", 3},
          {"halt_exploration_prob", 0.0},
          {"forward_dtype", "float32"}};
}

// Whether rows halt on q_halt > 0 (TRM family with no_ACT_continue) rather than on
// q_halt > q_continue.
bool HaltsOnHaltLogit(const ModelCase& c) {
  return (c.architecture == "trm" || c.architecture == "trm_singlez" ||
          c.architecture == "trm_hier6") &&
         c.arch.no_act_continue();
}

Batch RandomBatch(const config::ArchConfig& arch, int padding_rows) {
  const int64_t rows = arch.batch_size();
  const int64_t length = arch.seq_len();
  Batch batch;
  batch.inputs = at::randint(0, arch.vocab_size(), {rows, length}, at::kInt);
  batch.labels = at::randint(0, arch.vocab_size(), {rows, length}, at::kInt);
  batch.labels.masked_fill_(at::rand({rows, length}) < 0.3, static_cast<int64_t>(kIgnoreLabel));
  batch.puzzle_identifiers =
      at::randint(1, std::max(2, arch.num_puzzle_identifiers()), {rows}, at::kInt);
  for (int64_t r = rows - padding_rows; r < rows; ++r) {
    batch.inputs[r].fill_(0);
    batch.labels[r].fill_(static_cast<int64_t>(kIgnoreLabel));
    batch.puzzle_identifiers[r].fill_(0);
  }
  return batch;
}

double MaxAbsDiff(const TensorMap& a, const TensorMap& b, const std::string& name) {
  return (a.at(name).to(at::kDouble) - b.at(name).to(at::kDouble)).abs().max().item<double>();
}

// Largest deviation over the names matching `pattern` (a substring) present in both maps.
double MaxDeviation(const TensorMap& f32, const TensorMap& f64, const std::string& pattern,
                    bool relative = false) {
  double worst = 0;
  for (const auto& [name, tensor] : f64) {
    if (!absl::StrContains(name, pattern) || f32.count(name) == 0) continue;
    double deviation = MaxAbsDiff(f32, f64, name);
    if (relative) deviation /= std::max(1e-30, tensor.to(at::kDouble).abs().max().item<double>());
    worst = std::max(worst, deviation);
  }
  return worst;
}

// Positions per step whose top-2 logit gap is below `gap` (where an argmax may legitimately flip).
std::vector<int64_t> FragilePositions(const TensorMap& oracle, const std::string& run, int steps,
                                      double gap) {
  std::vector<int64_t> counts;
  for (int k = 1; k <= steps; ++k) {
    const auto it = oracle.find(absl::StrCat(run, ".step", k, ".logits"));
    if (it == oracle.end()) {
      counts.push_back(0);
      continue;
    }
    const at::Tensor top2 = std::get<0>(it->second.topk(2, -1));
    counts.push_back((top2.select(-1, 0) - top2.select(-1, 1)).lt(gap).sum().item<int64_t>());
  }
  return counts;
}

double Rule(double deviation) { return std::max(1e-4, 50 * deviation); }

absl::Status Generate() {
  const std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (out.empty()) return absl::InvalidArgumentError("--out is required");
  if (std::filesystem::exists(out)) {
    return absl::AlreadyExistsError(absl::StrCat(out, ": exists; refusing to overwrite"));
  }
  ModelCase c;
  c.architecture = absl::GetFlag(FLAGS_architecture);
  c.name = std::filesystem::path(out).filename().string();
  c.n_steps = absl::GetFlag(FLAGS_n_steps);
  c.loss.set_name("act_loss_head");
  json config = SmallBaseConfig();
  try {
    config.update(json::parse(absl::GetFlag(FLAGS_config)));
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("--config: ", e.what()));
  }
  TRM_RETURN_IF_ERROR(ArchConfigFromJson(config, &c.arch));
  c.arch.set_name(c.architecture);
  const int padding_rows = absl::GetFlag(FLAGS_padding_rows);
  if (padding_rows < 0 || padding_rows >= c.arch.batch_size() - 1) {
    return absl::InvalidArgumentError("--padding_rows must leave at least two real rows");
  }

  ProtocolOptions oracle_options;
  oracle_options.dtype = "float64";
  oracle_options.run_bf16 = false;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const int seed = absl::GetFlag(FLAGS_seed) * 1000 + attempt;
    at::manual_seed(seed);
    TRM_ASSIGN_OR_RETURN(std::unique_ptr<Architecture> model,
                         ArchitectureRegistry().Create(c.architecture, c.arch));
    TensorMap weights;
    for (const auto& [key, tensor] : model->StateDict()) weights["model." + key] = tensor.clone();
    // Exercise the paths the reference initialises to zero (as the fixtures do).
    if (weights.count("model.inner.puzzle_emb.weights")) {
      at::Tensor& table = weights["model.inner.puzzle_emb.weights"];
      table = at::randn(table.sizes()) / std::sqrt(static_cast<double>(c.arch.hidden_size()));
    }
    weights["model.inner.q_head.weight"] = at::randn({2, c.arch.hidden_size()}) * 0.05;
    weights["model.inner.q_head.bias"] = at::zeros({2});
    CaseInputs inputs;
    inputs.batch = RandomBatch(c.arch, padding_rows);
    inputs.batch2 = RandomBatch(c.arch, padding_rows);
    inputs.carry0_halted = at::ones({c.arch.batch_size()}, at::kBool);
    inputs.carry0_steps = at::zeros({c.arch.batch_size()}, at::kInt);

    const auto named = [&weights] { return NamedTensors(weights.begin(), weights.end()); };
    TRM_ASSIGN_OR_RETURN(TensorMap probe,
                         RunProtocol(c, inputs, named(), "generator", oracle_options));
    // Bias of the halt logit: exactly one row halts at train step 1, with a margin.
    at::Tensor signal = probe.at("train.step1.q_halt_logits").to(at::kDouble);
    if (!HaltsOnHaltLogit(c))
      signal = signal - probe.at("train.step1.q_continue_logits").to(at::kDouble);
    const at::Tensor sorted = std::get<0>(signal.sort(0, /*descending=*/true));
    const double bias = -(sorted[0].item<double>() + sorted[1].item<double>()) / 2;
    weights["model.inner.q_head.bias"][0].fill_(bias);
    // Row 0 predicts its own labels exactly at the last eval step (exercises exact_accuracy and
    // the q-halt target); logits do not depend on the q-head bias.
    const at::Tensor last = probe.at(absl::StrCat("eval.step", c.n_steps, ".logits")).argmax(-1);
    const at::Tensor labelled = inputs.batch.labels[0].ne(kIgnoreLabel);
    inputs.batch.labels[0].copy_(at::where(labelled, last[0].to(at::kInt), inputs.batch.labels[0]));

    TRM_ASSIGN_OR_RETURN(TensorMap oracle,
                         RunProtocol(c, inputs, named(), "generator", oracle_options));
    // Only decisions the q-head makes count: a row at halt_max_steps halts regardless.
    double margin = 1e9;
    for (int k = 1; k <= c.n_steps; ++k) {
      const std::string step = absl::StrCat("train.step", k, ".");
      at::Tensor s = oracle.at(step + "q_halt_logits").to(at::kDouble);
      if (!HaltsOnHaltLogit(c)) s = s - oracle.at(step + "q_continue_logits").to(at::kDouble);
      const at::Tensor decided = oracle.at(step + "steps").lt(c.arch.halt_max_steps());
      if (decided.any().item<bool>()) {
        margin = std::min(margin, s.abs().masked_select(decided).min().item<double>());
      }
    }
    if (margin < kHaltMargin) {
      std::cerr << "attempt " << attempt << ": a halting decision is within " << margin
                << " of its threshold; drawing again\n";
      continue;
    }

    TRM_ASSIGN_OR_RETURN(const TensorMap f32, RunProtocol(c, inputs, named(), "generator",
                                                          ProtocolOptions{"float32", false}));
    const json measured = {
        {"f32_vs_f64_max_abs",
         {{"logits", MaxDeviation(f32, oracle, ".logits")},
          {"q_logits", std::max({MaxDeviation(f32, oracle, "q_halt_logits"),
                                 MaxDeviation(f32, oracle, "q_continue_logits"),
                                 MaxDeviation(f32, oracle, "target_q_continue")})},
          {"final_carry", MaxDeviation(f32, oracle, ".final.")},
          {"loss_rel", MaxDeviation(f32, oracle, ".loss", /*relative=*/true)},
          {"grad_max_abs_diff_over_max_abs", MaxDeviation(f32, oracle, "grad.", true)}}},
        {"min_halt_margin", margin},
        {"attempt", attempt}};
    const json& m = measured["f32_vs_f64_max_abs"];
    const double logits_atol = Rule(m["logits"].get<double>());
    const double gap = 2 * logits_atol;
    json fragile = {
        {"threshold_top2_gap", gap},
        {"eval_per_step_all_positions", FragilePositions(oracle, "eval", c.n_steps, gap)},
        {"train_per_step_all_positions", FragilePositions(oracle, "train", c.n_steps, gap)}};
    json root = {
        {"name", c.name},
        {"kind", "self_consistency"},
        {"architecture", c.architecture},
        {"description",
         absl::StrCat(absl::GetFlag(FLAGS_description),
                      " Self-consistency case: expected = our model in float64 (float32 weights, "
                      "float64 activations), not the Python reference.")},
        {"config", config},
        {"loss_head", "models.losses@ACTLossHead(loss_type='stablemax_cross_entropy')"},
        {"n_steps", c.n_steps},
        {"padding_rows", padding_rows},
        {"seed", seed},
        {"measured", measured},
        {"tolerances",
         {{"float32",
           {{"logits", {{"atol", logits_atol}, {"rtol", 1e-4}}},
            {"q_halt_logits/q_continue_logits/target_q_continue",
             {{"atol", Rule(m["q_logits"].get<double>())}, {"rtol", 1e-4}}},
            {"final_carry_z_H_z_L",
             {{"atol", Rule(m["final_carry"].get<double>())}, {"rtol", 1e-4}}},
            {"loss_and_float_metrics",
             {{"atol", 1e-6}, {"rtol", std::max(1e-5, 50 * m["loss_rel"].get<double>())}}},
            {"grads", {{"atol_rel", Rule(m["grad_max_abs_diff_over_max_abs"].get<double>())}}}}}}}};
    root["measured"]["fragile_argmax_positions"] = fragile;

    std::filesystem::create_directories(out);
    std::vector<std::pair<std::string, at::Tensor>> weight_list(weights.begin(), weights.end());
    TRM_RETURN_IF_ERROR(
        WriteSafetensors(out + "/weights.safetensors", weight_list, {{"format", "pt"}}));
    const TensorMap input_map = CaseInputsToTensors(inputs);
    TRM_RETURN_IF_ERROR(WriteSafetensors(
        out + "/inputs.safetensors",
        std::vector<std::pair<std::string, at::Tensor>>(input_map.begin(), input_map.end())));
    // Stored like the fixtures: float32 tensors, float64 scalars (losses). Rounding the oracle to
    // float32 is far below any tolerance.
    std::vector<std::pair<std::string, at::Tensor>> expected;
    for (const auto& [name, tensor] : oracle) {
      const bool narrow = tensor.scalar_type() == at::kDouble && tensor.dim() > 0;
      expected.emplace_back(name, narrow ? tensor.to(at::kFloat) : tensor);
    }
    TRM_RETURN_IF_ERROR(WriteSafetensors(out + "/expected.safetensors", expected));
    TRM_RETURN_IF_ERROR(WriteFileAtomically(out + "/case.json", root.dump(1) + "\n"));
    std::cout << out << ": " << oracle.size() << " expected tensors, attempt " << attempt
              << ", halting margin " << margin << ", logits atol " << logits_atol << "\n";
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no seed in ", kMaxAttempts, " attempts gave halting decisions clear of float32 noise"));
}

}  // namespace
}  // namespace trm::parity

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Writes a self-consistency parity case (float64 oracle of our own model).\n"
                "  make_parity_case --out=DIR --architecture=NAME --config=JSON");
  if (absl::Status status = trm::parity::Generate(); !status.ok()) trm::Die(status);
  return 0;
}
