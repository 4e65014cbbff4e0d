#include "plugins/testing/tensor_holder_architecture.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace trm::testing {
namespace {

constexpr char kPuzzleTable[] = "inner.puzzle_emb.weights";

bool IsReferenceBuffer(const std::string& key) {
  return key == "inner.H_init" || key == "inner.L_init" || key == kPuzzleTable;
}

// The reference's SwiGLU width: round(expansion * hidden * 2 / 3) (half to even), up to 256.
int64_t SwiGluWidth(double expansion, int64_t hidden) {
  const int64_t width = static_cast<int64_t>(std::nearbyint(expansion * hidden * 2 / 3));
  return (width + 255) / 256 * 256;
}

void AddBlock(const std::string& prefix, const config::ArchConfig& c, int64_t tokens,
              std::vector<TensorSpec>* specs) {
  const int64_t hidden = c.hidden_size();
  const int64_t inter = SwiGluWidth(c.expansion(), hidden);
  if (c.mlp_t()) {
    const int64_t token_inter = SwiGluWidth(c.expansion(), tokens);
    specs->push_back({prefix + "mlp_t.gate_up_proj.weight", {2 * token_inter, tokens}});
    specs->push_back({prefix + "mlp_t.down_proj.weight", {tokens, token_inter}});
  } else {
    specs->push_back({prefix + "self_attn.qkv_proj.weight", {3 * hidden, hidden}});
    specs->push_back({prefix + "self_attn.o_proj.weight", {hidden, hidden}});
  }
  specs->push_back({prefix + "mlp.gate_up_proj.weight", {2 * inter, hidden}});
  specs->push_back({prefix + "mlp.down_proj.weight", {hidden, inter}});
}

}  // namespace

std::vector<TensorSpec> ReferenceStateSpecs(const config::ArchConfig& c) {
  const int64_t hidden = c.hidden_size();
  const int64_t embedding = c.puzzle_emb_ndim() < 0 ? hidden : c.puzzle_emb_ndim();
  const bool hrm = c.name() == "hrm";
  const int64_t prefix =
      hrm || c.puzzle_emb_len() == 0 ? (embedding + hidden - 1) / hidden : c.puzzle_emb_len();
  const int64_t tokens = c.seq_len() + prefix;
  const at::ScalarType forward = c.forward_dtype() == "bfloat16" ? at::kBFloat16 : at::kFloat;
  std::vector<TensorSpec> specs = {
      {"inner.H_init", {hidden}, forward, false},
      {"inner.L_init", {hidden}, forward, false},
      {"inner.embed_tokens.embedding_weight", {c.vocab_size(), hidden}},
      {"inner.lm_head.weight", {c.vocab_size(), hidden}},
      {"inner.q_head.weight", {2, hidden}},
      {"inner.q_head.bias", {2}},
  };
  if (embedding > 0)
    specs.push_back({kPuzzleTable, {c.num_puzzle_identifiers(), embedding}, at::kFloat, false});
  if (c.pos_encodings() == "learned")
    specs.push_back({"inner.embed_pos.embedding_weight", {tokens, hidden}});
  if (hrm) {
    for (int i = 0; i < c.h_layers(); ++i)
      AddBlock("inner.H_level.layers." + std::to_string(i) + ".", c, tokens, &specs);
  }
  for (int i = 0; i < c.l_layers(); ++i)
    AddBlock("inner.L_level.layers." + std::to_string(i) + ".", c, tokens, &specs);
  return specs;
}

std::vector<TensorSpec> SpecsLike(const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  std::vector<TensorSpec> specs;
  for (const auto& [key, tensor] : tensors) {
    specs.push_back({key, tensor.sizes().vec(), tensor.scalar_type(),
                     tensor.is_floating_point() && !IsReferenceBuffer(key)});
  }
  return specs;
}

TensorHolderArchitecture::TensorHolderArchitecture(config::ArchConfig config,
                                                   const std::vector<TensorSpec>& specs,
                                                   uint64_t seed)
    : Architecture(std::move(config)) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (const TensorSpec& spec : specs) {
    at::Tensor value = at::randn(spec.shape, generator, at::TensorOptions().dtype(at::kFloat));
    if (!at::isFloatingType(spec.dtype)) value = (value * 10).round();
    value = value.to(spec.dtype);
    std::string module_name = spec.key;
    std::replace(module_name.begin(), module_name.end(), '.', '_');
    at::Tensor registered = spec.parameter ? register_parameter(module_name, value)
                                           : register_buffer(module_name, value);
    state_.emplace_back(spec.key, registered);
  }
}

ActCarry TensorHolderArchitecture::InitialCarry(const Batch&) const {
  TORCH_CHECK(false, "TensorHolderArchitecture has no forward pass");
}

std::pair<ActCarry, ActOutputs> TensorHolderArchitecture::Forward(const ActCarry&, const Batch&) {
  TORCH_CHECK(false, "TensorHolderArchitecture has no forward pass");
}

std::optional<SparseEmbeddingState> TensorHolderArchitecture::SparseEmbedding() {
  for (const auto& [key, tensor] : state_) {
    if (key == kPuzzleTable) return SparseEmbeddingState{tensor, at::Tensor(), at::Tensor()};
  }
  return std::nullopt;
}

at::Tensor TensorHolderArchitecture::Get(const std::string& key) const {
  for (const auto& [k, tensor] : state_) {
    if (k == key) return tensor;
  }
  TORCH_CHECK(false, "no tensor ", key);
}

}  // namespace trm::testing
