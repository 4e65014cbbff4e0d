// Sign-SGD with decoupled weight decay over the rows of the sparse puzzle-embedding table that the
// (global) batch touched (spec §5.2). In a data-parallel run every rank all-gathers the ids and
// local gradients, so all ranks apply the same update to their copy of the table.
#ifndef PLUGINS_OPTIMIZERS_SPARSE_SIGN_SGD_H_
#define PLUGINS_OPTIMIZERS_SPARSE_SIGN_SGD_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "trm/config/experiment.pb.h"
#include "trm/optim/optimizer.h"

namespace trm::plugins {

// table[id] <- table[id] * (1 - lr * weight_decay) - lr * sign(sum of the gradients of id), for
// every distinct id in `ids`. `gradients` is float32 [N, E], `ids` integer [N].
void SparseSignSgdUpdate(at::Tensor& table, const at::Tensor& gradients, const at::Tensor& ids,
                         double lr, double weight_decay);

class SparseSignSgd : public Optimizer {
 public:
  // `target.sparse_embedding` must be set (throws c10::Error otherwise).
  SparseSignSgd(const config::OptimizerConfig& config, const OptimizerTarget& target);

  void Step(double lr) override;
  void ZeroGrad() override;
  // Stateless: the table itself is saved with the model.
  std::vector<std::pair<std::string, at::Tensor>> StateTensors() const override { return {}; }
  absl::Status LoadStateTensors(const std::map<std::string, at::Tensor>& state) override;

 private:
  double weight_decay_;
  SparseEmbeddingState embedding_;
  Communicator* communicator_;
};

}  // namespace trm::plugins

#endif  // PLUGINS_OPTIMIZERS_SPARSE_SIGN_SGD_H_
