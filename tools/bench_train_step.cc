// Time of one full training step (ACT carry update, forward, loss, backward, sparse sign-SGD and
// AdamATan2) and of one evaluation pass (halt_max_steps ACT steps, no gradient) on random ARC-shaped
// batches (900 tokens, vocabulary 12). Prints the median per thread count, samples/s, the matmul
// FLOPs of a step with the model FLOP utilisation (MFU) they imply, and on CUDA the peak memory.
// Then the step's matrix products alone at its shapes and dtype: the share of the step they take
// and the rate the library reaches on them (what bounds the MFU; the rest is element-wise work,
// softmax and launches).
//
// Default: the fixed `bench_cpu` config of perf_reference.md (TRM hidden 128, 4 heads, expansion 4,
// L_layers 2, H_cycles 2, L_cycles 2, halt_max_steps 4, puzzle_emb 128 x 16, 1000 puzzle ids,
// RoPE, float32, batch 8, seq 900). --experiment=NAME (with --set overrides) takes the model, loss,
// optimizers and schedule of an experiment instead, e.g. the paper's recipe on one GPU:
//
//   bazel run //tools:bench_train_step -- --threads_list=1,2 --steps=5
//   bench_train_step --experiment=arc2_trm --device=cuda --batch_size=192
//       --num_puzzle_ids=1191730 --threads_list=8 --steps=20          (one line)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <torch/cuda.h>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/app/app.h"
#include "trm/app/cpu_threads.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/optim/optimizer.h"
#include "trm/train/train_step.h"

#ifdef TRM_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

ABSL_FLAG(std::vector<std::string>, threads_list, std::vector<std::string>({"1", "2"}),
          "Intra-op thread counts to measure.");
ABSL_FLAG(int, steps, 5, "Timed training steps per thread count (after one warm-up step).");
ABSL_FLAG(int, eval_passes, 2, "Timed evaluation passes per thread count (0 = skip).");
ABSL_FLAG(int, batch_size, 8, "Batch size (per process).");
ABSL_FLAG(std::string, device, "cpu", "cpu, cuda or cuda:N.");
ABSL_FLAG(int, num_puzzle_ids, 1000,
          "Rows of the puzzle-embedding table (arc2_trm's dataset has 1191730).");
ABSL_FLAG(double, peak_tflops, 989,
          "Peak dense TFLOP/s the MFU is relative to (989: H100/H200 SXM, bf16).");
ABSL_FLAG(bool, matmul_share, true,
          "Also time the step's matrix products alone (\"trm\" only): their share of the step.");
ABSL_DECLARE_FLAG(std::string, experiment);  // trm/app/app.cc, with --set and --print_config

