#include "trm/checkpoint/state_dict.h"

#include <cstdlib>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/checkpoint/safetensors.h"
#include "plugins/testing/tensor_holder_architecture.h"
#include "trm/checkpoint/testing/torch_save_writer.h"

namespace trm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::trm::testing::ReferenceStateSpecs;
using ::trm::testing::SpecsLike;
using ::trm::testing::TensorBytes;
using ::trm::testing::TensorHolderArchitecture;
using ::trm::testing::TensorSpec;

std::string Golden(const std::string& file) {
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error));
  EXPECT_NE(runfiles, nullptr) << error;
  return runfiles->Rlocation("trm/tests/golden/" + file);
}

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

config::ArchConfig Config(const std::string& name = "trm") {
  config::ArchConfig config;
  config.set_name(name);
  return config;
}

// A small TRM-shaped state: parameters, the H_init buffer, the puzzle table and an int buffer.
std::vector<TensorSpec> SmallSpecs(at::ScalarType forward_dtype = at::kFloat) {
  return {
      {"inner.H_init", {8}, forward_dtype, false},
      {"inner.embed_tokens.embedding_weight", {5, 8}},
      {"inner.q_head.weight", {2, 8}},
      {"inner.q_head.bias", {2}},
      {"inner.puzzle_emb.weights", {10, 4}, at::kFloat, false},
      {"inner.counts", {3}, at::kInt, false},
  };
}

// Bitwise equality of two models' states, key by key.
void ExpectSameState(const Architecture& a, const Architecture& b) {
  const auto state_a = a.StateDict();
  const auto state_b = b.StateDict();
  ASSERT_EQ(state_a.size(), state_b.size());
  for (size_t i = 0; i < state_a.size(); ++i) {
    ASSERT_EQ(state_a[i].first, state_b[i].first);
    EXPECT_EQ(state_a[i].second.scalar_type(), state_b[i].second.scalar_type()) << state_a[i].first;
    EXPECT_EQ(TensorBytes(state_a[i].second.contiguous()), TensorBytes(state_b[i].second.contiguous()))
        << state_a[i].first;
  }
}

// The stored tensors of `model` under "<prefix><key>", cloned.
NamedTensors StateWithPrefix(const Architecture& model, const std::string& prefix) {
  NamedTensors tensors;
  for (const auto& [key, tensor] : model.StateDict()) tensors.emplace_back(prefix + key, tensor.clone());
  return tensors;
}

TEST(StateDictTest, StripsCompiledAndLossHeadPrefixes) {
  EXPECT_EQ(StripCheckpointPrefixes("_orig_mod.model.inner.H_init"), "inner.H_init");
  EXPECT_EQ(StripCheckpointPrefixes("model.inner.H_init"), "inner.H_init");
  EXPECT_EQ(StripCheckpointPrefixes("_orig_mod.inner.H_init"), "inner.H_init");
  EXPECT_EQ(StripCheckpointPrefixes("inner.H_init"), "inner.H_init");
  EXPECT_EQ(StripCheckpointPrefixes("inner.model.x"), "inner.model.x");
  EXPECT_EQ(StripCheckpointPrefixes("model._orig_mod.x"), "_orig_mod.x");  // only in that order

  absl::StatusOr<NamedTensors> collision = StripCheckpointPrefixes(
      NamedTensors{{"model.inner.a", at::ones({1})}, {"_orig_mod.model.inner.a", at::ones({1})}},
      "f.pt");
  ASSERT_FALSE(collision.ok());
  EXPECT_EQ(Message(collision.status()),
            "f.pt: 'model.inner.a' and '_orig_mod.model.inner.a' both name the tensor 'inner.a'");
}

