// Parameter counts and state-dict keys of the paper's configurations (spec §13).
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/config/experiment_loader.h"

namespace trm::recursive_reasoning {
namespace {

// The puzzle table is a buffer, not a parameter: its row count does not change the counts, so the
// tests use a small one instead of ARC-AGI-2's 1,191,730 rows (2.3 GiB).
constexpr int kPuzzleRows = 10;

int64_t TrainableParameters(const Architecture& model) {
  int64_t total = 0;
  for (const at::Tensor& parameter : model.parameters()) {
    if (parameter.requires_grad()) total += parameter.numel();
  }
  return total;
}

config::ArchConfig Arc2TrmArch() {
  const auto experiment = config::LoadExperiment("arc2_trm", {});
  EXPECT_TRUE(experiment.ok()) << experiment.status();
  config::ArchConfig arch = experiment->arch();
  arch.set_batch_size(192);
  arch.set_seq_len(900);
  arch.set_vocab_size(12);
  arch.set_num_puzzle_identifiers(kPuzzleRows);
  return arch;
}

TEST(ParameterCountTest, Arc2TrmMatchesTheReference) {
  const auto model = MakeTrm(Arc2TrmArch());
  EXPECT_EQ(TrainableParameters(*model), 6829058);

  // Spec §13.2: state-dict order, shapes and dtypes (without the "_orig_mod.model." prefix).
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"inner.H_init", {512}},
      {"inner.L_init", {512}},
      {"inner.embed_tokens.embedding_weight", {12, 512}},
      {"inner.lm_head.weight", {12, 512}},
      {"inner.q_head.weight", {2, 512}},
      {"inner.q_head.bias", {2}},
      {"inner.puzzle_emb.weights", {kPuzzleRows, 512}},
      {"inner.L_level.layers.0.self_attn.qkv_proj.weight", {1536, 512}},
      {"inner.L_level.layers.0.self_attn.o_proj.weight", {512, 512}},
      {"inner.L_level.layers.0.mlp.gate_up_proj.weight", {3072, 512}},
      {"inner.L_level.layers.0.mlp.down_proj.weight", {512, 1536}},
      {"inner.L_level.layers.1.self_attn.qkv_proj.weight", {1536, 512}},
      {"inner.L_level.layers.1.self_attn.o_proj.weight", {512, 512}},
      {"inner.L_level.layers.1.mlp.gate_up_proj.weight", {3072, 512}},
      {"inner.L_level.layers.1.mlp.down_proj.weight", {512, 1536}},
  };
  const auto state = model->StateDict();
  ASSERT_EQ(state.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(state[i].first, expected[i].first);
    EXPECT_EQ(state[i].second.sizes(), at::IntArrayRef(expected[i].second)) << state[i].first;
    const bool initial_state = i < 2;
    EXPECT_EQ(state[i].second.scalar_type(), initial_state ? at::kBFloat16 : at::kFloat)
        << state[i].first;
  }
  // The halting head starts at weight 0, bias -5.
  EXPECT_EQ(state[4].second.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(at::equal(state[5].second, at::full({2}, -5.0f)));
}

config::ArchConfig Sudoku(bool mlp_t) {
  config::ArchConfig arch = Arc2TrmArch();
  arch.set_seq_len(81);
  arch.set_vocab_size(11);
  arch.set_num_puzzle_identifiers(1);
  if (mlp_t) {
    arch.set_mlp_t(true);
    arch.set_pos_encodings("none");
  }
  return arch;
}

TEST(ParameterCountTest, OtherConfigurationsOfTheReference) {
  // Spec §13.3.
  EXPECT_EQ(TrainableParameters(*MakeTrm(Sudoku(false))), 6828034);
  EXPECT_EQ(TrainableParameters(*MakeTrm(Sudoku(true))), 5028866);
  config::ArchConfig maze = Arc2TrmArch();
  maze.set_vocab_size(6);
  EXPECT_EQ(TrainableParameters(*MakeTrm(maze)), 6822914);

  config::ArchConfig hrm = Arc2TrmArch();
  hrm.set_h_cycles(2);
  hrm.set_l_cycles(2);
  hrm.set_h_layers(4);
  hrm.set_l_layers(4);
  const auto hrm_model = MakeHrm(hrm);
  EXPECT_EQ(TrainableParameters(*hrm_model), 27276290);
  EXPECT_EQ(hrm_model->arch_config().puzzle_emb_len(), 1);  // always derived

  config::ArchConfig baseline = Arc2TrmArch();
  baseline.set_h_layers(8);
  baseline.set_num_heads(12);
  const auto baseline_model = MakeTransformerBaseline(baseline);
  EXPECT_EQ(TrainableParameters(*baseline_model), 27145218);
  EXPECT_EQ(baseline_model->StateDict()[6].first,
            "inner.H_level.layers.0.self_attn.qkv_proj.weight");
  EXPECT_EQ(baseline_model->StateDict()[6].second.sizes(), (at::IntArrayRef{1512, 512}));

  // The ablations have TRM's parameters and their own initial-state buffers.
  EXPECT_EQ(TrainableParameters(*MakeTrmSingleZ(Arc2TrmArch())), 6829058);
  const auto hier6 = MakeTrmHier6(Arc2TrmArch());
  EXPECT_EQ(TrainableParameters(*hier6), 6829058);
  std::vector<std::string> buffers;
  for (const auto& [key, tensor] : hier6->StateDict()) {
    if (key.find("_init") != std::string::npos) buffers.push_back(key);
  }
  EXPECT_THAT(buffers, ::testing::ElementsAre("inner.H_init", "inner.L1_init", "inner.L2_init",
                                              "inner.L3_init", "inner.L4_init", "inner.L5_init",
                                              "inner.L6_init"));
}

}  // namespace
}  // namespace trm::recursive_reasoning
