#include "trm/nn/reasoning.h"

#include <string>
#include <utility>

namespace trm::nn {

Block::Block(const BlockOptions& options) : eps_(options.rms_norm_eps) {
  if (options.mlp_t) {
    mlp_t = register_module("mlp_t",
                            std::make_shared<SwiGLU>(options.sequence_length, options.expansion));
  } else {
    self_attn = register_module(
        "self_attn", std::make_shared<Attention>(options.hidden_size, options.num_heads));
  }
  mlp = register_module("mlp", std::make_shared<SwiGLU>(options.hidden_size, options.expansion));
}

at::Tensor Block::Forward(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin) const {
  at::Tensor x;
  if (mlp_t != nullptr) {
    const at::Tensor t = h.transpose(1, 2);
    x = RmsNorm(t + mlp_t->Forward(t), eps_).transpose(1, 2);
  } else {
    x = RmsNorm(h + self_attn->Forward(h, cos, sin), eps_);
  }
  return RmsNorm(x + mlp->Forward(x), eps_);
}

void BlockList::Append(std::shared_ptr<Block> block) {
  blocks_.push_back(register_module(std::to_string(blocks_.size()), std::move(block)));
}

ReasoningModule::ReasoningModule(const BlockOptions& options, int64_t num_layers) {
  layers = register_module("layers", std::make_shared<BlockList>());
  for (int64_t i = 0; i < num_layers; ++i) layers->Append(std::make_shared<Block>(options));
}

at::Tensor ReasoningModule::Forward(const at::Tensor& hidden, const at::Tensor& injection,
                                    const at::Tensor& cos, const at::Tensor& sin) const {
  at::Tensor h = injection.defined() ? hidden + injection : hidden;
  for (const auto& block : layers->blocks()) h = block->Forward(h, cos, sin);
  return h;
}

}  // namespace trm::nn
