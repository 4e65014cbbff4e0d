// Time of one full training step (ACT carry update, forward, loss, backward, sparse sign-SGD and
// AdamATan2) for the fixed `bench_cpu` config of perf_reference.md: TRM hidden 128, 4 heads,
// expansion 4, L_layers 2, H_cycles 2, L_cycles 2, halt_max_steps 4, puzzle_emb 128 x 16, 1000
// puzzle ids, RoPE, float32, batch 8, seq 900. Also times one evaluation pass (4 ACT steps, no
// gradient). Prints the median per thread count.
//
//   bazel run //tools:bench_train_step -- --threads_list=1,2 --steps=5
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "trm/app/app.h"
#include "trm/app/cpu_threads.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/optim/optimizer.h"
#include "trm/train/train_step.h"

ABSL_FLAG(std::vector<std::string>, threads_list, std::vector<std::string>({"1", "2"}),
          "Intra-op thread counts to measure.");
ABSL_FLAG(int, steps, 5, "Timed training steps per thread count (after one warm-up step).");
ABSL_FLAG(int, eval_passes, 2, "Timed evaluation passes per thread count (0 = skip).");
ABSL_FLAG(int, batch_size, 8, "Batch size.");

namespace trm {
namespace {

constexpr int64_t kSeqLen = 900;
constexpr int64_t kVocab = 12;
constexpr int64_t kPuzzleIds = 1000;

config::ArchConfig BenchArch(int batch) {
  config::ArchConfig arch;
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
  arch.set_batch_size(batch);
  arch.set_seq_len(kSeqLen);
  arch.set_vocab_size(kVocab);
  arch.set_num_puzzle_identifiers(kPuzzleIds);
  return arch;
}

Batch RandomBatch(int batch) {
  return Batch{at::randint(0, kVocab, {batch, kSeqLen}, at::kInt),
               at::randint(0, kVocab, {batch, kSeqLen}, at::kInt),
               at::randint(1, kPuzzleIds, {batch}, at::kInt)};
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <typename T>
T OrDie(absl::StatusOr<T> value) {
  if (!value.ok()) Die(value.status());
  return *std::move(value);
}

void Measure(int threads) {
  SetCpuThreads(threads);
  at::manual_seed(0);
  const int batch = absl::GetFlag(FLAGS_batch_size);
  const config::ArchConfig arch = BenchArch(batch);
  std::unique_ptr<Architecture> model = OrDie(ArchitectureRegistry().Create("trm", arch));
  config::LossConfig loss_config;
  std::unique_ptr<LossHead> loss = OrDie(LossRegistry().Create("act_loss_head", loss_config));
  std::unique_ptr<Communicator> communicator = MakeSingleProcessCommunicator();

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
  config::OptimizerConfig adam_config;
  adam_config.set_name("adam_atan2");
  config::OptimizerConfig sign_config;
  sign_config.set_name("sparse_sign_sgd");
  sign_config.set_lr(1e-2);
  std::unique_ptr<Optimizer> adam =
      OrDie(OptimizerRegistry().Create("adam_atan2", adam_config, dense));
  std::unique_ptr<Optimizer> sign =
      OrDie(OptimizerRegistry().Create("sparse_sign_sgd", sign_config, sparse));
  config::LrScheduleConfig schedule_config;
  schedule_config.set_warmup_steps(0);
  std::unique_ptr<LrSchedule> schedule =
      OrDie(LrScheduleRegistry().Create("warmup_cosine", schedule_config, 1000));
  GradientReducer reducer(parameters, 25 << 20, communicator.get());
  TrainStep step(model.get(), loss.get(),
                 {{"puzzle_emb", sign.get(), 1e-2, true}, {"dense", adam.get(), 1e-4, true}},
                 schedule.get(), &reducer, communicator.get(), TrainStepOptions{batch, true});

  std::vector<double> train_seconds;
  for (int i = 0; i <= absl::GetFlag(FLAGS_steps); ++i) {
    const Batch data = RandomBatch(batch);
    const auto start = std::chrono::steady_clock::now();
    if (absl::Status s = step.Run(i + 1, data).status(); !s.ok()) Die(s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i > 0) train_seconds.push_back(seconds);  // step 0 warms up allocator and caches
  }
  std::printf("threads %d  train step  median %.3f s  (min %.3f, max %.3f, %zu steps)\n", threads,
              Median(train_seconds), *std::min_element(train_seconds.begin(), train_seconds.end()),
              *std::max_element(train_seconds.begin(), train_seconds.end()), train_seconds.size());

  std::vector<double> eval_seconds;
  model->eval();
  for (int i = 0; i < absl::GetFlag(FLAGS_eval_passes); ++i) {
    at::NoGradGuard no_grad;
    const Batch data = RandomBatch(batch);
    const auto start = std::chrono::steady_clock::now();
    ActCarry carry = model->InitialCarry(data);
    for (int act = 0; act < arch.halt_max_steps(); ++act) {
      auto [next, outputs] = model->Forward(carry, data);
      loss->Compute(next, outputs);
      carry = std::move(next);
    }
    eval_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (!eval_seconds.empty()) {
    std::printf("threads %d  eval pass   median %.3f s  (%zu passes of %d ACT steps)\n", threads,
                Median(eval_seconds), eval_seconds.size(), arch.halt_max_steps());
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  trm::InitTool(argc, argv, "bench_train_step [--threads_list=1,2] [--steps=N]");
  std::printf(
      "bench_cpu: TRM hidden 128, 4 heads, L_layers 2, H_cycles 2, L_cycles 2, batch %d, "
      "seq 900, float32 (Python reference: 4.74 s / 4.31 s per step at 1 / 2 threads)\n",
      absl::GetFlag(FLAGS_batch_size));
  for (const std::string& threads : absl::GetFlag(FLAGS_threads_list)) {
    trm::Measure(std::max(1, std::atoi(threads.c_str())));
  }
  return 0;
}
