// Converts weights of any supported format into our safetensors weight file:
//
//   bazel run //tools:import_checkpoint -- --in=step_N --out=model.safetensors [--experiment=NAME]
//
// --in: a checkpoint of the reference's training (torch.save of a state_dict(), `_orig_mod.`
// keys, usually named step_N), a torch.save'd dict such as the fixtures' weights.pt, or a
// safetensors file. The output holds "model." + state-dict key, as every weight file of ours.
// With --experiment the model is built through the architecture registry and the file is loaded
// into it exactly as training would load it (every key, shape and dtype checked; bf16/f32 buffers
// converted to the experiment's forward dtype), and the model's state is written. An existing
// --out is never replaced without --overwrite.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/state_dict.h"
#include "trm/checkpoint/weights_file.h"
#include "trm/model/architecture.h"

ABSL_FLAG(std::string, in, "",
          "Weights to import: reference checkpoint, torch.save dict or safetensors.");
ABSL_FLAG(std::string, out, "", "Safetensors file to write.");
ABSL_FLAG(bool, overwrite, false, "Replace --out if it exists.");
ABSL_FLAG(bool, puzzle_embedding_mean_on_resize, false,
          "With --experiment: when the stored puzzle-embedding table has another shape than the "
          "model's, fill every row with the mean of the stored rows (the reference's "
          "load_checkpoint). Set arch.num_puzzle_identifiers to the new table size.");
ABSL_DECLARE_FLAG(std::string, experiment);

namespace trm {
namespace {

constexpr char kTokenEmbedding[] = "inner.embed_tokens.embedding_weight";
constexpr char kPuzzleTable[] = "inner.puzzle_emb.weights";

// The arch fields that training injects from the dataset (spec §1.2). Left unset in the
// experiment, the vocabulary and puzzle-table sizes are read off the stored tensors; the batch
// size shapes no stored tensor; the sequence length must be given.
absl::Status FillDatasetShapes(const NamedTensors& stripped, config::ArchConfig* arch) {
  auto rows_of = [&](const std::string& key) -> int64_t {
    for (const auto& [name, tensor] : stripped) {
      if (name == key && tensor.dim() == 2) return tensor.size(0);
    }
    return 0;
  };
  if (!arch->has_vocab_size() && rows_of(kTokenEmbedding) > 0) {
    arch->set_vocab_size(static_cast<int32_t>(rows_of(kTokenEmbedding)));
  }
  if (!arch->has_num_puzzle_identifiers() && rows_of(kPuzzleTable) > 0) {
    arch->set_num_puzzle_identifiers(static_cast<int32_t>(rows_of(kPuzzleTable)));
  }
  if (!arch->has_batch_size()) arch->set_batch_size(1);
  if (!arch->has_seq_len()) {
    return absl::InvalidArgumentError(
        "arch.seq_len is not set (training takes it from the dataset): pass --set "
        "arch.seq_len=N, e.g. 900 for ARC");
  }
  return absl::OkStatus();
}

int64_t Elements(const NamedTensors& tensors) {
  int64_t total = 0;
  for (const auto& [name, tensor] : tensors) total += tensor.numel();
  return total;
}

int Run() {
  if (absl::GetFlag(FLAGS_in).empty() || absl::GetFlag(FLAGS_out).empty()) {
    Die(absl::InvalidArgumentError("--in and --out are required"));
  }
  // Relative to the user's directory, also under `bazel run`.
  const std::string in = ResolveUserPath(absl::GetFlag(FLAGS_in));
  const std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (!absl::GetFlag(FLAGS_overwrite) && std::filesystem::exists(out)) {
    Die(absl::AlreadyExistsError(absl::StrCat(out, " exists; pass --overwrite to replace it")));
  }
  // Load the experiment first: a bad config fails before any file is read.
  std::optional<config::Experiment> experiment;
  if (!absl::GetFlag(FLAGS_experiment).empty()) experiment = ExperimentFromFlagsOrDie();
  absl::StatusOr<WeightsFormat> format = DetectWeightsFormat(in);
  if (!format.ok()) Die(format.status());
  absl::StatusOr<NamedTensors> weights = ReadWeights(in);
  if (!weights.ok()) Die(weights.status());
  absl::StatusOr<NamedTensors> stripped = StripCheckpointPrefixes(*weights, in);
  if (!stripped.ok()) Die(stripped.status());

  std::string summary;
  NamedTensors written;
  if (!experiment) {
    for (const auto& [key, tensor] : *stripped) written.emplace_back("model." + key, tensor);
    if (absl::Status s = WriteSafetensors(out, written, {{"format", "pt"}}); !s.ok()) Die(s);
  } else {
    config::ArchConfig* arch = experiment->mutable_arch();
    if (absl::Status s = FillDatasetShapes(*stripped, arch); !s.ok()) Die(s);
    absl::StatusOr<std::unique_ptr<Architecture>> model =
        ArchitectureRegistry().Create(arch->name(), *arch);
    if (!model.ok()) Die(model.status());
    LoadWeightsOptions options;
    if (absl::GetFlag(FLAGS_puzzle_embedding_mean_on_resize)) {
      options.puzzle_table_resize = PuzzleTableResize::kMeanOfAll;
    }
    absl::StatusOr<LoadReport> report = LoadStateDict(*stripped, in, **model, options);
    if (!report.ok()) Die(report.status());
    written = WeightsFileTensors(**model);
    if (absl::Status s = WriteSafetensors(out, written, {{"format", "pt"}}); !s.ok()) Die(s);

    int64_t trainable = 0;
    for (const at::Tensor& parameter : (*model)->parameters()) trainable += parameter.numel();
    absl::StrAppend(&summary, ", validated against '", arch->name(), "' of experiment '",
                    experiment->name(), "' (", trainable, " trainable parameters)");
    if (!report->converted.empty()) {
      absl::StrAppend(&summary,
                      ", converted to the model's dtype: ", absl::StrJoin(report->converted, ", "));
    }
    if (!report->puzzle_embedding_mean_of.empty()) {
      absl::StrAppend(&summary, ", puzzle table set to the mean of the stored [",
                      absl::StrJoin(report->puzzle_embedding_mean_of, ","), "] rows");
    }
  }
  std::cout << "wrote " << out << " from " << in << " (" << WeightsFormatName(*format)
            << "): " << written.size() << " tensors, " << Elements(written) << " values, "
            << std::filesystem::file_size(out) << " bytes" << summary << std::endl;
  return 0;
}

}  // namespace
}  // namespace trm

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Converts a reference checkpoint (or any weights file) to our safetensors:\n"
                "  import_checkpoint --in=step_N --out=model.safetensors [--experiment=NAME "
                "[--set arch.seq_len=900]] [--overwrite]");
  return trm::Run();
}
