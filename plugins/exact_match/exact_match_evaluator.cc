#include "plugins/exact_match/exact_match_evaluator.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "plugins/exact_match/report.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "trm/data/dataset_metadata.h"
#include "trm/plugin/plugin_api.h"

namespace trm::exact_match {
namespace {

constexpr char kAccuracy[] = "exact_match/accuracy";
constexpr char kTokenAccuracy[] = "exact_match/token_accuracy";
constexpr char kCount[] = "exact_match/count";

std::string JoinPath(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

absl::Status MakeDirectories(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return absl::InternalError(absl::StrCat(dir, ": cannot create folder: ", error.message()));
  return absl::OkStatus();
}

std::string ShapeString(const at::Tensor& tensor) {
  return absl::StrCat("[", absl::StrJoin(tensor.sizes(), ","), "]");
}

template <class T>
T OrThrow(absl::StatusOr<T> value) {
  if (!value.ok()) throw std::invalid_argument(std::string(value.status().message()));
  return *std::move(value);
}

}  // namespace

ExactMatchEvaluator::ExactMatchEvaluator(const config::EvaluatorConfig& config,
                                         const EvaluatorContext& context)
    : options_(config.GetExtension(exact_match)),
      context_(context),
      tally_(options_.report_solved(), options_.report_failed()) {
  for (const auto& [field, value] : {std::pair{"report_solved", options_.report_solved()},
                                     std::pair{"report_failed", options_.report_failed()}}) {
    if (value < 0) {
      throw std::invalid_argument(absl::StrCat("exact_match.", field, ": ", value, " is negative"));
    }
  }
  if (context_.communicator == nullptr) throw std::invalid_argument("no communicator");
  const DatasetMetadata metadata =
      OrThrow(ReadDatasetMetadata(JoinPath(context_.data_path, "test")));
  seq_len_ = metadata.seq_len;
  layout_ = OrThrow(MakeBoardLayout(options_, metadata.seq_len, metadata.vocab_size));
}

absl::Status ExactMatchEvaluator::BeginEval() {
  tally_.Clear();
  return absl::OkStatus();
}

absl::Status ExactMatchEvaluator::UpdateBatch(const Batch& batch,
                                              const std::map<std::string, at::Tensor>& outputs) {
  auto preds_it = outputs.find("preds");
  if (preds_it == outputs.end() || !preds_it->second.defined()) {
    return absl::InvalidArgumentError("exact_match evaluator: model output 'preds' missing");
  }
  const at::TensorOptions cpu_int = at::TensorOptions().device(at::kCPU).dtype(at::kInt);
  const at::Tensor inputs = batch.inputs.to(cpu_int).contiguous();
  const at::Tensor labels = batch.labels.to(cpu_int).contiguous();
  const at::Tensor preds = preds_it->second.to(cpu_int).contiguous();
  if (inputs.dim() != 2 || inputs.size(1) != seq_len_ || labels.sizes() != inputs.sizes() ||
      preds.sizes() != inputs.sizes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("exact_match evaluator: inconsistent shapes: inputs ", ShapeString(inputs),
                     ", labels ", ShapeString(labels), ", preds ", ShapeString(preds),
                     " (the dataset's seq_len is ", seq_len_, ")"));
  }
  tally_.StartBatch();
  const int32_t* input_tokens = inputs.data_ptr<int32_t>();
  const int32_t* label_tokens = labels.data_ptr<int32_t>();
  const int32_t* pred_tokens = preds.data_ptr<int32_t>();
  for (int64_t row = 0; row < inputs.size(0); ++row) {
    const int32_t* label = label_tokens + row * seq_len_;
    // The loader's padding rows have every label ignored (their puzzle identifier cannot tell:
    // Sudoku-style datasets give every puzzle the blank identifier).
    if (std::all_of(label, label + seq_len_, [](int32_t t) { return t == kIgnoreLabel; })) continue;
    tally_.AddExample(input_tokens + row * seq_len_, pred_tokens + row * seq_len_, label, seq_len_);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, double>> ExactMatchEvaluator::Result(
    const std::string& output_dir) {
  const std::vector<std::string> tallies =
      context_.communicator->AllGatherBytes(tally_.Serialize());
  if (context_.communicator->rank() != 0) return std::map<std::string, double>{};
  TRM_ASSIGN_OR_RETURN(MergedTally merged, MergedTally::Merge(tallies, options_.report_solved(),
                                                              options_.report_failed()));
  metrics_.clear();
  metrics_[kCount] = static_cast<double>(merged.examples);
  // No averages without examples (as the core's per-set metrics).
  if (merged.examples > 0) {
    metrics_[kAccuracy] = static_cast<double>(merged.exact) / merged.examples;
    metrics_[kTokenAccuracy] = static_cast<double>(merged.tokens_right) / merged.tokens;
  }
  if (!output_dir.empty()) {
    TRM_RETURN_IF_ERROR(MakeDirectories(output_dir));
    nlohmann::ordered_json json;
    json["metrics"] = metrics_;
    json["solved"] = merged.solved;
    json["failed"] = merged.failed;
    TRM_RETURN_IF_ERROR(WriteFileAtomically(JoinPath(output_dir, kResultFile), json.dump() + "\n"));
  }
  result_ = std::move(merged);
  return metrics_;
}

absl::Status ExactMatchEvaluator::WriteReport(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& run_info) {
  if (!result_.has_value()) {
    return absl::FailedPreconditionError(
        "exact_match evaluator: no result to report (call Result first)");
  }
  TRM_RETURN_IF_ERROR(MakeDirectories(dir));
  return WriteFileAtomically(JoinPath(dir, kReportFile),
                             RenderExactMatchReport(*result_, metrics_, layout_, run_info));
}

std::string ExactMatchEvaluator::Summary(bool color) const {
  if (!result_.has_value()) return "";
  const MergedTally& result = *result_;
  if (result.examples == 0) return "exact_match: no test examples\n";
  std::string out = absl::StrFormat(
      "exact_match: %d of %d test examples exactly right (%.2f%%), token accuracy %.2f%%\n",
      result.exact, result.examples, 100.0 * metrics_.at(kAccuracy),
      100.0 * metrics_.at(kTokenAccuracy));
  if (result.failed_samples.empty()) return out;
  const ExampleRecord& failed = result.failed_samples.front();
  absl::StrAppend(&out, "example ", failed.index, ", ", failed.WrongCells(), " wrong cell(s) ",
                  color ? "in red" : "marked *", ":\n",
                  DrawBoardsText(ExampleBoards(failed), layout_, color));
  return out;
}

TRM_REGISTER_CLASS(EvaluatorRegistry, "exact_match", ExactMatchEvaluator,
                   "whole-board accuracy (Sudoku, Maze, ...): exact_match/accuracy, "
                   "token_accuracy, exact_match.json, HTML report with boards");

}  // namespace trm::exact_match
