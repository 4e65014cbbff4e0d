#include "trm/checkpoint/state_dict.h"

#include <ATen/core/grad_mode.h>

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"

namespace trm {
namespace {

constexpr char kCompiledPrefix[] = "_orig_mod.";
constexpr char kLossHeadPrefix[] = "model.";
// Names shown per kind of mismatch before "... (+N more)".
constexpr size_t kMaxNamesShown = 8;

std::string Shape(const at::Tensor& t) {
  return absl::StrCat("[", absl::StrJoin(t.sizes(), ","), "]");
}

// "3 missing: a, b, c" with the list capped.
std::string Describe(const std::string& what, const std::vector<std::string>& items) {
  std::vector<std::string> shown(items.begin(),
                                 items.begin() + std::min(items.size(), kMaxNamesShown));
  std::string text = absl::StrCat(items.size(), " ", what, ": ", absl::StrJoin(shown, ", "));
  if (items.size() > shown.size())
    absl::StrAppend(&text, ", ... (+", items.size() - shown.size(), " more)");
  return text;
}

bool AliasesAny(const at::Tensor& tensor, const std::vector<at::Tensor>& others) {
  for (const at::Tensor& other : others) {
    if (tensor.is_alias_of(other)) return true;
  }
  return false;
}

// The stored puzzle-embedding table `stored` [N, E] resized to `rows` rows as `resize` says, or
// nullopt when that resize does not apply (kError, or appending to a larger stored table).
std::optional<at::Tensor> ResizePuzzleTable(const at::Tensor& stored, int64_t rows,
                                            PuzzleTableResize resize) {
  const int64_t stored_rows = stored.size(0);
  switch (resize) {
    case PuzzleTableResize::kError:
      return std::nullopt;
    case PuzzleTableResize::kMeanOfAll:
      return stored.mean(0, /*keepdim=*/true).expand({rows, stored.size(1)});
    case PuzzleTableResize::kAppendMean:
    case PuzzleTableResize::kAppendBlank: {
      if (rows < stored_rows) return std::nullopt;
      at::Tensor fill;
      if (resize == PuzzleTableResize::kAppendBlank || stored_rows == 1) {
        fill = stored.narrow(0, 0, 1);
      } else {
        fill = stored.narrow(0, 1, stored_rows - 1).mean(0, /*keepdim=*/true);
      }
      return at::cat({stored, fill.expand({rows - stored_rows, stored.size(1)})}, 0);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string StripCheckpointPrefixes(const std::string& key) {
  std::string stripped = key;
  if (absl::StartsWith(stripped, kCompiledPrefix)) stripped.erase(0, sizeof(kCompiledPrefix) - 1);
  if (absl::StartsWith(stripped, kLossHeadPrefix)) stripped.erase(0, sizeof(kLossHeadPrefix) - 1);
  return stripped;
}

absl::StatusOr<NamedTensors> StripCheckpointPrefixes(const NamedTensors& weights,
                                                     const std::string& source) {
  NamedTensors stripped;
  std::map<std::string, std::string> original_of;
  for (const auto& [name, tensor] : weights) {
    std::string key = StripCheckpointPrefixes(name);
    auto [it, inserted] = original_of.emplace(key, name);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": '", it->second, "' and '", name,
                                                     "' both name the tensor '", key, "'"));
    }
    stripped.emplace_back(std::move(key), tensor);
  }
  return stripped;
}

absl::StatusOr<LoadReport> LoadStateDict(const NamedTensors& weights, const std::string& source,
                                         Architecture& model, const LoadWeightsOptions& options) {
  TRM_ASSIGN_OR_RETURN(NamedTensors stripped, StripCheckpointPrefixes(weights, source));
  std::map<std::string, at::Tensor> stored(stripped.begin(), stripped.end());

  const std::vector<at::Tensor> parameters = model.parameters();
  std::optional<at::Tensor> puzzle_table;
  if (std::optional<SparseEmbeddingState> sparse = model.SparseEmbedding()) {
    puzzle_table = sparse->table;
  }

  // Plan every copy first, so that a mismatch leaves the model untouched.
  struct Copy {
    at::Tensor destination;
    at::Tensor source;
  };
  std::vector<Copy> copies;
  LoadReport report;
  std::vector<std::string> missing, unexpected, bad_shape, bad_dtype;
  const std::vector<std::pair<std::string, at::Tensor>> destinations = model.StateDict();
  std::set<std::string> expected;
  for (const auto& [key, destination] : destinations) {
    expected.insert(key);
    auto it = stored.find(key);
    if (it == stored.end()) {
      missing.push_back(key);
      continue;
    }
    at::Tensor value = it->second;
    const bool floating = value.is_floating_point() && destination.is_floating_point();
    if (value.sizes() != destination.sizes()) {
      const bool is_puzzle_table = puzzle_table && destination.is_alias_of(*puzzle_table);
      std::optional<at::Tensor> resized;
      if (is_puzzle_table && floating && value.dim() == 2 && destination.dim() == 2 &&
          value.size(0) > 0 && value.size(1) == destination.size(1)) {
        resized = ResizePuzzleTable(value, destination.size(0), options.puzzle_table_resize);
      }
      if (!resized.has_value()) {
        bad_shape.push_back(absl::StrCat(key, " ", Shape(value), " in the file vs ",
                                         Shape(destination), " in the model"));
        continue;
      }
      if (options.puzzle_table_resize == PuzzleTableResize::kMeanOfAll) {
        report.puzzle_embedding_mean_of = value.sizes().vec();
      } else {
        report.puzzle_embedding_rows_appended = destination.size(0) - value.size(0);
      }
      value = *resized;
    }
    if (value.scalar_type() != destination.scalar_type()) {
      if (!floating || AliasesAny(destination, parameters)) {
        bad_dtype.push_back(
            absl::StrCat(key, " ", c10::toString(value.scalar_type()), " in the file vs ",
                         c10::toString(destination.scalar_type()), " in the model"));
        continue;
      }
      report.converted.push_back(key);
    }
    copies.push_back({destination, value});
  }
  for (const auto& [key, tensor] : stripped) {
    if (!expected.count(key)) unexpected.push_back(key);
  }

  if (!missing.empty() || !unexpected.empty() || !bad_shape.empty() || !bad_dtype.empty()) {
    std::vector<std::string> problems;
    if (!missing.empty()) problems.push_back(Describe("missing", missing));
    if (!unexpected.empty()) problems.push_back(Describe("unexpected", unexpected));
    if (!bad_shape.empty()) problems.push_back(Describe("with another shape", bad_shape));
    if (!bad_dtype.empty()) problems.push_back(Describe("with another dtype", bad_dtype));
    return absl::InvalidArgumentError(absl::StrCat(source, ": does not match the '",
                                                   model.arch_config().name(),
                                                   "' model: ", absl::StrJoin(problems, "; ")));
  }

  at::NoGradGuard no_grad;
  for (Copy& copy : copies) copy.destination.copy_(copy.source);
  report.tensors = static_cast<int64_t>(copies.size());
  return report;
}

absl::StatusOr<LoadReport> LoadWeightsFile(const std::string& path, Architecture& model,
                                           const LoadWeightsOptions& options) {
  TRM_ASSIGN_OR_RETURN(NamedTensors weights, ReadWeights(path));
  return LoadStateDict(weights, path, model, options);
}

NamedTensors WeightsFileTensors(const Architecture& model) {
  NamedTensors tensors;
  for (const auto& [key, tensor] : model.StateDict()) {
    tensors.emplace_back(absl::StrCat(kLossHeadPrefix, key), tensor);
  }
  return tensors;
}

absl::Status SaveWeightsFile(const std::string& path, const Architecture& model) {
  return WriteSafetensors(path, WeightsFileTensors(model), {{"format", "pt"}});
}

}  // namespace trm
