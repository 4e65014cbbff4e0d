#include "plugins/exact_match/tally.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

using Json = nlohmann::json;

Json RecordToJson(const ExampleRecord& record) {
  return Json{{"index", record.index},
              {"exact", record.exact},
              {"input", record.input},
              {"prediction", record.prediction},
              {"label", record.label}};
}

ExampleRecord RecordFromJson(const Json& json) {
  ExampleRecord record;
  record.index = json.at("index").get<int64_t>();
  record.exact = json.at("exact").get<bool>();
  record.input = json.at("input").get<std::vector<int32_t>>();
  record.prediction = json.at("prediction").get<std::vector<int32_t>>();
  record.label = json.at("label").get<std::vector<int32_t>>();
  return record;
}

struct RankTally {
  std::vector<int64_t> examples_per_batch;
  std::string exact;
  int64_t tokens = 0;
  int64_t tokens_right = 0;
  std::vector<ExampleRecord> samples;
};

}  // namespace

int64_t ExampleRecord::WrongCells() const {
  int64_t wrong = 0;
  for (size_t i = 0; i < label.size() && i < prediction.size(); ++i) {
    wrong += label[i] != kIgnoreLabel && prediction[i] != label[i];
  }
  return wrong;
}

ExactMatchTally::ExactMatchTally(int keep_solved, int keep_failed)
    : keep_solved_(keep_solved), keep_failed_(keep_failed) {}

void ExactMatchTally::Clear() { *this = ExactMatchTally(keep_solved_, keep_failed_); }

void ExactMatchTally::StartBatch() { examples_per_batch_.push_back(0); }

void ExactMatchTally::AddExample(const int32_t* input, const int32_t* prediction,
                                 const int32_t* label, int64_t seq_len) {
  if (examples_per_batch_.empty()) StartBatch();
  int64_t scored = 0, right = 0;
  for (int64_t i = 0; i < seq_len; ++i) {
    if (label[i] == kIgnoreLabel) continue;
    ++scored;
    right += prediction[i] == label[i];
  }
  const bool exact = right == scored;
  tokens_ += scored;
  tokens_right_ += right;
  std::vector<ExampleRecord>& kept = exact ? solved_ : failed_;
  if (static_cast<int>(kept.size()) < (exact ? keep_solved_ : keep_failed_)) {
    kept.push_back(ExampleRecord{examples(), exact, std::vector<int32_t>(input, input + seq_len),
                                 std::vector<int32_t>(prediction, prediction + seq_len),
                                 std::vector<int32_t>(label, label + seq_len)});
  }
  exact_ += exact ? '1' : '0';
  ++examples_per_batch_.back();
}

std::string ExactMatchTally::Serialize() const {
  Json samples = Json::array();
  for (const auto* kept : {&solved_, &failed_}) {
    for (const ExampleRecord& record : *kept) samples.push_back(RecordToJson(record));
  }
  return Json{{"examples_per_batch", examples_per_batch_},
              {"exact", exact_},
              {"tokens", tokens_},
              {"tokens_right", tokens_right_},
              {"samples", samples}}
      .dump();
}

absl::StatusOr<MergedTally> MergedTally::Merge(const std::vector<std::string>& serialized,
                                               int keep_solved, int keep_failed) {
  std::vector<RankTally> ranks;
  for (size_t rank = 0; rank < serialized.size(); ++rank) {
    RankTally tally;
    try {
      const Json json = Json::parse(serialized[rank]);
      tally.examples_per_batch = json.at("examples_per_batch").get<std::vector<int64_t>>();
      tally.exact = json.at("exact").get<std::string>();
      tally.tokens = json.at("tokens").get<int64_t>();
      tally.tokens_right = json.at("tokens_right").get<int64_t>();
      for (const Json& sample : json.at("samples")) tally.samples.push_back(RecordFromJson(sample));
    } catch (const Json::exception& e) {
      return absl::DataLossError(absl::StrCat("exact_match: rank ", rank, "'s tally: ", e.what()));
    }
    ranks.push_back(std::move(tally));
  }
  MergedTally merged;
  if (ranks.empty()) return merged;
  // Each rank's examples in order get their numbers, batch after batch, rank after rank.
  std::vector<std::vector<int64_t>> numbers(ranks.size());
  const size_t batches = ranks[0].examples_per_batch.size();
  for (size_t rank = 0; rank < ranks.size(); ++rank) {
    int64_t total = 0;
    for (int64_t n : ranks[rank].examples_per_batch) total += n;
    if (ranks[rank].examples_per_batch.size() != batches ||
        total != static_cast<int64_t>(ranks[rank].exact.size())) {
      return absl::DataLossError(absl::StrCat(
          "exact_match: rank ", rank, " evaluated ", ranks[rank].examples_per_batch.size(),
          " batches (", ranks[rank].exact.size(), " examples), rank 0 ", batches, " batches"));
    }
  }
  std::vector<size_t> next(ranks.size(), 0);
  for (size_t batch = 0; batch < batches; ++batch) {
    for (size_t rank = 0; rank < ranks.size(); ++rank) {
      for (int64_t i = 0; i < ranks[rank].examples_per_batch[batch]; ++i) {
        const int64_t number = merged.examples++;
        numbers[rank].push_back(number);
        const bool exact = ranks[rank].exact[next[rank]++] == '1';
        merged.exact += exact;
        (exact ? merged.solved : merged.failed).push_back(number);
      }
    }
  }
  for (size_t rank = 0; rank < ranks.size(); ++rank) {
    merged.tokens += ranks[rank].tokens;
    merged.tokens_right += ranks[rank].tokens_right;
    for (ExampleRecord& sample : ranks[rank].samples) {
      if (sample.index < 0 || sample.index >= static_cast<int64_t>(numbers[rank].size())) {
        return absl::DataLossError(absl::StrCat("exact_match: rank ", rank, " kept example ",
                                                sample.index, " of ", numbers[rank].size()));
      }
      sample.index = numbers[rank][sample.index];
      (sample.exact ? merged.solved_samples : merged.failed_samples).push_back(std::move(sample));
    }
  }
  // Every rank kept its first ones, so the first ones overall are among them.
  const auto first = [](std::vector<ExampleRecord>& samples, int keep) {
    std::sort(samples.begin(), samples.end(),
              [](const ExampleRecord& a, const ExampleRecord& b) { return a.index < b.index; });
    if (static_cast<int>(samples.size()) > keep) samples.resize(keep);
  };
  first(merged.solved_samples, keep_solved);
  first(merged.failed_samples, keep_failed);
  return merged;
}

}  // namespace trm::exact_match
