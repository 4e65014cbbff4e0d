// TRM (spec §3): one network serves both the latent update z_L <- net(z_L + (z_H + x)) and the
// answer update z_H <- net(z_H + z_L); H_cycles - 1 outer cycles without gradient, then one with.
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/plugin/plugin_api.h"

namespace trm::recursive_reasoning {
namespace {

class TrmInner : public RecursiveInner {
 public:
  explicit TrmInner(const config::ArchConfig& config) : RecursiveInner(config) {
    L_level = register_module("L_level", NewLevel(config.l_layers()));
    H_init = register_buffer("H_init", NewInitialState());
    L_init = register_buffer("L_init", NewInitialState());
    FinishConstruction();
  }

  std::vector<at::Tensor> ResetValues() const override { return {H_init, L_init}; }

  std::shared_ptr<nn::ReasoningModule> L_level;
  at::Tensor H_init;
  at::Tensor L_init;

 protected:
  std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) override {
    at::Tensor z_H = std::move(states[0]);
    at::Tensor z_L = std::move(states[1]);
    auto cycle = [&] {
      for (int l = 0; l < config().l_cycles(); ++l) z_L = Apply(*L_level, z_L, z_H + x);
      z_H = Apply(*L_level, z_H, z_L);
    };
    {
      at::NoGradGuard no_grad;
      for (int h = 0; h < config().h_cycles() - 1; ++h) cycle();
    }
    cycle();
    return {z_H, z_L};
  }
};

}  // namespace

std::unique_ptr<Architecture> MakeTrm(const config::ArchConfig& config) {
  ConfigRules rules;
  rules.allow_mlp_t = true;
  const config::ArchConfig resolved = ResolveConfig(config, rules);
  return std::make_unique<RecursiveModel>(resolved, TrmHaltingPolicy(resolved),
                                          std::vector<std::string>{"z_H", "z_L"},
                                          std::make_shared<TrmInner>(resolved));
}

TRM_REGISTER(ArchitectureRegistry, "trm", MakeTrm,
             "Tiny Recursive Model: one shared network, latent and answer updates (attention or "
             "token-MLP)");

}  // namespace trm::recursive_reasoning
