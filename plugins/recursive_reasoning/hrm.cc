// HRM (spec §12.1): separate low- and high-level networks; every update runs without gradient
// except the very last L and H updates (one-step gradient). Halting compares q_halt with
// q_continue, and training learns q_continue from a bootstrapped target.
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/plugin/plugin_api.h"

namespace trm::recursive_reasoning {
namespace {

class HrmInner : public RecursiveInner {
 public:
  explicit HrmInner(const config::ArchConfig& config) : RecursiveInner(config) {
    H_level = register_module("H_level", NewLevel(config.h_layers()));
    L_level = register_module("L_level", NewLevel(config.l_layers()));
    H_init = register_buffer("H_init", NewInitialState());
    L_init = register_buffer("L_init", NewInitialState());
    FinishConstruction();
  }

  std::vector<at::Tensor> ResetValues() const override { return {H_init, L_init}; }

  std::shared_ptr<nn::ReasoningModule> H_level;
  std::shared_ptr<nn::ReasoningModule> L_level;
  at::Tensor H_init;
  at::Tensor L_init;

 protected:
  std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) override {
    at::Tensor z_H = std::move(states[0]);
    at::Tensor z_L = std::move(states[1]);
    const int h_cycles = config().h_cycles();
    const int l_cycles = config().l_cycles();
    {
      at::NoGradGuard no_grad;
      for (int h = 0; h < h_cycles; ++h) {
        const bool last_h = h == h_cycles - 1;
        for (int l = 0; l < l_cycles; ++l) {
          if (!(last_h && l == l_cycles - 1)) z_L = Apply(*L_level, z_L, z_H + x);
        }
        if (!last_h) z_H = Apply(*H_level, z_H, z_L);
      }
    }
    z_L = Apply(*L_level, z_L, z_H + x);
    z_H = Apply(*H_level, z_H, z_L);
    return {z_H, z_L};
  }
};

}  // namespace

std::unique_ptr<Architecture> MakeHrm(const config::ArchConfig& config) {
  ConfigRules rules;
  rules.derive_puzzle_emb_len = true;
  rules.uses_h_layers = true;
  const config::ArchConfig resolved = ResolveConfig(config, rules);
  nn::HaltingPolicy policy;
  policy.signal = nn::HaltingPolicy::Signal::kHaltAboveContinue;
  policy.target_q_continue = true;
  return std::make_unique<RecursiveModel>(resolved, policy, std::vector<std::string>{"z_H", "z_L"},
                                          std::make_shared<HrmInner>(resolved));
}

TRM_REGISTER(ArchitectureRegistry, "hrm", MakeHrm,
             "Hierarchical Reasoning Model: separate H and L networks, one-step gradient, "
             "bootstrapped Q-continue target");

}  // namespace trm::recursive_reasoning
