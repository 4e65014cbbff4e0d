// A torch::nn::Module with PyTorch's distinction between persistent and non-persistent buffers,
// and the state dict in PyTorch's order (spec §13).
#ifndef TRM_NN_MODULE_H_
#define TRM_NN_MODULE_H_

#include <torch/nn/module.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace trm::nn {

class Module : public torch::nn::Module {
 public:
  using torch::nn::Module::Module;

  // Buffers registered with RegisterNonPersistentBuffer move with the module (to(device)) but are
  // not part of its state dict: rope tables, the sparse embedding's per-batch scratch tensors.
  bool IsPersistentBuffer(const std::string& name) const {
    return non_persistent_.count(name) == 0;
  }

 protected:
  at::Tensor& RegisterNonPersistentBuffer(const std::string& name, at::Tensor tensor);

 private:
  std::set<std::string> non_persistent_;
};

// The persistent state of `module` in PyTorch's state_dict() order: at every module its own
// parameters, then its persistent buffers, then its children (recursively, in registration
// order). Keys are dotted paths ("inner.L_level.layers.0.mlp.down_proj.weight"). The tensors are
// the module's own (copying into them loads a checkpoint).
std::vector<std::pair<std::string, at::Tensor>> PersistentState(const torch::nn::Module& module);

}  // namespace trm::nn

#endif  // TRM_NN_MODULE_H_
