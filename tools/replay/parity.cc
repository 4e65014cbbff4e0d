#include "tools/replay/parity.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/weights_file.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/nn/attention.h"
#include "trm/nn/cross_entropy.h"
#include "trm/nn/layers.h"
#include "tools/replay/fixture_case.h"
#include "tools/replay/protocol.h"

namespace trm::parity {
namespace {

// The expected tensors of a case; remembers which ones were compared.
class Expected {
 public:
  static absl::StatusOr<Expected> Open(const std::string& path) {
    TRM_ASSIGN_OR_RETURN(TensorMap tensors, ReadSafetensors(path));
    return Expected(std::move(tensors));
  }

  bool Has(const std::string& name) const { return tensors_.count(name) > 0; }

  at::Tensor Get(const std::string& name) {
    used_.insert(name);
    return tensors_.at(name);
  }

  // Without counting as compared; undefined when absent.
  at::Tensor Peek(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? at::Tensor() : it->second;
  }

  std::vector<std::string> Unused() const {
    std::vector<std::string> names;
    for (const auto& [name, tensor] : tensors_) {
      if (used_.count(name) == 0) names.push_back(name);
    }
    return names;
  }

 private:
  explicit Expected(TensorMap tensors) : tensors_(std::move(tensors)) {}

  TensorMap tensors_;
  std::set<std::string> used_;
};

// "eval_bf16.step3.logits" -> {"eval_bf16", 3, "logits"}; step 0 for names without a step.
struct ParsedName {
  std::string run;
  int step = 0;
  std::string field;
};

ParsedName Parse(const std::string& name) {
  ParsedName parsed;
  const std::vector<std::string> parts = absl::StrSplit(name, absl::MaxSplits('.', 2));
  parsed.run = parts[0];
  if (parts.size() == 3 && absl::StartsWith(parts[1], "step") &&
      absl::SimpleAtoi(parts[1].substr(4), &parsed.step)) {
    parsed.field = parts[2];
  } else {
    parsed.field = name.substr(parsed.run.size() + (parts.size() > 1 ? 1 : 0));
  }
  return parsed;
}

template <typename T>
T PerStep(const std::vector<T>& values, int step, T fallback) {
  return step >= 1 && step - 1 < static_cast<int>(values.size()) ? values[step - 1] : fallback;
}

// The halting losses are sums of BCE terms, 1-Lipschitz in each logit, so their float32 error is
// bounded by the q-logit errors of the same step (each checked against the q tolerance); in
// numerically sensitive cases (trm_mlp) that bound exceeds the plain loss tolerance. Returns the
// extra absolute allowance for `name` (0 for everything but the losses).
double PropagatedLossError(const ParsedName& parsed, const TensorMap& produced,
                           const Expected& expected, double q_loss_weight) {
  const bool total = parsed.field == "loss";
  const bool halt = parsed.field == "metrics.q_halt_loss";
  const bool cont = parsed.field == "metrics.q_continue_loss";
  if (parsed.step == 0 || !(total || halt || cont)) return 0.0;
  const std::string step = absl::StrCat(parsed.run, ".step", parsed.step, ".");
  auto pair = [&](const std::string& field) -> std::pair<at::Tensor, at::Tensor> {
    auto it = produced.find(step + field);
    const at::Tensor ref = expected.Peek(step + field);
    if (it == produced.end() || !ref.defined()) return {};
    return {it->second.to(at::kDouble), ref.to(at::kDouble)};
  };
  auto sum_abs_diff = [](const std::pair<at::Tensor, at::Tensor>& p) {
    return p.first.defined() ? (p.first - p.second).abs().sum().item<double>() : 0.0;
  };
  const double halt_error = sum_abs_diff(pair("q_halt_logits"));
  double cont_error = 0.0;
  const auto target = pair("target_q_continue");
  if (target.first.defined()) {
    const auto q = pair("q_continue_logits");
    cont_error = sum_abs_diff(q);
    // d BCE / d target = -logit.
    if (q.first.defined()) {
      cont_error += ((target.first - target.second).abs() * q.second.abs()).sum().item<double>();
    }
  }
  if (halt) return halt_error;
  if (cont) return cont_error;
  return q_loss_weight * (halt_error + cont_error);
}

// The fixtures' rule for one expected tensor (fixtures/README §3, "Tolerances"); `propagated` is
// added to the absolute tolerance of losses (see PropagatedLossError).
Comparison CompareByRule(const std::string& name, const at::Tensor& actual,
                         const at::Tensor& expected, const CaseTolerances& t,
                         double propagated = 0.0) {
  const ParsedName parsed = Parse(name);
  const std::string& field = parsed.field;
  if (parsed.run == "grad") return CompareGradient(name, actual, expected, t.grad_atol_rel);
  if (parsed.run == "eval_bf16") {
    if (parsed.step == 0) return CompareExact(name, actual, expected);  // H_init, L_init
    const double atol = field == "logits" ? PerStep(t.bf16_logits_atol, parsed.step, 0.0)
                                          : PerStep(t.bf16_q_logits_atol, parsed.step, 0.0);
    return CompareClose(name, actual, expected, atol, 0.0);
  }
  if (absl::StartsWith(field, "final.")) {
    return CompareClose(name, actual, expected, t.final_carry.atol, t.final_carry.rtol);
  }
  if (field == "logits") return CompareClose(name, actual, expected, t.logits.atol, t.logits.rtol);
  if (field == "q_halt_logits" || field == "q_continue_logits" || field == "target_q_continue") {
    return CompareClose(name, actual, expected, t.q_logits.atol, t.q_logits.rtol);
  }
  if (field == "preds") {
    const std::vector<int64_t>& fragile =
        parsed.run == "train" ? t.fragile_train_per_step : t.fragile_eval_per_step;
    return CompareArgmax(name, actual, expected, PerStep(fragile, parsed.step, int64_t{0}));
  }
  if (field == "loss" || field == "metrics.accuracy" || field == "metrics.lm_loss" ||
      field == "metrics.q_halt_loss" || field == "metrics.q_continue_loss") {
    Comparison c = CompareClose(name, actual, expected, t.loss_and_metrics.atol + propagated,
                                t.loss_and_metrics.rtol);
    if (propagated > 0) {
      c.tolerance = absl::StrFormat("atol %.2g + rtol %.2g + %.2g (q)", t.loss_and_metrics.atol,
                                    t.loss_and_metrics.rtol, propagated);
    }
    return c;
  }
  // halted, steps, all_finish, current_puzzle_identifiers, integer metrics.
  return CompareExact(name, actual, expected);
}

absl::StatusOr<std::vector<Comparison>> RunModelCase(const std::string& dir,
                                                     const ParityOptions& options) {
  TRM_ASSIGN_OR_RETURN(const ModelCase c, LoadModelCase(dir));
  const std::string weights_path =
      options.weights_path.empty() ? dir + "/weights.safetensors" : options.weights_path;
  TRM_ASSIGN_OR_RETURN(const NamedTensors weights, ReadWeights(weights_path));
  TRM_ASSIGN_OR_RETURN(const CaseInputs inputs, ReadCaseInputs(dir + "/inputs.safetensors"));
  TRM_ASSIGN_OR_RETURN(Expected expected, Expected::Open(dir + "/expected.safetensors"));

  ProtocolOptions protocol;
  protocol.run_bf16 = expected.Has("eval_bf16.step1.q_halt_logits");
  protocol.device = options.device;
  TRM_ASSIGN_OR_RETURN(const TensorMap produced,
                       RunProtocol(c, inputs, weights, weights_path, protocol));

  std::vector<Comparison> out;
  for (const std::string& name : expected.Unused()) {
    auto it = produced.find(name);
    if (it == produced.end()) {
      out.push_back(Missing(name, "not produced by the run"));
    } else {
      const double propagated =
          PropagatedLossError(Parse(name), produced, expected, c.loss.q_loss_weight());
      out.push_back(CompareByRule(name, it->second, expected.Get(name), c.tolerances, propagated));
    }
  }
  // Every trainable tensor needs a reference gradient.
  for (const auto& [name, tensor] : produced) {
    if (absl::StartsWith(name, "grad.") && !expected.Has(name)) {
      out.push_back(Missing(name, "no reference gradient for this trainable tensor"));
    }
  }
  // The train-mode logits of step 1 are not stored: they equal the eval ones (training differs
  // only in how the puzzle embedding is gathered).
  if (!expected.Has("train.step1.logits") && expected.Has("eval.step1.logits") &&
      produced.count("train.step1.logits")) {
    out.push_back(CompareByRule("train.step1.logits", produced.at("train.step1.logits"),
                                expected.Get("eval.step1.logits"), c.tolerances));
  }
  return out;
}

// fixtures/ops: the building blocks one by one, tolerances from case.json.
class OpsCaseRunner {
 public:
  static absl::StatusOr<std::vector<Comparison>> Run(const std::string& dir) {
    TRM_ASSIGN_OR_RETURN(const nlohmann::json root, ReadJsonFile(dir + "/case.json"));
    TRM_ASSIGN_OR_RETURN(TensorMap inputs, ReadSafetensors(dir + "/inputs.safetensors"));
    TRM_ASSIGN_OR_RETURN(Expected expected, Expected::Open(dir + "/expected.safetensors"));
    std::map<std::string, Tolerance> tolerances;
    try {
      for (const auto& [key, value] : root.at("tolerances").items()) {
        tolerances[key] = Tolerance{value.value("atol", 0.0), value.value("rtol", 0.0)};
      }
    } catch (const nlohmann::json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(dir, "/case.json: tolerances: ", e.what()));
    }
    for (const char* name :
         {"ce.logits", "ce.labels", "rms_norm.x", "rms_norm.x_bf16", "rope.q", "rope.k",
          "attention.x", "attention.qkv_proj.weight", "attention.o_proj.weight", "swiglu.x",
          "swiglu.gate_up_proj.weight", "swiglu.down_proj.weight"}) {
      if (inputs.count(name) == 0) {
        return absl::NotFoundError(
            absl::StrCat(dir, "/inputs.safetensors: no tensor '", name, "'"));
      }
    }
    for (const char* key :
         {"stablemax_ce.loss", "stablemax_ce.grad_logits", "softmax_ce", "rms_norm.y",
          "rms_norm.y_bf16", "rope.cos/sin", "rope.q_embed/k_embed", "attention/swiglu"}) {
      if (tolerances.count(key) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(dir, "/case.json: no tolerances.", key));
      }
    }
    OpsCaseRunner runner(std::move(inputs), std::move(expected), std::move(tolerances));
    runner.Compare();
    for (const std::string& name : runner.expected_.Unused()) {
      runner.out_.push_back(Missing(name, "not produced by the run"));
    }
    return std::move(runner.out_);
  }

