// Conformance suite (in the spirit of OpenSpiel's game tests): every architecture that the loaded
// plugins register goes through the same checks. A new architecture plugin is covered by adding
// its .so to //plugins:plugins; nothing here names an architecture.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/runfiles.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/config/experiment.pb.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"

namespace trm {
namespace {

constexpr int64_t kBatch = 3;
constexpr int64_t kSeqLen = 12;
constexpr int64_t kVocab = 7;

// One small configuration that every architecture of the family accepts.
config::ArchConfig SmallConfig(const std::string& name, const std::string& dtype) {
  config::ArchConfig config;
  config.set_name(name);
  config.set_hidden_size(32);
  config.set_num_heads(2);
  config.set_expansion(2.0);
  config.set_h_cycles(2);
  config.set_l_cycles(2);
  config.set_h_layers(1);
  config.set_l_layers(1);
  config.set_puzzle_emb_ndim(32);
  config.set_puzzle_emb_len(2);
  config.set_halt_max_steps(3);
  config.set_halt_exploration_prob(0.5);
  config.set_forward_dtype(dtype);
  config.set_batch_size(kBatch);
  config.set_seq_len(kSeqLen);
  config.set_vocab_size(kVocab);
  config.set_num_puzzle_identifiers(5);
  return config;
}

Batch RandomBatch(uint64_t seed) {
  at::manual_seed(seed);
  Batch batch;
  batch.inputs = at::randint(0, kVocab, {kBatch, kSeqLen}, at::kInt);
  batch.labels = at::randint(0, kVocab, {kBatch, kSeqLen}, at::kInt);
  batch.labels.narrow(1, 0, 3).fill_(kIgnoreLabel);
  batch.puzzle_identifiers = at::randint(0, 5, {kBatch}, at::kInt);
  return batch;
}

std::unique_ptr<Architecture> Build(const std::string& name, const std::string& dtype,
                                    uint64_t seed) {
  at::manual_seed(seed);
  absl::StatusOr<std::unique_ptr<Architecture>> model =
      ArchitectureRegistry().Create(name, SmallConfig(name, dtype));
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : nullptr;
}

std::unique_ptr<LossHead> Loss() {
  config::LossConfig config;
  absl::StatusOr<std::unique_ptr<LossHead>> head = LossRegistry().Create(config.name(), config);
  EXPECT_TRUE(head.ok()) << head.status();
  return *std::move(head);
}

struct StepResult {
  ActCarry carry;
  ActOutputs outputs;
};

std::vector<StepResult> Run(Architecture& model, const Batch& batch, int steps, uint64_t seed) {
  at::manual_seed(seed);
  std::vector<StepResult> results;
  ActCarry carry = model.InitialCarry(batch);
  for (int i = 0; i < steps; ++i) {
    auto [next, outputs] = model.Forward(carry, batch);
    results.push_back({next, outputs});
    carry = next;
  }
  return results;
}

void ExpectSameTensors(const std::vector<std::pair<std::string, at::Tensor>>& a,
                       const std::vector<std::pair<std::string, at::Tensor>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(at::equal(a[i].second, b[i].second)) << a[i].first;
  }
}

void BuildsFromConfig(const std::string& name) {
  const std::unique_ptr<Architecture> model = Build(name, "float32", 0);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->arch_config().puzzle_emb_ndim(), 32);
  const auto state = model->StateDict();
  ASSERT_FALSE(state.empty());
  std::set<std::string> keys;
  for (const auto& [key, tensor] : state) {
    EXPECT_TRUE(keys.insert(key).second) << "duplicate key " << key;
    // The reference's keys below the loss head's "model." prefix.
    EXPECT_EQ(key.rfind("inner.", 0), 0u) << key;
    for (const char* scratch : {"local_weights", "local_ids", "cos_cached", "sin_cached"}) {
      EXPECT_EQ(key.find(scratch), std::string::npos) << "non-persistent " << key;
    }
  }
  for (const auto& parameter : model->named_parameters()) {
    EXPECT_EQ(keys.count(parameter.key()), 1u) << "parameter not in StateDict: " << parameter.key();
    EXPECT_EQ(parameter.value().scalar_type(), at::kFloat) << parameter.key();
  }
  const std::optional<SparseEmbeddingState> sparse = model->SparseEmbedding();
  ASSERT_TRUE(sparse.has_value());
  EXPECT_EQ(sparse->table.sizes(), (at::IntArrayRef{5, 32}));
  EXPECT_TRUE(sparse->local_weights.requires_grad());