namespace trm {
namespace {

constexpr int64_t kSeqLen = 900;
constexpr int64_t kVocab = 12;

// perf_reference.md's bench_cpu: the model above with the optimizers' usual learning rates.
config::Experiment BenchCpuExperiment() {
  config::Experiment experiment;
  config::ArchConfig& arch = *experiment.mutable_arch();
  arch.set_name("trm");
  arch.set_hidden_size(128);
  arch.set_num_heads(4);
  arch.set_expansion(4);
  arch.set_l_layers(2);
  arch.set_h_layers(0);
  arch.set_h_cycles(2);
  arch.set_l_cycles(2);
  arch.set_halt_max_steps(4);
  arch.set_halt_exploration_prob(0.1);
  arch.set_puzzle_emb_ndim(128);
  arch.set_puzzle_emb_len(16);
  arch.set_pos_encodings("rope");
  arch.set_forward_dtype("float32");
  experiment.mutable_loss()->set_name("act_loss_head");
  experiment.mutable_optimizer()->set_name("adam_atan2");
  experiment.mutable_optimizer()->set_lr(1e-4);
  experiment.mutable_puzzle_emb_optimizer()->set_name("sparse_sign_sgd");
  experiment.mutable_puzzle_emb_optimizer()->set_lr(1e-2);
  experiment.mutable_lr_schedule()->set_name("warmup_cosine");
  experiment.mutable_lr_schedule()->set_warmup_steps(0);
  return experiment;
}

Batch RandomBatch(int batch, int64_t puzzle_ids, const at::Device& device) {
  return Batch{at::randint(0, kVocab, {batch, kSeqLen}, at::kInt),
               at::randint(0, kVocab, {batch, kSeqLen}, at::kInt),
               at::randint(1, puzzle_ids, {batch}, at::kInt)}
      .To(device);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Matmul FLOPs (2·m·n·k per product) of the "trm" architecture.
struct TrmFlops {
  double block = 0;  // one application of the shared network (L_layers blocks) to the batch
  double heads = 0;  // lm_head on the answer positions + q_head on the first position
  int forward_blocks = 0;   // applications per ACT step: H_cycles x (L_cycles + 1)
  int gradient_blocks = 0;  // of which get gradients: only the last H cycle's L_cycles + 1
  // A training step: every product forward, and twice again (input and weight gradients) for
  // those on the gradient path.
  double TrainStep() const {
    return forward_blocks * block + heads + 2 * (gradient_blocks * block + heads);
  }
  // An evaluation pass: `act_steps` forward ACT steps.
  double EvalPass(int act_steps) const { return act_steps * (forward_blocks * block + heads); }
};

// Positions the network sees: the puzzle-embedding prefix, then the grid tokens.
int64_t Positions(const config::ArchConfig& arch) {
  const int64_t hidden = arch.hidden_size();
  const int64_t prefix = arch.puzzle_emb_len() > 0
                             ? arch.puzzle_emb_len()
                             : (arch.puzzle_emb_ndim() + hidden - 1) / hidden;
  return arch.seq_len() + prefix;
}

// One matrix product [m, k] x [k, n], or `count` of them batched.
struct MatmulShape {
  int64_t count, m, k, n;
  double Flops() const { return 2.0 * count * m * k * n; }
};

// The products of one application of the shared network (L_layers blocks) to the batch, from the
// parameter shapes so that they follow the model (SwiGLU width, head layout): every 2-D L_level
// weight is a linear layer over all positions (mlp_t's is over the positions, for each hidden
// unit), plus QK^T and AV per attention layer, batched over batch x heads.
std::vector<MatmulShape> BlockMatmuls(Architecture& model, const config::ArchConfig& arch,
                                      int64_t batch) {
  const int64_t hidden = arch.hidden_size();
  const int64_t heads = arch.num_heads();
  const int64_t positions = Positions(arch);
  std::vector<MatmulShape> shapes;
  for (const auto& item : model.named_parameters()) {
    const at::Tensor& weight = item.value();
    const std::string& name = item.key();
    if (weight.dim() != 2 || !absl::EndsWith(name, ".weight") ||
        !absl::StrContains(name, "L_level.")) {
      continue;
    }
    const int64_t rows = batch * (absl::StrContains(name, "mlp_t") ? hidden : positions);
    shapes.push_back({1, rows, weight.size(1), weight.size(0)});
    if (absl::StrContains(name, "qkv_proj")) {
      const int64_t head_dim = hidden / heads;
      shapes.push_back({batch * heads, positions, head_dim, positions});  // QK^T
      shapes.push_back({batch * heads, positions, positions, head_dim});  // AV
    }
  }
  return shapes;
}

TrmFlops CountTrmFlops(Architecture& model, const config::ArchConfig& arch, int64_t batch) {
  TrmFlops flops;
  for (const MatmulShape& shape : BlockMatmuls(model, arch, batch)) flops.block += shape.Flops();
  for (const auto& item : model.named_parameters()) {
    const at::Tensor& weight = item.value();
    const std::string& name = item.key();
    if (weight.dim() != 2 || !absl::EndsWith(name, ".weight")) continue;
    const double product = 2.0 * weight.size(0) * weight.size(1);
    if (absl::StrContains(name, "lm_head")) {
      flops.heads += product * batch * arch.seq_len();
    } else if (absl::StrContains(name, "q_head")) {
      flops.heads += product * batch;
    }
  }
  flops.forward_blocks = arch.h_cycles() * (arch.l_cycles() + 1);
  flops.gradient_blocks = arch.l_cycles() + 1;
  return flops;
}

void Synchronize(const at::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

// Seconds for `shapes` (one application of the shared network, forward) on random `dtype` data:
// the median of 5 after a warm-up.
double TimeMatmuls(const std::vector<MatmulShape>& shapes, const at::Device& device,
                   at::ScalarType dtype) {
  const at::TensorOptions options = at::TensorOptions().dtype(dtype).device(device);
  std::vector<std::pair<at::Tensor, at::Tensor>> operands;
  for (const MatmulShape& shape : shapes) {
    operands.emplace_back(at::randn({shape.count, shape.m, shape.k}, options),
                          at::randn({shape.count, shape.k, shape.n}, options));
  }
  at::NoGradGuard no_grad;
  auto once = [&] {
    for (const auto& [a, b] : operands) at::matmul(a, b);
  };
  once();
  std::vector<double> seconds;
  for (int i = 0; i < 5; ++i) {
    Synchronize(device);
    const auto start = std::chrono::steady_clock::now();
    once();
    Synchronize(device);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Median(seconds);
}

void ResetPeakMemory(const at::Device& device) {
#ifdef TRM_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
}

// Peak bytes held by tensors since ResetPeakMemory, "" where not measured.
std::string PeakMemory(const at::Device& device) {
#ifdef TRM_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    // Index 0 is StatType::AGGREGATE (all pools), in every LibTorch version.
    return absl::StrFormat("  peak memory %.2f GiB (reserved %.2f GiB)",
                           stats.allocated_bytes[0].peak / double(1 << 30),
                           stats.reserved_bytes[0].peak / double(1 << 30));
  }
#endif
  return "";
}

void Measure(const config::Experiment& experiment, const at::Device& device, int threads) {
  SetCpuThreads(threads);
  at::manual_seed(0);
  const int batch = absl::GetFlag(FLAGS_batch_size);
  const int64_t puzzle_ids = absl::GetFlag(FLAGS_num_puzzle_ids);
  const config::ArchConfig& arch = experiment.arch();
  std::unique_ptr<Architecture> model = OrDie(ArchitectureRegistry().Create(arch.name(), arch));
  std::unique_ptr<LossHead> loss =
      OrDie(LossRegistry().Create(experiment.loss().name(), experiment.loss()));
  model->to(device);
  std::unique_ptr<Communicator> communicator = MakeSingleProcessCommunicator();

  // As Trainer::BuildOptimizers, without EMA.
  OptimizerTarget dense;
  std::vector<at::Tensor> parameters;
  for (const auto& item : model->named_parameters()) {
    dense.parameters.emplace_back(item.key(), item.value());
    parameters.push_back(item.value());
  }
  dense.communicator = communicator.get();
  OptimizerTarget sparse;
  sparse.sparse_embedding = model->SparseEmbedding();
  sparse.communicator = communicator.get();
  const config::OptimizerConfig& dense_config = experiment.optimizer();
  const config::OptimizerConfig& sparse_config = experiment.puzzle_emb_optimizer();
  std::unique_ptr<Optimizer> dense_optimizer =
      OrDie(OptimizerRegistry().Create(dense_config.name(), dense_config, dense));
  std::unique_ptr<Optimizer> sparse_optimizer =
      OrDie(OptimizerRegistry().Create(sparse_config.name(), sparse_config, sparse));
  std::unique_ptr<LrSchedule> schedule = OrDie(LrScheduleRegistry().Create(
      experiment.lr_schedule().name(), experiment.lr_schedule(), 1000));
  GradientReducer reducer(parameters, 25 << 20, communicator.get());
  TrainStep step(model.get(), loss.get(),
                 {{"puzzle_emb", sparse_optimizer.get(), sparse_config.lr(), true},
                  {"dense", dense_optimizer.get(), dense_config.lr(), true}},
                 schedule.get(), &reducer, communicator.get(), TrainStepOptions{batch, true});

  const bool count_flops = arch.name() == "trm";
  const TrmFlops flops = count_flops ? CountTrmFlops(*model, arch, batch) : TrmFlops{};
  const double peak = absl::GetFlag(FLAGS_peak_tflops) * 1e12;
  if (count_flops) {
    const double train = flops.TrainStep();
    const double forward = flops.forward_blocks * flops.block + flops.heads;
    std::printf("matmul FLOPs per train step %.4g (forward %.4g, backward %.4g; %d of %d network "
                "applications with gradient), per eval pass %.4g\n",
                train, forward, train - forward, flops.gradient_blocks, flops.forward_blocks,
                flops.EvalPass(arch.halt_max_steps()));
  }
  auto throughput = [&](double seconds, double step_flops) {
    std::string line = absl::StrFormat("  %.1f samples/s", batch / seconds);
    if (count_flops) {
      line += absl::StrFormat("  %.1f TFLOP/s  MFU %.1f%% of %.0f TFLOP/s",
                              step_flops / seconds / 1e12, 100 * step_flops / seconds / peak,
                              peak / 1e12);
    }
    return line;
  };

  ResetPeakMemory(device);
  std::vector<double> train_seconds;
  for (int i = 0; i <= absl::GetFlag(FLAGS_steps); ++i) {
    const auto start = std::chrono::steady_clock::now();
    const Batch data = RandomBatch(batch, puzzle_ids, device);
    if (absl::Status s = step.Run(i + 1, data).status(); !s.ok()) Die(s);
    Synchronize(device);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i > 0) train_seconds.push_back(seconds);  // step 0 warms up allocator and caches
  }
  const double train_median = Median(train_seconds);
  std::printf("threads %d  train step  median %.3f s  (min %.3f, max %.3f, %zu steps)%s%s\n",
              threads, train_median, *std::min_element(train_seconds.begin(), train_seconds.end()),
              *std::max_element(train_seconds.begin(), train_seconds.end()), train_seconds.size(),
              throughput(train_median, flops.TrainStep()).c_str(), PeakMemory(device).c_str());

  if (count_flops && absl::GetFlag(FLAGS_matmul_share)) {
    const at::ScalarType dtype = arch.forward_dtype() == "bfloat16" ? at::kBFloat16 : at::kFloat;
    const double block = TimeMatmuls(BlockMatmuls(*model, arch, batch), device, dtype);
    // Gradients take two products per forward one, of the same sizes.
    const double step_matmuls = block * (flops.forward_blocks + 2 * flops.gradient_blocks);
    std::printf("threads %d  matmuls alone  %.3f s of the %.3f s step (%.0f%%): %.4g s per network "
                "application, %.1f TFLOP/s on these shapes\n",
                threads, step_matmuls, train_median, 100 * step_matmuls / train_median, block,
                flops.block / block / 1e12);
  }

  std::vector<double> eval_seconds;
  model->eval();
  ResetPeakMemory(device);
  for (int i = 0; i < absl::GetFlag(FLAGS_eval_passes); ++i) {
    at::NoGradGuard no_grad;
    const auto start = std::chrono::steady_clock::now();
    const Batch data = RandomBatch(batch, puzzle_ids, device);
    ActCarry carry = model->InitialCarry(data);
    for (int act = 0; act < arch.halt_max_steps(); ++act) {
      auto [next, outputs] = model->Forward(carry, data);
      loss->Compute(next, outputs);
      carry = std::move(next);
    }
    Synchronize(device);
    eval_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (!eval_seconds.empty()) {
    const double eval_median = Median(eval_seconds);
    std::printf("threads %d  eval pass   median %.3f s  (%zu passes of %d ACT steps)%s%s\n",
                threads, eval_median, eval_seconds.size(), arch.halt_max_steps(),
                throughput(eval_median, flops.EvalPass(arch.halt_max_steps())).c_str(),
                PeakMemory(device).c_str());
  }
  std::fflush(stdout);
}

// The experiment with what the dataset would inject (batch, ARC's 30x30 grid and 12 tokens).
config::Experiment BenchExperiment() {
  config::Experiment experiment = absl::GetFlag(FLAGS_experiment).empty()
                                      ? BenchCpuExperiment()
                                      : ExperimentFromFlagsOrDie();
  config::ArchConfig& arch = *experiment.mutable_arch();
  arch.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  arch.set_seq_len(kSeqLen);
  arch.set_vocab_size(kVocab);
  arch.set_num_puzzle_identifiers(absl::GetFlag(FLAGS_num_puzzle_ids));
  return experiment;
}

at::Device BenchDevice() {
  const std::string name = absl::GetFlag(FLAGS_device);
  if (name != "cpu" && name != "cuda" && !absl::StartsWith(name, "cuda:")) {
    Die(absl::InvalidArgumentError(
        absl::StrCat("--device: '", name, "', expected cpu, cuda or cuda:N")));
  }
  if (absl::StartsWith(name, "cuda") && !torch::cuda::is_available()) {
    Die(absl::FailedPreconditionError(
        absl::StrCat("--device=", name, ": this LibTorch sees no CUDA device")));
  }
  // A plain "cuda" is device 0, so that memory statistics have an index.
  return at::Device(name == "cuda" ? "cuda:0" : name);
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "bench_train_step [--threads_list=1,2] [--steps=N] [--batch_size=B] "
                "[--experiment=NAME [--set k=v]] [--device=cpu|cuda] [--num_puzzle_ids=N]");
  if (absl::GetFlag(FLAGS_batch_size) < 1 || absl::GetFlag(FLAGS_steps) < 1 ||
      absl::GetFlag(FLAGS_num_puzzle_ids) < 2 || absl::GetFlag(FLAGS_peak_tflops) <= 0) {
    trm::Die(absl::InvalidArgumentError(
        "--batch_size and --steps must be >= 1, --num_puzzle_ids >= 2, --peak_tflops > 0"));
  }
  const at::Device device = trm::BenchDevice();
  const trm::config::Experiment experiment = trm::BenchExperiment();
  const trm::config::ArchConfig& arch = experiment.arch();
  if (absl::GetFlag(FLAGS_experiment).empty()) {
    std::printf(
        "bench_cpu: TRM hidden 128, 4 heads, L_layers 2, H_cycles 2, L_cycles 2, batch %d, "
        "seq 900, float32 (Python reference: 4.74 s / 4.31 s per step at 1 / 2 threads)\n",
        absl::GetFlag(FLAGS_batch_size));
  } else {
    std::printf("%s: %s hidden %d, %d heads, L_layers %d, H_cycles %d, L_cycles %d, puzzle_emb_len "
                "%d, %s, batch %d, seq %lld, %d puzzle ids, on %s\n",
                experiment.name().c_str(), arch.name().c_str(), arch.hidden_size(),
                arch.num_heads(), arch.l_layers(), arch.h_cycles(), arch.l_cycles(),
                arch.puzzle_emb_len(), arch.forward_dtype().c_str(), arch.batch_size(),
                static_cast<long long>(arch.seq_len()), arch.num_puzzle_identifiers(),
                device.str().c_str());
  }
  for (const std::string& threads : absl::GetFlag(FLAGS_threads_list)) {
    trm::Measure(experiment, device, std::max(1, std::atoi(threads.c_str())));
  }
  return 0;
}
