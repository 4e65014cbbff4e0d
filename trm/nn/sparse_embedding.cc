#include "trm/nn/sparse_embedding.h"

#include "trm/nn/init.h"

namespace trm::nn {

SparseEmbedding::SparseEmbedding(int64_t num_embeddings, int64_t embedding_dim, int64_t batch_size,
                                 double init_std) {
  at::Tensor table = at::empty({num_embeddings, embedding_dim}, at::kFloat);
  TruncNormalInit_(table, init_std);
  weights = register_buffer("weights", table);
  local_weights = RegisterNonPersistentBuffer(
      "local_weights", at::zeros({batch_size, embedding_dim}, at::kFloat).requires_grad_(true));
  local_ids = RegisterNonPersistentBuffer("local_ids", at::zeros({batch_size}, at::kInt));
}

at::Tensor SparseEmbedding::Forward(const at::Tensor& ids, at::ScalarType dtype) {
  const at::Tensor rows = ids.to(at::kLong);
  if (!is_training()) {
    at::NoGradGuard no_grad;
    return weights.index_select(0, rows).to(dtype);
  }
  TORCH_CHECK(ids.size(0) == local_weights.size(0),
              "the puzzle embedding was built for batches of ", local_weights.size(0),
              " rows (arch.batch_size) but got ", ids.size(0));
  {
    at::NoGradGuard no_grad;
    local_weights.copy_(weights.index_select(0, rows));
    local_ids.copy_(ids);
  }
  return local_weights.to(dtype);
}

}  // namespace trm::nn
