// The Transformer baseline (spec §12.2): one deep network applied once per ACT step,
// z_H <- net(z_H + x), all with gradient. Halting compares q_halt with q_continue (adaptive in
// training when act_enabled, in evaluation when act_inference); no Q-continue target is learned.
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/plugin/plugin_api.h"

namespace trm::recursive_reasoning {
namespace {

class TransformerBaselineInner : public RecursiveInner {
 public:
  explicit TransformerBaselineInner(const config::ArchConfig& config) : RecursiveInner(config) {
    H_level = register_module("H_level", NewLevel(config.h_layers()));
    H_init = register_buffer("H_init", NewInitialState());
    FinishConstruction();
  }

  std::vector<at::Tensor> ResetValues() const override { return {H_init}; }

  std::shared_ptr<nn::ReasoningModule> H_level;
  at::Tensor H_init;

 protected:
  std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) override {
    return {Apply(*H_level, states[0], x)};
  }
};

}  // namespace

std::unique_ptr<Architecture> MakeTransformerBaseline(const config::ArchConfig& config) {
  ConfigRules rules;
  rules.derive_puzzle_emb_len = true;
  rules.allow_no_positions = false;
  rules.uses_h_layers = true;
  rules.uses_l_layers = false;
  const config::ArchConfig resolved = ResolveConfig(config, rules);
  nn::HaltingPolicy policy;
  policy.signal = nn::HaltingPolicy::Signal::kHaltAboveContinue;
  policy.adaptive_in_training = resolved.act_enabled();
  policy.adaptive_in_eval = resolved.act_inference();
  return std::make_unique<RecursiveModel>(resolved, policy, std::vector<std::string>{"z_H"},
                                          std::make_shared<TransformerBaselineInner>(resolved));
}

TRM_REGISTER(ArchitectureRegistry, "transformer_baseline", MakeTransformerBaseline,
             "ablation: a plain H_layers-deep Transformer applied once per ACT step");

}  // namespace trm::recursive_reasoning
