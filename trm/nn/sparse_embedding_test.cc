#include "trm/nn/sparse_embedding.h"

#include "gtest/gtest.h"
#include "trm/nn/module.h"

namespace trm::nn {
namespace {

TEST(SparseEmbeddingTest, TrainingGradientLandsOnLocalWeights) {
  SparseEmbedding embedding(10, 4, /*batch_size=*/3, /*init_std=*/1.0);
  const at::Tensor ids = at::tensor({7, 2, 7}, at::kInt);
  const at::Tensor out = embedding.Forward(ids, at::kFloat);
  EXPECT_TRUE(at::equal(out, embedding.weights.index_select(0, ids.to(at::kLong))));
  EXPECT_TRUE(at::equal(embedding.local_ids, ids));
  const at::Tensor weight = at::randn({3, 4});
  (out * weight).sum().backward();
  ASSERT_TRUE(embedding.local_weights.grad().defined());
  EXPECT_TRUE(at::equal(embedding.local_weights.grad(), weight));
  EXPECT_FALSE(embedding.weights.requires_grad());
  EXPECT_TRUE(embedding.parameters().empty());
}

TEST(SparseEmbeddingTest, EvaluationGathersFromTheTableWithoutGradient) {
  SparseEmbedding embedding(10, 4, 3, 1.0);
  embedding.eval();
  const at::Tensor ids = at::tensor({1, 9}, at::kInt);  // any batch size in evaluation
  const at::Tensor out = embedding.Forward(ids, at::kBFloat16);
  EXPECT_EQ(out.scalar_type(), at::kBFloat16);
  EXPECT_FALSE(out.requires_grad());
  EXPECT_TRUE(
      at::equal(out, embedding.weights.index_select(0, ids.to(at::kLong)).to(at::kBFloat16)));
}

TEST(SparseEmbeddingTest, OnlyTheTableIsPersistent) {
  SparseEmbedding embedding(10, 4, 3, 0.0);
  const auto state = PersistentState(embedding);
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].first, "weights");
  EXPECT_EQ(state[0].second.abs().sum().item<float>(), 0.0f);
}

TEST(SparseEmbeddingTest, TrainingBatchMustHaveTheConfiguredSize) {
  SparseEmbedding embedding(10, 4, 3, 0.0);
  EXPECT_THROW(embedding.Forward(at::tensor({1, 2}, at::kInt), at::kFloat), c10::Error);
}

}  // namespace
}  // namespace trm::nn