 private:
  OpsCaseRunner(TensorMap inputs, Expected expected, std::map<std::string, Tolerance> tolerances)
      : in_(std::move(inputs)),
        expected_(std::move(expected)),
        tolerances_(std::move(tolerances)) {}

  void Close(const std::string& name, const at::Tensor& actual, const std::string& key) {
    const Tolerance t = tolerances_.at(key);
    if (expected_.Has(name)) {
      out_.push_back(CompareClose(name, actual, expected_.Get(name), t.atol, t.rtol));
    }
  }

  static void SetWeight(at::Tensor& parameter, const at::Tensor& value) {
    at::NoGradGuard no_grad;
    parameter.copy_(value);
  }

  void Compare() {
    for (const bool stablemax : {true, false}) {
      const at::Tensor logits = in_.at("ce.logits").clone().requires_grad_(true);
      const at::Tensor loss = stablemax ? nn::StablemaxCrossEntropy(logits, in_.at("ce.labels"))
                                        : nn::SoftmaxCrossEntropy(logits, in_.at("ce.labels"));
      loss.sum().backward();
      const std::string name = stablemax ? "stablemax_ce" : "softmax_ce";
      Close(name + ".loss", loss, stablemax ? "stablemax_ce.loss" : "softmax_ce");
      Close(name + ".grad_logits", logits.grad(),
            stablemax ? "stablemax_ce.grad_logits" : "softmax_ce");
    }
    at::NoGradGuard no_grad;
    Close("rms_norm.y", nn::RmsNorm(in_.at("rms_norm.x"), 1e-5), "rms_norm.y");
    Close("rms_norm.y_bf16", nn::RmsNorm(in_.at("rms_norm.x_bf16"), 1e-5), "rms_norm.y_bf16");

    const nn::RotaryEmbedding rope(16, 916, 10000.0);
    Close("rope.cos", rope.cos_cached, "rope.cos/sin");
    Close("rope.sin", rope.sin_cached, "rope.cos/sin");
    Close("rope.q_embed", nn::ApplyRotary(in_.at("rope.q"), rope.cos_cached, rope.sin_cached),
          "rope.q_embed/k_embed");
    Close("rope.k_embed", nn::ApplyRotary(in_.at("rope.k"), rope.cos_cached, rope.sin_cached),
          "rope.q_embed/k_embed");

    nn::Attention attention(32, 4);
    SetWeight(attention.qkv_proj->weight, in_.at("attention.qkv_proj.weight"));
    SetWeight(attention.o_proj->weight, in_.at("attention.o_proj.weight"));
    const nn::RotaryEmbedding attention_rope(attention.head_dim(), 10, 10000.0);
    Close("attention.rope_cos", attention_rope.cos_cached, "rope.cos/sin");
    Close("attention.rope_sin", attention_rope.sin_cached, "rope.cos/sin");
    const at::Tensor& x = in_.at("attention.x");
    Close("attention.y_rope",
          attention.Forward(x, attention_rope.cos_cached, attention_rope.sin_cached),
          "attention/swiglu");
    Close("attention.y_norope", attention.Forward(x, at::Tensor(), at::Tensor()),
          "attention/swiglu");

    nn::SwiGLU swiglu(32, 4.0);
    SetWeight(swiglu.gate_up_proj->weight, in_.at("swiglu.gate_up_proj.weight"));
    SetWeight(swiglu.down_proj->weight, in_.at("swiglu.down_proj.weight"));
    Close("swiglu.y", swiglu.Forward(in_.at("swiglu.x")), "attention/swiglu");
  }

