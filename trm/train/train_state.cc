#include "trm/train/train_state.h"

#include <ATen/core/Generator.h>

#include <cstring>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace trm {

std::string CheckpointWeightsPath(const std::string& dir) { return dir + "/model.safetensors"; }

std::string TrainStatePath(const std::string& dir, int rank) {
  return absl::StrCat(dir, "/train_state.rank", rank, ".safetensors");
}

TensorList CarryToTensors(const ActCarry& carry, const std::vector<std::string>& state_names) {
  TensorList out;
  for (size_t i = 0; i < carry.states.size() && i < state_names.size(); ++i) {
    out.emplace_back("carry.state." + state_names[i], carry.states[i].detach().cpu());
  }
  out.emplace_back("carry.steps", carry.steps.cpu());
  out.emplace_back("carry.halted", carry.halted.cpu());
  out.emplace_back("carry.data.inputs", carry.current_data.inputs.cpu());
  out.emplace_back("carry.data.labels", carry.current_data.labels.cpu());
  out.emplace_back("carry.data.puzzle_identifiers", carry.current_data.puzzle_identifiers.cpu());
  return out;
}

absl::StatusOr<ActCarry> CarryFromTensors(const std::map<std::string, at::Tensor>& tensors,
                                          const std::vector<std::string>& state_names,
                                          const at::Device& device) {
  auto get = [&](const std::string& name) -> absl::StatusOr<at::Tensor> {
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      return absl::NotFoundError(absl::StrCat("training state has no tensor '", name, "'"));
    }
    return it->second.to(device);
  };
  ActCarry carry;
  for (const std::string& name : state_names) {
    absl::StatusOr<at::Tensor> state = get("carry.state." + name);
    if (!state.ok()) return state.status();
    carry.states.push_back(*state);
  }
  for (auto [name, target] :
       {std::make_pair("carry.steps", &carry.steps), std::make_pair("carry.halted", &carry.halted),
        std::make_pair("carry.data.inputs", &carry.current_data.inputs),
        std::make_pair("carry.data.labels", &carry.current_data.labels),
        std::make_pair("carry.data.puzzle_identifiers", &carry.current_data.puzzle_identifiers)}) {
    absl::StatusOr<at::Tensor> tensor = get(name);
    if (!tensor.ok()) return tensor.status();
    *target = *tensor;
  }
  return carry;
}

at::Tensor GeneratorState(const at::Device& device) {
  at::Generator generator = at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

absl::Status SetGeneratorState(const at::Device& device, const at::Tensor& state) {
  at::Generator generator = at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  try {
    generator.set_state(state.to(at::kByte).contiguous());
  } catch (const std::exception& e) {
    std::string what = e.what();
    return absl::InvalidArgumentError(absl::StrCat("bad random generator state for ", device.str(),
                                                   ": ", what.substr(0, what.find('\n'))));
  }
  return absl::OkStatus();
}

at::Tensor BytesToTensor(const std::string& bytes) {
  at::Tensor tensor = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
  if (!bytes.empty()) std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
  return tensor;
}

std::string TensorToBytes(const at::Tensor& tensor) {
  const at::Tensor bytes = tensor.to(at::kByte).contiguous();
  return std::string(static_cast<const char*>(bytes.data_ptr()),
                     static_cast<size_t>(bytes.numel()));
}

std::map<std::string, at::Tensor> WithPrefix(const std::map<std::string, at::Tensor>& tensors,
                                             const std::string& prefix) {
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, tensor] : tensors) {
    if (absl::StartsWith(name, prefix)) out[name.substr(prefix.size())] = tensor;
  }
  return out;
}

absl::Status LoadLiveParameters(const std::map<std::string, at::Tensor>& state_tensors,
                                const std::string& source, Architecture& model) {
  const std::map<std::string, at::Tensor> live = WithPrefix(state_tensors, kLiveParameterPrefix);
  if (live.empty()) {
    return absl::NotFoundError(absl::StrCat(source, ": no live parameters (the run kept no EMA)"));
  }
  at::NoGradGuard no_grad;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    auto it = live.find(item.key());
    if (it == live.end()) {
      return absl::NotFoundError(
          absl::StrCat(source, ": no live value of parameter '", item.key(), "'"));
    }
    if (it->second.sizes() != item.value().sizes()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": live parameter '", item.key(), "' has shape ", "[",
                       absl::StrJoin(it->second.sizes(), ","), "]", ", the model's is ", "[",
                       absl::StrJoin(item.value().sizes(), ","), "]"));
    }
    item.value().copy_(it->second);
  }
  return absl::OkStatus();
}

}  // namespace trm
