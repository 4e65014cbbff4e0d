// TRM with a single latent (spec §12.3): z <- net(z + x) L_cycles times, then z <- net(z); the
// heads read z.
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/plugin/plugin_api.h"

namespace trm::recursive_reasoning {
namespace {

class TrmSingleZInner : public RecursiveInner {
 public:
  explicit TrmSingleZInner(const config::ArchConfig& config) : RecursiveInner(config) {
    L_level = register_module("L_level", NewLevel(config.l_layers()));
    L_init = register_buffer("L_init", NewInitialState());
    FinishConstruction();
  }

  std::vector<at::Tensor> ResetValues() const override { return {L_init}; }

  std::shared_ptr<nn::ReasoningModule> L_level;
  at::Tensor L_init;

 protected:
  std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) override {
    at::Tensor z = std::move(states[0]);
    auto cycle = [&] {
      for (int l = 0; l < config().l_cycles(); ++l) z = Apply(*L_level, z, x);
      z = Apply(*L_level, z, at::Tensor());
    };
    {
      at::NoGradGuard no_grad;
      for (int h = 0; h < config().h_cycles() - 1; ++h) cycle();
    }
    cycle();
    return {z};
  }
};

}  // namespace

std::unique_ptr<Architecture> MakeTrmSingleZ(const config::ArchConfig& config) {
  ConfigRules rules;
  rules.allow_mlp_t = true;
  const config::ArchConfig resolved = ResolveConfig(config, rules);
  return std::make_unique<RecursiveModel>(resolved, TrmHaltingPolicy(resolved),
                                          std::vector<std::string>{"z_L"},
                                          std::make_shared<TrmSingleZInner>(resolved));
}

TRM_REGISTER(ArchitectureRegistry, "trm_singlez", MakeTrmSingleZ,
             "ablation: TRM with a single latent state");

}  // namespace trm::recursive_reasoning
