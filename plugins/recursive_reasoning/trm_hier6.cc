// TRM with six latents (spec §12.4): L cycle l replaces latent l with net(S + (z_H + x)), where
// S is the sum of the six latents (recomputed before every use); then z_H <- net(z_H + S).
#include <string>

#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/plugin/plugin_api.h"

namespace trm::recursive_reasoning {
namespace {

constexpr int kLatents = 6;

class TrmHier6Inner : public RecursiveInner {
 public:
  explicit TrmHier6Inner(const config::ArchConfig& config) : RecursiveInner(config) {
    L_level = register_module("L_level", NewLevel(config.l_layers()));
    H_init = register_buffer("H_init", NewInitialState());
    for (int i = 1; i <= kLatents; ++i) {
      L_inits.push_back(register_buffer("L" + std::to_string(i) + "_init", NewInitialState()));
    }
    FinishConstruction();
  }

  std::vector<at::Tensor> ResetValues() const override {
    std::vector<at::Tensor> values = {H_init};
    values.insert(values.end(), L_inits.begin(), L_inits.end());
    return values;
  }

  std::shared_ptr<nn::ReasoningModule> L_level;
  at::Tensor H_init;
  std::vector<at::Tensor> L_inits;

 protected:
  std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) override {
    // states = {z_H, z_L1, ..., z_L6}
    auto latent_sum = [&] {
      at::Tensor sum = states[1];
      for (int i = 2; i <= kLatents; ++i) sum = sum + states[i];
      return sum;
    };
    auto cycle = [&] {
      for (int l = 0; l < config().l_cycles(); ++l) {
        states[1 + l] = Apply(*L_level, latent_sum(), states[0] + x);
      }
      states[0] = Apply(*L_level, states[0], latent_sum());
    };
    {
      at::NoGradGuard no_grad;
      for (int h = 0; h < config().h_cycles() - 1; ++h) cycle();
    }
    cycle();
    return states;
  }
};

}  // namespace

std::unique_ptr<Architecture> MakeTrmHier6(const config::ArchConfig& config) {
  ConfigRules rules;
  rules.allow_mlp_t = true;
  rules.max_l_cycles = kLatents;
  const config::ArchConfig resolved = ResolveConfig(config, rules);
  std::vector<std::string> names = {"z_H"};
  for (int i = 1; i <= kLatents; ++i) names.push_back("z_L" + std::to_string(i));
  return std::make_unique<RecursiveModel>(resolved, TrmHaltingPolicy(resolved), std::move(names),
                                          std::make_shared<TrmHier6Inner>(resolved));
}

TRM_REGISTER(ArchitectureRegistry, "trm_hier6", MakeTrmHier6,
             "ablation: TRM with six latents, each replaced by one L cycle");

}  // namespace trm::recursive_reasoning
