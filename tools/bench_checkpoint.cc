// Time and memory of reading, converting and loading an ARC-AGI-2-sized reference checkpoint
// (TRM, D=512, 1,191,730 x 512 puzzle table: 2.3 GiB). Writes a synthetic `step_N` the way
// torch.save does, then measures each path of the import:
//
//   bazel run //tools:bench_checkpoint -- [--dir=/tmp] [--puzzle_rows=1191730]
//
// Memory is reported as RssAnon (heap) and RssFile (pages of the mapped file, which the kernel
// can drop): reading must not add a heap copy of the table, loading into a model exactly one.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugins/testing/tensor_holder_architecture.h"
#include "trm/app/app.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/checkpoint/testing/torch_save_writer.h"
#include "trm/checkpoint/weights_file.h"

ABSL_FLAG(std::string, dir, "", "Folder for the two 2.3 GiB files (default: $TMPDIR or /tmp).");
ABSL_FLAG(int64_t, puzzle_rows, 1191730, "Rows of the puzzle-embedding table.");

namespace trm {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// A field of /proc/self/status in GiB ("RssAnon", "RssFile").
double StatusGiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::stod(line.substr(field.size() + 1)) * 1024 / kGiB;
  }
  return -1;
}

class Phase {
 public:
  explicit Phase(std::string name)
      : name_(std::move(name)), start_(std::chrono::steady_clock::now()) {}
  void Done(double gib_processed) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::cout << absl::StrFormat(
        "%-44s %7.2f s %6.2f GiB/s   RssAnon %5.2f GiB  RssFile %5.2f GiB\n", name_, seconds,
        gib_processed / seconds, StatusGiB("RssAnon"), StatusGiB("RssFile"));
  }

 private:
  std::string name_;
  std::chrono::steady_clock::time_point start_;
};

void Check(const absl::Status& status) {
  if (!status.ok()) Die(status);
}

config::ArchConfig Arc2Trm(int64_t puzzle_rows) {
  config::ArchConfig arch;  // spec §13.2
  arch.set_name("trm");
  arch.set_hidden_size(512);
  arch.set_num_heads(8);
  arch.set_expansion(4);
  arch.set_l_layers(2);
  arch.set_puzzle_emb_ndim(512);
  arch.set_puzzle_emb_len(16);
  arch.set_forward_dtype("bfloat16");
  arch.set_vocab_size(12);
  arch.set_seq_len(900);
  arch.set_num_puzzle_identifiers(static_cast<int32_t>(puzzle_rows));
  return arch;
}

void Run() {
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  const std::string step = dir + "/bench_checkpoint_step_1";
  const std::string converted = dir + "/bench_checkpoint.safetensors";
  const config::ArchConfig arch = Arc2Trm(absl::GetFlag(FLAGS_puzzle_rows));
  const std::vector<testing::TensorSpec> specs = testing::ReferenceStateSpecs(arch);

  double gib = 0;
  {
    NamedTensors state;
    for (const testing::TensorSpec& spec : specs) {
      state.emplace_back("_orig_mod.model." + spec.key,
                         at::full(spec.shape, 0.25, at::TensorOptions().dtype(spec.dtype)));
      gib += state.back().second.nbytes() / kGiB;
    }
    Phase phase("write torch.save step file (test writer)");
    testing::WriteTorchSaveStateDict(step, state);
    phase.Done(gib);
  }
  std::cout << absl::StrFormat("checkpoint: %d tensors, %.3f GiB of tensor data, file %.3f GiB\n",
                               specs.size(), gib, std::filesystem::file_size(step) / kGiB);
  {
    Phase phase("ReadWeights(step) [unpickle + CRC-32 + views]");
    absl::StatusOr<NamedTensors> weights = ReadWeights(step);
    Check(weights.status());
    phase.Done(gib);
    Phase convert("convert to safetensors (import_checkpoint)");
    absl::StatusOr<NamedTensors> stripped = StripCheckpointPrefixes(*weights, step);
    Check(stripped.status());
    NamedTensors renamed;
    for (const auto& [key, tensor] : *stripped) renamed.emplace_back("model." + key, tensor);
    Check(WriteSafetensors(converted, renamed, {{"format", "pt"}}));
    convert.Done(gib);
  }
  for (const std::string& path : {step, converted}) {
    testing::TensorHolderArchitecture model(arch, specs);
    Phase phase(absl::StrCat("LoadWeightsFile(", path == step ? "step" : "safetensors",
                             ") into the model"));
    absl::StatusOr<LoadReport> report = LoadWeightsFile(path, model);
    Check(report.status());
    phase.Done(gib);
  }
  std::filesystem::remove(step);
  std::filesystem::remove(converted);
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  trm::InitTool(argc, argv, "bench_checkpoint [--dir=/tmp] [--puzzle_rows=N]");
  trm::Run();
}
