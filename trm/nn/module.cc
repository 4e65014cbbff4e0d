#include "trm/nn/module.h"

namespace trm::nn {
namespace {

void Collect(const torch::nn::Module& module, const std::string& prefix,
             std::vector<std::pair<std::string, at::Tensor>>* out) {
  for (const auto& item : module.named_parameters(/*recurse=*/false)) {
    out->emplace_back(prefix + item.key(), item.value());
  }
  const auto* with_flags = dynamic_cast<const Module*>(&module);
  for (const auto& item : module.named_buffers(/*recurse=*/false)) {
    if (with_flags == nullptr || with_flags->IsPersistentBuffer(item.key())) {
      out->emplace_back(prefix + item.key(), item.value());
    }
  }
  for (const auto& child : module.named_children()) {
    Collect(*child.value(), prefix + child.key() + ".", out);
  }
}

}  // namespace

at::Tensor& Module::RegisterNonPersistentBuffer(const std::string& name, at::Tensor tensor) {
  non_persistent_.insert(name);
  return register_buffer(name, std::move(tensor));
}

std::vector<std::pair<std::string, at::Tensor>> PersistentState(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  Collect(module, "", &out);
  return out;
}

}  // namespace trm::nn
