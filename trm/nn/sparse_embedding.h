// The puzzle embedding (spec §5.1): a float32 table that is not an nn parameter. In training the
// rows of the batch are copied into a per-batch leaf `local_weights` that requires grad, so the
// gradient lands there (per batch row) and a sparse optimizer updates only those rows.
#ifndef TRM_NN_SPARSE_EMBEDDING_H_
#define TRM_NN_SPARSE_EMBEDDING_H_

#include <ATen/ATen.h>

#include <cstdint>

#include "trm/model/architecture.h"
#include "trm/nn/module.h"

namespace trm::nn {

class SparseEmbedding : public Module {
 public:
  // `weights` [num_embeddings, dim] is truncated-normal with `init_std` (0 = zeros, the reference);
  // `local_weights` [batch_size, dim] and `local_ids` [batch_size] are zero.
  SparseEmbedding(int64_t num_embeddings, int64_t embedding_dim, int64_t batch_size,
                  double init_std);

  // ids int32 [B] -> [B, dim] in `dtype`. Training mode: B must equal batch_size; the rows are
  // copied into local_weights (and ids into local_ids) and local_weights is what the graph sees.
  // Evaluation mode: a plain gather from the table, no gradient.
  at::Tensor Forward(const at::Tensor& ids, at::ScalarType dtype);

  SparseEmbeddingState State() const { return {weights, local_weights, local_ids}; }

  at::Tensor weights;        // persistent buffer
  at::Tensor local_weights;  // non-persistent, requires grad
  at::Tensor local_ids;      // non-persistent, int32
};

}  // namespace trm::nn

#endif  // TRM_NN_SPARSE_EMBEDDING_H_
