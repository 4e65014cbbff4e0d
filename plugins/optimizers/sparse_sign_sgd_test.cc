#include "plugins/optimizers/sparse_sign_sgd.h"

#include "gtest/gtest.h"
#include "trm/checkpoint/safetensors.h"

namespace trm::plugins {
namespace {

constexpr char kFixture[] = "tests/golden/sparse_emb_signsgd/";

std::map<std::string, at::Tensor> ReadOrDie(const std::string& path) {
  auto tensors = ReadSafetensors(path);
  TORCH_CHECK(tensors.ok(), std::string(tensors.status().message()));
  return *tensors;
}

config::OptimizerConfig ReferenceConfig() {
  config::OptimizerConfig config;
  config.set_name("sparse_sign_sgd");
  config.set_weight_decay(0.1);
  return config;
}

TEST(SparseSignSgdTest, ReproducesTheReferenceOnTheFixture) {
  const auto inputs = ReadOrDie(std::string(kFixture) + "inputs.safetensors");
  const auto expected = ReadOrDie(std::string(kFixture) + "expected.safetensors");
  at::Tensor table = inputs.at("weights").clone();
  SparseSignSgdUpdate(table, inputs.at("local_weights_grad"), inputs.at("local_ids"), 1e-2, 0.1);
  const at::Tensor want = expected.at("weights_after");
  EXPECT_LE((table - want).abs().max().item<double>(), 1e-7 + 1e-6 * want.abs().max().item<double>());
  // Rows that no id touched keep their exact values (no weight decay on them).
  const at::Tensor ids = inputs.at("local_ids").to(at::kLong);
  for (int64_t row = 0; row < table.size(0); ++row) {
    if ((ids == row).any().item<bool>()) continue;
    EXPECT_TRUE(at::equal(table[row], inputs.at("weights")[row])) << "row " << row;
  }
}

// Two ranks simulated in one process: rank 0 sees its own half, and "all-gather" returns both.
class TwoRankCommunicator final : public Communicator {
 public:
  explicit TwoRankCommunicator(std::vector<at::Tensor> other_rank)
      : other_rank_(std::move(other_rank)) {}
  int rank() const override { return 0; }
  int world_size() const override { return 2; }
  std::string backend() const override { return "fake"; }
  void AllReduceSum(std::vector<at::Tensor>&) override {}
  at::Tensor AllGather(const at::Tensor& tensor) override {
    return at::cat({tensor, other_rank_.at(gathers_++)});
  }
  void Broadcast(at::Tensor&, int) override {}
  std::vector<std::string> AllGatherBytes(const std::string& bytes) override { return {bytes}; }
  void Barrier() override {}

 private:
  std::vector<at::Tensor> other_rank_;
  int gathers_ = 0;
};

TEST(SparseSignSgdTest, DistributedStepEqualsTheStepOnTheGlobalBatch) {
  at::manual_seed(0);
  const at::Tensor table0 = at::randn({6, 4});
  const at::Tensor ids = at::tensor({1, 3, 3, 5}, at::kInt);
  const at::Tensor grads = at::randn({4, 4});

  at::Tensor single = table0.clone();
  SparseSignSgdUpdate(single, grads, ids, 0.1, 0.5);

  // Rank 0 holds rows 0..1 of the global batch; the other rank rows 2..3.
  SparseEmbeddingState embedding{table0.clone(), grads.slice(0, 0, 2).clone().requires_grad_(),
                                 ids.slice(0, 0, 2).clone()};
  embedding.local_weights.mutable_grad() = grads.slice(0, 0, 2).clone();
  TwoRankCommunicator communicator({grads.slice(0, 2, 4), ids.slice(0, 2, 4)});
  OptimizerTarget target;
  target.sparse_embedding = embedding;
  target.communicator = &communicator;
  config::OptimizerConfig config = ReferenceConfig();
  config.set_weight_decay(0.5);
  SparseSignSgd optimizer(config, target);
  optimizer.Step(0.1);
  EXPECT_TRUE(at::equal(embedding.table, single));
  optimizer.ZeroGrad();
  EXPECT_FALSE(embedding.local_weights.grad().defined());
}

TEST(SparseSignSgdTest, NoGradientNoUpdate) {
  SparseEmbeddingState embedding{at::ones({3, 2}), at::zeros({1, 2}).requires_grad_(),
                                 at::tensor({1}, at::kInt)};
  auto communicator = MakeSingleProcessCommunicator();
  OptimizerTarget target;
  target.sparse_embedding = embedding;
  target.communicator = communicator.get();
  SparseSignSgd optimizer(ReferenceConfig(), target);
  optimizer.Step(1.0);
  EXPECT_TRUE(at::equal(embedding.table, at::ones({3, 2})));
}

TEST(SparseSignSgdTest, NeedsASparseEmbedding) {
  auto communicator = MakeSingleProcessCommunicator();
  OptimizerTarget target;
  target.communicator = communicator.get();
  EXPECT_THROW(SparseSignSgd(ReferenceConfig(), target), c10::Error);
}

}  // namespace
}  // namespace trm::plugins
