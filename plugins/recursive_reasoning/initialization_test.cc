// Our initialisation is the reference's, draw for draw: with the fixtures' seed, building the
// model on the CPU gives the fixtures' weights bit for bit (except the two tensors the fixture
// generator replaced on purpose: puzzle_emb.weights and the q_head).
#include <string>

#include "gtest/gtest.h"
#include "plugins/recursive_reasoning/recursive_model.h"
#include "tests/testing/runfiles.h"
#include "trm/checkpoint/safetensors.h"
#include "tools/replay/fixture_case.h"

namespace trm::recursive_reasoning {
namespace {

struct Case {
  std::string name;
  uint64_t seed;  // case.json: seeds.torch.manual_seed_before_model_construction
};

class InitializationTest : public ::testing::TestWithParam<Case> {};

TEST_P(InitializationTest, SameSeedGivesTheReferenceWeights) {
  const std::string dir = trm::testing::RunfilePath("tests/golden/" + GetParam().name);
  const absl::StatusOr<parity::ModelCase> c = parity::LoadModelCase(dir);
  ASSERT_TRUE(c.ok()) << c.status();
  const auto weights = ReadSafetensors(dir + "/weights.safetensors");
  ASSERT_TRUE(weights.ok()) << weights.status();

  at::manual_seed(GetParam().seed);
  const std::unique_ptr<Architecture> model =
      c->architecture == "hrm" ? MakeHrm(c->arch) : MakeTrm(c->arch);
  int compared = 0;
  for (const auto& [key, tensor] : model->StateDict()) {
    if (key == "inner.puzzle_emb.weights" || key.rfind("inner.q_head.", 0) == 0) continue;
    const auto it = weights->find("model." + key);
    ASSERT_NE(it, weights->end()) << key;
    EXPECT_TRUE(at::equal(tensor, it->second)) << key;
    ++compared;
  }
  EXPECT_GE(compared, 8);
}

INSTANTIATE_TEST_SUITE_P(ReferenceFixtures, InitializationTest,
                         ::testing::Values(Case{"trm_att", 1000}, Case{"trm_mlp", 2000},
                                           Case{"hrm", 3000}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace trm::recursive_reasoning
