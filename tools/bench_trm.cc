// Speed of the small TRM of perf_reference.md ("bench_cpu": hidden 128, 4 heads, expansion 4,
// L_layers 2, H_cycles 2, L_cycles 2, halt_max_steps 4, exploration 0.1, puzzle_emb_ndim 128,
// puzzle_emb_len 16, 1000 puzzle ids, rope, float32, batch 8, seq 900) on the CPU:
//   BM_TrainStep/<threads>: one ACT step forward + loss + backward (the carry persists across
//                           steps as in training; the optimizers are the trainer's business);
//   BM_EvalPass/<threads>:  the evaluation of one batch: a full ACT unroll (4 steps) without
//                           autograd; items/s = samples/s;
//   BM_Attention*/<threads>: the attention kernel alone at that shape.
// The reference (perf_reference.md): train step 4.74 s / 4.31 s, eval pass 15.9 s / 13.6 s at
// 1 / 2 threads.
//
//   bazel run -c opt //tools:bench_trm [-- --benchmark_filter=Train]
// Runs with passive OpenMP waits (trm/app/cpu_threads.h). CPU time is the figure to compare on a
// shared machine; ref_attention:1 rows swap in the
// reference's attention math (fresh [B, heads, T, T] scores, separate scaling, softmax) so that
// both run under the same load.
#include <cstdlib>
#include <memory>

#include "benchmark/benchmark.h"
#include "plugins/act_loss/act_loss_head.h"
#include "plugins/recursive_reasoning/recursive_model.h"
#include "trm/app/cpu_threads.h"
#include "trm/nn/attention.h"
#include "trm/nn/host_memory.h"

namespace trm {
namespace {

constexpr int64_t kBatch = 8;
constexpr int64_t kSeqLen = 900;
constexpr int64_t kVocab = 12;
constexpr int64_t kPuzzles = 1000;

config::ArchConfig BenchCpuConfig() {
  config::ArchConfig config;
  config.set_name("trm");
  config.set_hidden_size(128);
  config.set_num_heads(4);
  config.set_expansion(4);
  config.set_l_layers(2);
  config.set_h_cycles(2);
  config.set_l_cycles(2);
  config.set_halt_max_steps(4);
  config.set_halt_exploration_prob(0.1);
  config.set_puzzle_emb_ndim(128);
  config.set_puzzle_emb_len(16);
  config.set_pos_encodings("rope");
  config.set_forward_dtype("float32");
  config.set_batch_size(kBatch);
  config.set_seq_len(kSeqLen);
  config.set_vocab_size(kVocab);
  config.set_num_puzzle_identifiers(kPuzzles);
  return config;
}

Batch RandomBatch() {
  Batch batch;
  batch.inputs = at::randint(0, kVocab, {kBatch, kSeqLen}, at::kInt);
  batch.labels = at::randint(1, kVocab, {kBatch, kSeqLen}, at::kInt);
  batch.labels.narrow(1, kSeqLen / 2, kSeqLen / 2).fill_(kIgnoreLabel);
  batch.puzzle_identifiers = at::randint(1, kPuzzles, {kBatch}, at::kInt);
  return batch;
}

// The reference's attention as its SDPA math runs on a CPU: Q Kᵀ into a fresh [B, heads, T, T]
// tensor, a separate scaling pass, softmax, P V (autograd through every op). Swapped in with
// SetDefaultAttentionKernel to compare both in the same run on the same (noisy, shared) machine.
class ReferenceStyleAttention : public nn::AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    const at::Tensor scores = at::matmul(q.transpose(1, 2), k.transpose(1, 2).transpose(-1, -2));
    const at::Tensor probs = at::softmax(scores / (1.0 / scale), -1);
    return at::matmul(probs, v.transpose(1, 2)).transpose(1, 2).contiguous();
  }
};

// range(1): 0 = our attention kernel, 1 = the reference-style one.
void UseAttention(int64_t which) {
  nn::SetDefaultAttentionKernel(which == 0 ? nullptr : std::make_shared<ReferenceStyleAttention>());
}