  // Bad configurations are one-line errors naming the field, not crashes.
  config::ArchConfig bad = SmallConfig(name, "float32");
  bad.set_forward_dtype("float8");
  const auto error = ArchitectureRegistry().Create(name, bad);
  ASSERT_FALSE(error.ok());
  EXPECT_THAT(error.status().message(), ::testing::HasSubstr("forward_dtype"));
  bad = SmallConfig(name, "float32");
  bad.clear_seq_len();
  EXPECT_FALSE(ArchitectureRegistry().Create(name, bad).ok());
  // Zero layers would silently train a model without a network.
  bad = SmallConfig(name, "float32");
  bad.set_h_layers(0);
  bad.set_l_layers(0);
  const auto no_layers = ArchitectureRegistry().Create(name, bad);
  ASSERT_FALSE(no_layers.ok());
  EXPECT_THAT(no_layers.status().message(), ::testing::HasSubstr("_layers"));
}

void DocumentedShapes(const std::string& name, const std::string& dtype) {
  const std::unique_ptr<Architecture> model = Build(name, dtype, 0);
  ASSERT_NE(model, nullptr);
  const Batch batch = RandomBatch(1);
  const ActCarry initial = model->InitialCarry(batch);
  const int64_t positions = kSeqLen + model->arch_config().puzzle_emb_len();
  const at::ScalarType forward = dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  ASSERT_EQ(initial.states.size(), model->StateNames().size());
  for (const at::Tensor& state : initial.states) {
    EXPECT_EQ(state.sizes(), (at::IntArrayRef{kBatch, positions, 32}));
    EXPECT_EQ(state.scalar_type(), forward);
  }
  EXPECT_TRUE(initial.halted.all().item<bool>());
  EXPECT_EQ(initial.steps.scalar_type(), at::kInt);

  model->eval();
  at::NoGradGuard no_grad;
  const std::vector<StepResult> steps = Run(*model, batch, 3, 2);
  for (size_t i = 0; i < steps.size(); ++i) {
    const ActOutputs& out = steps[i].outputs;
    EXPECT_EQ(out.logits.sizes(), (at::IntArrayRef{kBatch, kSeqLen, kVocab}));
    EXPECT_EQ(out.logits.scalar_type(), forward);
    EXPECT_EQ(out.q_halt_logits.sizes(), (at::IntArrayRef{kBatch}));
    EXPECT_EQ(out.q_halt_logits.scalar_type(), at::kFloat);
    EXPECT_EQ(out.q_continue_logits.scalar_type(), at::kFloat);
    EXPECT_TRUE(out.logits.isfinite().all().item<bool>());
    EXPECT_TRUE(at::equal(steps[i].carry.steps, at::full({kBatch}, int(i) + 1, at::kInt)));
    // Evaluation runs exactly halt_max_steps steps.
    EXPECT_EQ(steps[i].carry.halted.all().item<bool>(), i == 2);
  }
}

void DeterministicForASeed(const std::string& name) {
  const std::unique_ptr<Architecture> a = Build(name, "float32", 7);
  const std::unique_ptr<Architecture> b = Build(name, "float32", 7);
  const std::unique_ptr<Architecture> c = Build(name, "float32", 8);
  ASSERT_TRUE(a && b && c);
  ExpectSameTensors(a->StateDict(), b->StateDict());
  bool differs = false;
  for (size_t i = 0; i < a->StateDict().size(); ++i) {
    differs |= !at::equal(a->StateDict()[i].second, c->StateDict()[i].second);
  }
  EXPECT_TRUE(differs) << "another seed gives the same weights";

  // Training forward with exploration draws: same seed, same results.
  a->train();
  b->train();
  const Batch batch = RandomBatch(3);
  const auto ra = Run(*a, batch, 3, 11);
  const auto rb = Run(*b, batch, 3, 11);
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_TRUE(at::equal(ra[i].outputs.logits, rb[i].outputs.logits));
    EXPECT_TRUE(at::equal(ra[i].outputs.q_halt_logits, rb[i].outputs.q_halt_logits));
    EXPECT_TRUE(at::equal(ra[i].carry.halted, rb[i].carry.halted));
  }
}