// weights.safetensors, weights.pt and reference_checkpoint.pt of each model fixture load into a
// model with the fixture's keys to bit-identical states.
TEST(StateDictTest, EveryFixtureFormatLoadsTheSameState) {
  for (const std::string fixture : {"trm_att", "trm_mlp", "hrm"}) {
    absl::StatusOr<NamedTensors> stored = ReadWeights(Golden(fixture + "/weights.safetensors"));
    ASSERT_TRUE(stored.ok()) << stored.status();
    absl::StatusOr<NamedTensors> keys = StripCheckpointPrefixes(*stored, "fixture");
    ASSERT_TRUE(keys.ok());
    const std::vector<TensorSpec> specs = SpecsLike(*keys);

    TensorHolderArchitecture from_safetensors(Config(), specs, /*seed=*/1);
    absl::StatusOr<LoadReport> report =
        LoadWeightsFile(Golden(fixture + "/weights.safetensors"), from_safetensors);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->tensors, 15);
    EXPECT_TRUE(report->converted.empty());
    for (const auto& [key, tensor] : *keys) {
      EXPECT_TRUE(at::equal(from_safetensors.Get(key), tensor)) << fixture << " " << key;
    }

    std::vector<std::string> others = {fixture + "/weights.pt"};
    if (fixture != "trm_mlp") others.push_back(fixture + "/reference_checkpoint.pt");
    for (const std::string& other : others) {
      TensorHolderArchitecture model(Config(), specs, /*seed=*/2);
      absl::StatusOr<LoadReport> loaded = LoadWeightsFile(Golden(other), model);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      ExpectSameState(model, from_safetensors);
    }
  }
}

// The stand-in used by the import tool's test builds the fixtures' exact key sets from configs.
TEST(StateDictTest, ReferenceSpecsMatchTheFixtures) {
  struct Case {
    std::string fixture, name;
    bool mlp_t;
    int h_layers, vocab, seq_len;
  };
  for (const Case& c : {Case{"trm_att", "trm", false, 0, 12, 900},
                        Case{"trm_mlp", "trm", true, 0, 11, 81},
                        Case{"hrm", "hrm", false, 1, 12, 900}}) {
    config::ArchConfig config = Config(c.name);
    config.set_hidden_size(64);
    config.set_num_heads(4);
    config.set_expansion(4);
    config.set_h_layers(c.h_layers);
    config.set_l_layers(c.name == "hrm" ? 1 : 2);
    config.set_mlp_t(c.mlp_t);
    config.set_pos_encodings(c.mlp_t ? "none" : "rope");
    config.set_puzzle_emb_ndim(64);
    config.set_forward_dtype("float32");
    config.set_vocab_size(c.vocab);
    config.set_seq_len(c.seq_len);
    config.set_num_puzzle_identifiers(10);
    TensorHolderArchitecture model(config, ReferenceStateSpecs(config));
    absl::StatusOr<LoadReport> report =
        LoadWeightsFile(Golden(c.fixture + "/weights.safetensors"), model);
    EXPECT_TRUE(report.ok()) << report.status();
  }
}

TEST(StateDictTest, AcceptsEveryPrefixConvention) {
  TensorHolderArchitecture source(Config(), SmallSpecs(), 1);
  for (const std::string prefix : {"", "model.", "_orig_mod.model."}) {
    TensorHolderArchitecture model(Config(), SmallSpecs(), 2);
    absl::StatusOr<LoadReport> report =
        LoadStateDict(StateWithPrefix(source, prefix), "mem", model);
    ASSERT_TRUE(report.ok()) << report.status();
    ExpectSameState(model, source);
  }
}

TEST(StateDictTest, ListsEveryMismatchOnOneLineAndChangesNothing) {
  TensorHolderArchitecture source(Config(), SmallSpecs(), 1);
  NamedTensors weights;
  for (auto& [key, tensor] : StateWithPrefix(source, "model.")) {
    if (key == "model.inner.q_head.bias") continue;                      // missing
    if (key == "model.inner.embed_tokens.embedding_weight") tensor = at::zeros({6, 8});  // shape
    if (key == "model.inner.q_head.weight") tensor = tensor.to(at::kDouble);  // parameter dtype
    if (key == "model.inner.counts") tensor = tensor.to(at::kLong);          // integer dtype
    weights.emplace_back(key, tensor);
  }
  weights.emplace_back("model.inner.extra", at::zeros({1}));  // unexpected

  TensorHolderArchitecture model(Config(), SmallSpecs(), 2);
  TensorHolderArchitecture untouched(Config(), SmallSpecs(), 2);
  absl::StatusOr<LoadReport> report = LoadStateDict(weights, "step_7", model);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(Message(report.status()),
            "step_7: does not match the 'trm' model: 1 missing: inner.q_head.bias; "
            "1 unexpected: inner.extra; "
            "1 with another shape: inner.embed_tokens.embedding_weight [6,8] in the file vs [5,8] "
            "in the model; "
            "2 with another dtype: inner.q_head.weight Double in the file vs Float in the model, "
            "inner.counts Long in the file vs Int in the model");
  ExpectSameState(model, untouched);
}