  TensorMap in_;
  Expected expected_;
  std::map<std::string, Tolerance> tolerances_;
  std::vector<Comparison> out_;
};

}  // namespace

int ParityReport::failures() const {
  int failures = 0;
  for (const Comparison& c : comparisons) failures += c.pass ? 0 : 1;
  return failures;
}

std::string ParityReport::ToString() const {
  std::string text;
  for (const Comparison& c : comparisons) absl::StrAppend(&text, FormatComparison(c), "\n");
  absl::StrAppend(&text, case_name, ": ", comparisons.size() - failures(), "/", comparisons.size(),
                  " tensors within tolerance, ", failures(),
                  " failed: ", passed() ? "PASS" : "FAIL", "\n");
  return text;
}

absl::StatusOr<ParityReport> RunParityCase(const std::string& dir, const ParityOptions& options) {
  TRM_ASSIGN_OR_RETURN(const nlohmann::json root, ReadJsonFile(dir + "/case.json"));
  ParityReport report;
  report.case_name = root.value("name", dir);
  if (report.case_name == "ops") {
    if (options.device != "cpu") {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, ": the ops case runs on the CPU only, not on ", options.device));
    }
    TRM_ASSIGN_OR_RETURN(report.comparisons, OpsCaseRunner::Run(dir));
    return report;
  }
  TRM_ASSIGN_OR_RETURN(report.comparisons, RunModelCase(dir, options));
  return report;
}

}  // namespace trm::parity
