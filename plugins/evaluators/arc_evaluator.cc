#include "plugins/evaluators/arc_evaluator.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugins/evaluators/arc_crop.h"
#include "plugins/evaluators/arc_report.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "plugins/arc/common/arc_json.h"
#include "plugins/arc/common/token_drawing.h"
#include "plugins/arc/common/kaggle_submission.h"
#include "trm/plugin/plugin_api.h"

namespace trm::plugins {
namespace {

// The reference's default pass@k list (spec §10).
const std::vector<int> kDefaultPassKs = {1, 2, 5, 10, 100, 1000};

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

absl::StatusOr<at::Tensor> Output(const std::map<std::string, at::Tensor>& outputs,
                                  const std::string& name) {
  auto it = outputs.find(name);
  if (it == outputs.end() || !it->second.defined()) {
    return absl::InvalidArgumentError(
        absl::StrCat("arc evaluator: model output '", name, "' missing"));
  }
  return it->second;
}

std::string ShapeString(const at::Tensor& tensor) {
  return absl::StrCat("[", absl::StrJoin(tensor.sizes(), ","), "]");
}

}  // namespace

ArcEvaluator::ArcEvaluator(const config::EvaluatorConfig& config, const EvaluatorContext& context)
    : options_(config.GetExtension(arc::arc_evaluator)), context_(context) {
  pass_ks_ = options_.pass_ks().empty()
                 ? kDefaultPassKs
                 : std::vector<int>(options_.pass_ks().begin(), options_.pass_ks().end());
  load_status_ = Load();
}

absl::Status ArcEvaluator::Load() {
  if (options_.submission_k() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "[trm.arc.arc_evaluator].submission_k must be at least 1, got ", options_.submission_k()));
  }
  for (int k : pass_ks_) {
    if (k < 1)
      return absl::InvalidArgumentError(
          absl::StrCat("[trm.arc.arc_evaluator].pass_ks: ", k, " is not positive"));
  }
  if (context_.communicator == nullptr) {
    return absl::InvalidArgumentError("arc evaluator: no communicator");
  }
  if (context_.data_path.empty()) {
    return absl::InvalidArgumentError("arc evaluator: no dataset folder given");
  }
  const std::string identifiers_path = JoinPath(context_.data_path, "identifiers.json");
  TRM_ASSIGN_OR_RETURN(const std::string identifiers_text, ReadFileToString(identifiers_path));
  TRM_ASSIGN_OR_RETURN(const OrderedJson identifiers,
                       ParseJsonText(identifiers_text, identifiers_path));
  if (!identifiers.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(identifiers_path, ": expected a list of puzzle names"));
  }
  identifiers_.reserve(identifiers.size());
  for (size_t i = 0; i < identifiers.size(); ++i) {
    if (!identifiers[i].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(identifiers_path, ": entry ", i, " is not a string"));
    }
    identifiers_.push_back(identifiers[i].get<std::string>());
  }

  const std::string metadata_path = JoinPath(JoinPath(context_.data_path, "test"), "dataset.json");
  if (std::filesystem::exists(metadata_path)) {
    TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(metadata_path));
    TRM_ASSIGN_OR_RETURN(const OrderedJson metadata, ParseJsonText(text, metadata_path));
    auto blank = metadata.find("blank_identifier_id");
    if (blank != metadata.end()) {
      if (!blank->is_number_integer()) {
        return absl::InvalidArgumentError(
            absl::StrCat(metadata_path, ": blank_identifier_id is not an integer"));
      }
      blank_identifier_ = blank->get<int64_t>();
    }
  }

  tasks_path_ = JoinPath(context_.data_path, "test_puzzles.json");
  TRM_ASSIGN_OR_RETURN(tasks_, ReadArcTasksFile(tasks_path_));
  return absl::OkStatus();
}

absl::Status ArcEvaluator::BeginEval() {
  TRM_RETURN_IF_ERROR(load_status_);
  if (!options_.aggregated_voting() || rounds_ == 0) {
    votes_.Clear();
    rounds_ = 0;
  }
  ++rounds_;
  return absl::OkStatus();
}