TEST(StateDictTest, CapsLongListsOfNames) {
  std::vector<TensorSpec> specs;
  for (int i = 0; i < 11; ++i) specs.push_back({"inner.w" + std::to_string(i), {1}});
  TensorHolderArchitecture model(Config(), specs);
  absl::StatusOr<LoadReport> report = LoadStateDict({}, "empty.safetensors", model);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(Message(report.status()),
              HasSubstr("11 missing: inner.w0, inner.w1, inner.w2, inner.w3, inner.w4, inner.w5, "
                        "inner.w6, inner.w7, ... (+3 more)"));
}

// The reference stores H_init/L_init in the run's forward dtype; loading converts them.
TEST(StateDictTest, ConvertsFloatingPointBuffersToTheModelsDtype) {
  TensorHolderArchitecture bf16_source(Config(), SmallSpecs(at::kBFloat16), 1);
  TensorHolderArchitecture f32_model(Config(), SmallSpecs(at::kFloat), 2);
  absl::StatusOr<LoadReport> report =
      LoadStateDict(StateWithPrefix(bf16_source, "model."), "bf16.pt", f32_model);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->converted, ElementsAre("inner.H_init"));
  EXPECT_EQ(f32_model.Get("inner.H_init").scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(f32_model.Get("inner.H_init"), bf16_source.Get("inner.H_init").to(at::kFloat)));

  TensorHolderArchitecture f32_source(Config(), SmallSpecs(at::kFloat), 3);
  TensorHolderArchitecture bf16_model(Config(), SmallSpecs(at::kBFloat16), 4);
  report = LoadStateDict(StateWithPrefix(f32_source, "model."), "f32.pt", bf16_model);
  ASSERT_TRUE(report.ok()) << report.status();
  // Round to nearest even, as torch's copy_ does.
  EXPECT_TRUE(at::equal(bf16_model.Get("inner.H_init"),
                        f32_source.Get("inner.H_init").to(at::kBFloat16)));
}