void StateDictRoundTripIsBitExact(const std::string& name) {
  const std::unique_ptr<Architecture> original = Build(name, "float32", 21);
  const std::unique_ptr<Architecture> restored = Build(name, "float32", 22);
  ASSERT_TRUE(original && restored);
  // Give the zero-initialised buffers (puzzle table) and heads distinctive values first.
  {
    at::NoGradGuard no_grad;
    for (auto& [key, tensor] : original->StateDict()) {
      at::Tensor(tensor).add_(at::randn(tensor.sizes()).to(tensor.scalar_type()));
    }
  }
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/" + name + "_roundtrip.safetensors";
  const absl::Status saved = SaveWeightsFile(path, *original);
  ASSERT_TRUE(saved.ok()) << saved;
  const absl::StatusOr<LoadReport> loaded = LoadWeightsFile(path, *restored);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->tensors, static_cast<int64_t>(original->StateDict().size()));
  ExpectSameTensors(original->StateDict(), restored->StateDict());
  original->eval();
  restored->eval();
  at::NoGradGuard no_grad;
  const Batch batch = RandomBatch(4);
  const auto a = Run(*original, batch, 2, 0);
  const auto b = Run(*restored, batch, 2, 0);
  EXPECT_TRUE(at::equal(a.back().outputs.logits, b.back().outputs.logits));
  EXPECT_TRUE(at::equal(a.back().outputs.q_halt_logits, b.back().outputs.q_halt_logits));
}

void ForwardBackward(const std::string& name, const std::string& dtype) {
  const std::unique_ptr<Architecture> model = Build(name, dtype, 5);
  ASSERT_NE(model, nullptr);
  model->train();
  const std::unique_ptr<LossHead> head = Loss();
  const Batch batch = RandomBatch(6);
  ActCarry carry = model->InitialCarry(batch);
  for (int step = 0; step < 2; ++step) {
    model->zero_grad();
    auto [next, outputs] = model->Forward(carry, batch);
    const LossOutputs loss = head->Compute(next, outputs);
    ASSERT_TRUE(std::isfinite(loss.loss.item<double>()));
    loss.loss.backward();
    double total = 0;
    for (const auto& parameter : model->named_parameters()) {
      const at::Tensor& grad = parameter.value().grad();
      ASSERT_TRUE(grad.defined()) << parameter.key() << " got no gradient";
      EXPECT_EQ(grad.scalar_type(), at::kFloat);
      EXPECT_TRUE(grad.isfinite().all().item<bool>()) << parameter.key();
      total += grad.abs().sum().item<double>();
    }
    EXPECT_GT(total, 0.0);
    // A copy of the handle: SparseEmbedding() returns a temporary.
    const at::Tensor local = model->SparseEmbedding()->local_weights;
    ASSERT_TRUE(local.grad().defined());
    EXPECT_GT(local.grad().abs().sum().item<double>(), 0.0);
    local.grad().zero_();
    // The carry is detached: nothing from this step's graph leaks into the next.
    for (const at::Tensor& state : next.states) EXPECT_FALSE(state.requires_grad());
    carry = next;
  }
}

void RegisterSuite(const std::string& name) {
  const char* file = __FILE__;
  auto add = [&](const std::string& test, std::function<void()> body) {
    ::testing::RegisterTest(("Conformance/" + name).c_str(), test.c_str(), nullptr, nullptr, file,
                            __LINE__, [body]() -> ::testing::Test* {
                              struct Case : ::testing::Test {
                                explicit Case(std::function<void()> f) : f(std::move(f)) {}
                                void TestBody() override { f(); }
                                std::function<void()> f;
                              };
                              return new Case(body);
                            });
  };
  add("BuildsFromConfig", [name] { BuildsFromConfig(name); });
  add("DocumentedShapesFloat32", [name] { DocumentedShapes(name, "float32"); });
  add("DocumentedShapesBFloat16", [name] { DocumentedShapes(name, "bfloat16"); });
  add("DeterministicForASeed", [name] { DeterministicForASeed(name); });
  add("StateDictRoundTripIsBitExact", [name] { StateDictRoundTripIsBitExact(name); });
  add("ForwardBackwardFloat32", [name] { ForwardBackward(name, "float32"); });
  add("ForwardBackwardBFloat16", [name] { ForwardBackward(name, "bfloat16"); });
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const absl::Status loaded = trm::testing::LoadPluginsForTest();
  if (!loaded.ok()) {
    std::cerr << "error: " << loaded << std::endl;
    return 1;
  }
  const std::vector<std::string> names = trm::ArchitectureRegistry().Keys();
  if (names.empty()) {
    std::cerr << "error: no architecture registered by the plugins" << std::endl;
    return 1;
  }
  for (const std::string& name : names) trm::RegisterSuite(name);
  return RUN_ALL_TESTS();
}