void BM_TrainStep(benchmark::State& state) {
  SetCpuThreads(static_cast<int>(state.range(0)));
  UseAttention(state.range(1));
  at::manual_seed(0);
  const std::unique_ptr<Architecture> model = recursive_reasoning::MakeTrm(BenchCpuConfig());
  model->train();
  act_loss::ActLossHead head(config::LossConfig{});
  const Batch batch = RandomBatch();
  ActCarry carry = model->InitialCarry(batch);
  auto step = [&] {
    model->zero_grad();
    auto [next, outputs] = model->Forward(carry, batch);
    const LossOutputs loss = head.Compute(next, outputs);
    (loss.loss / static_cast<double>(kBatch)).backward();
    carry = std::move(next);
  };
  step();  // warm-up: first-touch allocations
  for (auto _ : state) step();
}
// Args: threads, attention (0 = ours, 1 = reference-style).
BENCHMARK(BM_TrainStep)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "ref_attention"})
    ->Unit(benchmark::kSecond)
    ->MinTime(8)
    ->UseRealTime();

void BM_EvalPass(benchmark::State& state) {
  SetCpuThreads(static_cast<int>(state.range(0)));
  UseAttention(state.range(1));
  at::manual_seed(0);
  const std::unique_ptr<Architecture> model = recursive_reasoning::MakeTrm(BenchCpuConfig());
  model->eval();
  const Batch batch = RandomBatch();
  at::NoGradGuard no_grad;
  auto pass = [&] {
    ActCarry carry = model->InitialCarry(batch);
    for (int step = 0; step < 4; ++step) carry = model->Forward(carry, batch).first;
    benchmark::DoNotOptimize(carry.states[0].data_ptr());
  };
  pass();
  for (auto _ : state) pass();
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_EvalPass)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "ref_attention"})
    ->Unit(benchmark::kSecond)
    ->MinTime(8)
    ->UseRealTime();

// q, k, v [8, 916, 4, 32] as sliced from a fused qkv projection.
struct AttentionInputs {
  at::Tensor q, k, v;
};

AttentionInputs BenchAttentionInputs(bool requires_grad) {
  const at::Tensor qkv = at::randn({kBatch, kSeqLen + 16, 12, 32}).requires_grad_(requires_grad);
  return {qkv.narrow(2, 0, 4), qkv.narrow(2, 4, 4), qkv.narrow(2, 8, 4)};
}

const nn::AttentionKernel& Kernel(int64_t which) {
  static const ReferenceStyleAttention reference_style;
  return which == 0 ? nn::DefaultAttentionKernel() : reference_style;
}

void BM_AttentionForwardNoGrad(benchmark::State& state) {
  SetCpuThreads(static_cast<int>(state.range(0)));
  const AttentionInputs in = BenchAttentionInputs(false);
  at::NoGradGuard no_grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Kernel(state.range(1)).Forward(in.q, in.k, in.v, 0.17).data_ptr());
  }
}
BENCHMARK(BM_AttentionForwardNoGrad)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "ref_attention"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_AttentionForwardBackward(benchmark::State& state) {
  SetCpuThreads(static_cast<int>(state.range(0)));
  const AttentionInputs in = BenchAttentionInputs(true);
  const at::Tensor grad = at::randn({kBatch, kSeqLen + 16, 4, 32});
  for (auto _ : state) {
    const at::Tensor out = Kernel(state.range(1)).Forward(in.q, in.k, in.v, 0.17);
    out.backward(grad);
  }
}
BENCHMARK(BM_AttentionForwardBackward)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "ref_attention"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  trm::ReexecWithPassiveOpenMpWaits(argv);
  // TRM_BENCH_GLIBC_DEFAULTS=1 measures with glibc's default trimming (what the reference had).
  if (std::getenv("TRM_BENCH_GLIBC_DEFAULTS") == nullptr) trm::nn::KeepFreedTensorMemoryForReuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