TEST(StateDictTest, PuzzleTableOfAnotherShape) {
  std::vector<TensorSpec> smaller_table = SmallSpecs();
  smaller_table[4].shape = {3, 4};
  TensorHolderArchitecture source(Config(), smaller_table, 1);
  const NamedTensors weights = StateWithPrefix(source, "_orig_mod.model.");

  TensorHolderArchitecture strict(Config(), SmallSpecs(), 2);
  absl::StatusOr<LoadReport> report = LoadStateDict(weights, "step_1", strict);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(Message(report.status()),
              HasSubstr("inner.puzzle_emb.weights [3,4] in the file vs [10,4] in the model"));

  // The reference's load_checkpoint: every row becomes the mean of the stored rows.
  TensorHolderArchitecture model(Config(), SmallSpecs(), 2);
  LoadWeightsOptions options;
  options.puzzle_table_resize = PuzzleTableResize::kMeanOfAll;
  report = LoadStateDict(weights, "step_1", model, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->puzzle_embedding_mean_of, ElementsAre(3, 4));
  const at::Tensor mean = source.Get("inner.puzzle_emb.weights").mean(0);
  const at::Tensor table = model.Get("inner.puzzle_emb.weights");
  for (int64_t row = 0; row < table.size(0); ++row) EXPECT_TRUE(at::equal(table[row], mean));
  EXPECT_TRUE(at::equal(model.Get("inner.q_head.weight"), source.Get("inner.q_head.weight")));

  // Another embedding width is still an error; so is another shape of any other tensor.
  std::vector<TensorSpec> narrower = SmallSpecs();
  narrower[4].shape = {10, 3};
  TensorHolderArchitecture narrow_source(Config(), narrower, 1);
  TensorHolderArchitecture again(Config(), SmallSpecs(), 2);
  report = LoadStateDict(StateWithPrefix(narrow_source, ""), "step_2", again, options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(Message(report.status()), HasSubstr("inner.puzzle_emb.weights [10,3]"));
}

TEST(StateDictTest, AppendingIdentifiersKeepsTheTrainedRowsBitForBit) {
  std::vector<TensorSpec> trained_table = SmallSpecs();
  trained_table[4].shape = {4, 4};  // blank + 3 trained identifiers; the model has 10 rows
  TensorHolderArchitecture source(Config(), trained_table, 1);
  const at::Tensor stored = source.Get("inner.puzzle_emb.weights");
  const NamedTensors weights = StateWithPrefix(source, "model.");

  LoadWeightsOptions options;
  options.puzzle_table_resize = PuzzleTableResize::kAppendMean;
  TensorHolderArchitecture model(Config(), SmallSpecs(), 2);
  absl::StatusOr<LoadReport> report = LoadStateDict(weights, "pretrained", model, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->puzzle_embedding_rows_appended, 6);
  EXPECT_TRUE(report->puzzle_embedding_mean_of.empty());
  const at::Tensor table = model.Get("inner.puzzle_emb.weights");
  // Bit for bit, not within a tolerance: the trained rows are copies.
  EXPECT_EQ(std::memcmp(table.narrow(0, 0, 4).contiguous().data_ptr(),
                        stored.contiguous().data_ptr(), stored.nbytes()),
            0);
  const at::Tensor trained_mean = stored.narrow(0, 1, 3).mean(0);
  for (int64_t row = 4; row < 10; ++row) EXPECT_TRUE(at::equal(table[row], trained_mean)) << row;
  EXPECT_TRUE(at::equal(model.Get("inner.q_head.weight"), source.Get("inner.q_head.weight")));

  options.puzzle_table_resize = PuzzleTableResize::kAppendBlank;
  TensorHolderArchitecture blank_model(Config(), SmallSpecs(), 2);
  report = LoadStateDict(weights, "pretrained", blank_model, options);
  ASSERT_TRUE(report.ok()) << report.status();
  const at::Tensor blank_table = blank_model.Get("inner.puzzle_emb.weights");
  EXPECT_TRUE(at::equal(blank_table.narrow(0, 0, 4), stored));
  for (int64_t row = 4; row < 10; ++row) EXPECT_TRUE(at::equal(blank_table[row], stored[0]));

  // Appending never drops trained rows: a model table smaller than the stored one is an error.
  std::vector<TensorSpec> larger_table = SmallSpecs();
  larger_table[4].shape = {12, 4};
  TensorHolderArchitecture larger(Config(), larger_table, 1);
  TensorHolderArchitecture smaller_model(Config(), SmallSpecs(), 2);
  report = LoadStateDict(StateWithPrefix(larger, ""), "big", smaller_model, options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(Message(report.status()),
              HasSubstr("inner.puzzle_emb.weights [12,4] in the file vs [10,4] in the model"));
}

TEST(StateDictTest, SaveThenLoadIsBitExact) {
  TensorHolderArchitecture source(Config(), SmallSpecs(at::kBFloat16), 1);
  const std::string path = TempPath("model.safetensors");
  ASSERT_TRUE(SaveWeightsFile(path, source).ok());

  absl::StatusOr<std::map<std::string, at::Tensor>> written = ReadSafetensors(path);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->size(), source.StateDict().size());
  for (const auto& [key, tensor] : source.StateDict()) {
    ASSERT_TRUE(written->count("model." + key)) << key;
    EXPECT_EQ(written->at("model." + key).scalar_type(), tensor.scalar_type());
  }

  TensorHolderArchitecture model(Config(), SmallSpecs(at::kBFloat16), 2);
  absl::StatusOr<LoadReport> report = LoadWeightsFile(path, model);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->converted.empty());
  ExpectSameState(model, source);
}

TEST(StateDictTest, ErrorsNameTheFile) {
  TensorHolderArchitecture model(Config(), SmallSpecs());
  absl::StatusOr<LoadReport> report = LoadWeightsFile("/nonexistent/step_9", model);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(Message(report.status()), StartsWith("/nonexistent/step_9: "));
}

}  // namespace
}  // namespace trm