absl::StatusOr<ParsedName> ArcEvaluator::NameOf(int64_t identifier) const {
  if (identifier < 0 || identifier >= static_cast<int64_t>(identifiers_.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("arc evaluator: puzzle identifier ", identifier,
                     " is outside identifiers.json (", identifiers_.size(),
                     " names): the checkpoint or batch does not belong to ", context_.data_path));
  }
  std::optional<ParsedName> parsed = ParseAugmentedName(identifiers_[identifier]);
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat("arc evaluator: malformed puzzle name '",
                                                   identifiers_[identifier], "' (identifier ",
                                                   identifier, ")"));
  }
  return *std::move(parsed);
}

absl::Status ArcEvaluator::UpdateBatch(const Batch& batch,
                                       const std::map<std::string, at::Tensor>& outputs) {
  TRM_RETURN_IF_ERROR(load_status_);
  TRM_ASSIGN_OR_RETURN(at::Tensor preds, Output(outputs, "preds"));
  TRM_ASSIGN_OR_RETURN(at::Tensor q_halt_logits, Output(outputs, "q_halt_logits"));
  const at::TensorOptions cpu_int = at::TensorOptions().device(at::kCPU).dtype(at::kInt);
  const at::Tensor inputs = batch.inputs.to(cpu_int).contiguous();
  preds = preds.to(cpu_int).contiguous();
  const at::Tensor identifiers = batch.puzzle_identifiers.to(at::kCPU).to(at::kLong).contiguous();
  // float64 on the CPU, with LibTorch's own sigmoid, as the reference.
  const at::Tensor confidence =
      at::sigmoid(q_halt_logits.to(at::kCPU).to(at::kDouble)).contiguous();

  if (inputs.dim() != 2 || preds.sizes() != inputs.sizes() || identifiers.dim() != 1 ||
      identifiers.size(0) != inputs.size(0) || confidence.dim() != 1 ||
      confidence.size(0) != inputs.size(0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("arc evaluator: inconsistent shapes: inputs ", ShapeString(inputs), ", preds ",
                     ShapeString(preds), ", puzzle_identifiers ", ShapeString(identifiers),
                     ", q_halt_logits ", ShapeString(confidence)));
  }
  const int64_t rows = inputs.size(0);
  TRM_ASSIGN_OR_RETURN(const int side, CanvasSide(inputs.size(1)));
  const int32_t* input_tokens = inputs.data_ptr<int32_t>();
  const int32_t* pred_tokens = preds.data_ptr<int32_t>();
  const int64_t* ids = identifiers.data_ptr<int64_t>();
  const double* q = confidence.data_ptr<double>();
  const int64_t seq_len = inputs.size(1);
  // Each row votes with its own q. (The reference drops padding rows from everything but the q
  // values before pairing them up, which shifts the q of rows after a padding row; the loader only
  // pads at the end of a batch, where that cannot happen.)
  for (int64_t b = 0; b < rows; ++b) {
    if (ids[b] == blank_identifier_) continue;  // padding row
    TRM_ASSIGN_OR_RETURN(const ParsedName name, NameOf(ids[b]));
    const Grid input = name.augmentation.Invert(CropGrid(input_tokens + b * seq_len, side));
    const Grid prediction = name.augmentation.Invert(CropGrid(pred_tokens + b * seq_len, side));
    votes_.Add(name.id, GridHash(input), prediction, q[b]);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, double>> ArcEvaluator::Result(const std::string& output_dir) {
  TRM_RETURN_IF_ERROR(load_status_);
  Communicator& communicator = *context_.communicator;
  std::vector<std::string> all_tables;
  if (communicator.world_size() > 1) {
    all_tables = communicator.AllGatherBytes(votes_.Serialize());
  }
  if (communicator.rank() != 0) return std::map<std::string, double>{};

  gathered_.clear();
  std::vector<const ArcVoteTable*> tables = {&votes_};
  for (size_t rank = 1; rank < all_tables.size(); ++rank) {
    auto table = ArcVoteTable::Deserialize(all_tables[rank]);
    if (!table.ok()) {
      return absl::DataLossError(absl::StrCat("rank ", rank, ": ", table.status().message()));
    }
    gathered_.push_back(*std::move(table));
  }
  for (const ArcVoteTable& table : gathered_) tables.push_back(&table);

  results_ = std::make_unique<ArcResults>(tasks_, std::move(tables), options_.submission_k());
  rounds_in_results_ = rounds_;
  metrics_.clear();
  for (int k : pass_ks_) metrics_[absl::StrCat("ARC/pass@", k)] = results_->PassAtK(k);

  if (!output_dir.empty()) {
    TRM_RETURN_IF_ERROR(MakeDirectories(output_dir));
    TRM_RETURN_IF_ERROR(WriteSubmission(JoinPath(output_dir, kSubmissionFile),
                                        results_->Submission(), tasks_, tasks_path_,
                                        options_.submission_k()));
  }
  return metrics_;
}

absl::Status ArcEvaluator::WriteReport(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& run_info) {
  if (results_ == nullptr) {
    return absl::FailedPreconditionError("arc evaluator: no result to report (call Result first)");
  }
  ArcReportOptions options;
  options.run_info = run_info;
  options.pass_ks = pass_ks_;
  options.metrics = metrics_;
  options.submission_k = options_.submission_k();
  options.aggregated_voting = options_.aggregated_voting();
  options.rounds = rounds_in_results_;
  options.world_size = context_.communicator->world_size();
  TRM_RETURN_IF_ERROR(MakeDirectories(dir));
  return WriteFileAtomically(JoinPath(dir, kReportFile), RenderArcReport(*results_, options));
}

std::string ArcEvaluator::Summary(bool color) const {
  if (results_ == nullptr) return "";
  const std::vector<ArcTask>& tasks = results_->tasks();
  const auto& outcomes = results_->outcomes();
  std::vector<std::string> solved;
  std::string drawing;
  for (size_t t = 0; t < tasks.size(); ++t) {
    // Kaggle's scoring: a test input counts when one of its attempts is the expected output.
    auto correct_attempt = [](const ArcInputOutcome& outcome) {
      auto it = std::find(outcome.attempts.begin(), outcome.attempts.end(), outcome.label_rank);
      return outcome.label_rank >= 0 && it != outcome.attempts.end()
                 ? static_cast<int>(it - outcome.attempts.begin())
                 : -1;
    };
    const bool all_correct =
        !outcomes[t].empty() &&
        std::all_of(outcomes[t].begin(), outcomes[t].end(),
                    [&](const ArcInputOutcome& outcome) { return correct_attempt(outcome) >= 0; });
    if (!all_correct) continue;
    solved.push_back(tasks[t].id);
    if (!drawing.empty()) continue;
    const ArcInputOutcome& outcome = outcomes[t][0];
    const int attempt = correct_attempt(outcome);
    int64_t votes = 0;
    for (const RankedCandidate& candidate : outcome.candidates) votes += candidate.votes;
    drawing = absl::StrCat(
        tasks[t].id, ", test input 1 (attempt ", attempt + 1, ", ",
        outcome.candidates[outcome.label_rank].votes, " of ", votes, " votes):\n",
        DrawGrids({"input", "prediction"},
                  {tasks[t].test[0].input, results_->Attempts(outcome)[attempt]}, color),
        DrawingLegend(color));
  }
  constexpr size_t kMaxListed = 40;
  std::string listed =
      absl::StrJoin(solved.begin(), solved.begin() + std::min(solved.size(), kMaxListed), " ");
  if (solved.size() > kMaxListed) absl::StrAppend(&listed, " ...");
  return absl::StrCat("ARC: ", solved.size(), " of ", tasks.size(), " tasks solved with ",
                      options_.submission_k(), " attempts", solved.empty() ? "" : ": ", listed, "\n",
                      drawing);
}

TRM_REGISTER_CLASS(
    EvaluatorRegistry, "arc", ArcEvaluator,
    "ARC-AGI: votes over augmented variants, ARC/pass@k, submission.json, HTML report");

}  // namespace trm::plugins
