#include "plugins/evaluators/arc_votes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace trm::plugins {
namespace {

constexpr char kMagic[] = "TRM-ARC-VOTES-1";

class ByteWriter {
 public:
  void U64(uint64_t v) { Raw(&v, sizeof(v)); }
  void F64(double v) { Raw(&v, sizeof(v)); }
  void Str(const std::string& s) {
    U64(s.size());
    out_ += s;
  }
  void Raw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  bool U64(uint64_t* v) { return Raw(v, sizeof(*v)); }
  bool F64(double* v) { return Raw(v, sizeof(*v)); }
  bool Str(std::string* s) {
    uint64_t size;
    if (!U64(&size) || size > bytes_.size() - pos_) return false;
    s->assign(bytes_, pos_, size);
    pos_ += size;
    return true;
  }
  bool Raw(void* out, size_t size) {
    if (size > bytes_.size() - pos_) return false;
    std::memcpy(out, bytes_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  // A count that cannot exceed the bytes left (each item takes at least `min_item_bytes`).
  bool Count(uint64_t* n, size_t min_item_bytes) {
    return U64(n) && *n <= (bytes_.size() - pos_) / min_item_bytes;
  }

 private:
  const std::string& bytes_;
  size_t pos_ = 0;
};

}  // namespace

void ArcVoteTable::Add(const std::string& task_id, const std::string& input_hash,
                       const Grid& prediction, double confidence) {
  std::string hash = GridHash(prediction);
  grids_.try_emplace(hash, prediction);
  votes_[task_id][input_hash].push_back({std::move(hash), confidence});
  ++num_votes_;
}

void ArcVoteTable::Clear() {
  votes_.clear();
  grids_.clear();
  num_votes_ = 0;
}

const std::vector<ArcVote>* ArcVoteTable::Find(const std::string& task_id,
                                               const std::string& input_hash) const {
  auto task = votes_.find(task_id);
  if (task == votes_.end()) return nullptr;
  auto input = task->second.find(input_hash);
  return input == task->second.end() ? nullptr : &input->second;
}

const Grid* ArcVoteTable::FindGrid(const std::string& hash) const {
  auto it = grids_.find(hash);
  return it == grids_.end() ? nullptr : &it->second;
}

std::string ArcVoteTable::Serialize() const {
  ByteWriter w;
  w.Str(kMagic);
  w.U64(votes_.size());
  for (const auto& [task_id, inputs] : votes_) {
    w.Str(task_id);
    w.U64(inputs.size());
    for (const auto& [input_hash, votes] : inputs) {
      w.Str(input_hash);
      w.U64(votes.size());
      for (const ArcVote& vote : votes) {
        w.Str(vote.prediction_hash);
        w.F64(vote.confidence);
      }
    }
  }
  w.U64(grids_.size());
  for (const auto& [hash, grid] : grids_) {
    w.Str(hash);
    w.U64(static_cast<uint64_t>(grid.rows));
    w.U64(static_cast<uint64_t>(grid.cols));
    w.Raw(grid.cells.data(), grid.cells.size());
  }
  return w.Take();
}

absl::StatusOr<ArcVoteTable> ArcVoteTable::Deserialize(const std::string& bytes) {
  const auto damaged = [](const std::string& what) {
    return absl::DataLossError(
        absl::StrCat("ARC vote table from another rank is damaged (", what, ")"));
  };
  ByteReader r(bytes);
  std::string magic;
  if (!r.Str(&magic) || magic != kMagic) return damaged("bad header");
  ArcVoteTable table;
  uint64_t num_tasks;
  if (!r.Count(&num_tasks, 16)) return damaged("task count");
  for (uint64_t t = 0; t < num_tasks; ++t) {
    std::string task_id;
    uint64_t num_inputs;
    if (!r.Str(&task_id) || !r.Count(&num_inputs, 16)) return damaged("task entry");
    for (uint64_t i = 0; i < num_inputs; ++i) {
      std::string input_hash;
      uint64_t num_votes;
      if (!r.Str(&input_hash) || !r.Count(&num_votes, 16)) return damaged("input entry");
      std::vector<ArcVote>& votes = table.votes_[task_id][input_hash];
      votes.resize(num_votes);
      for (ArcVote& vote : votes) {
        if (!r.Str(&vote.prediction_hash) || !r.F64(&vote.confidence)) return damaged("vote");
      }
      table.num_votes_ += static_cast<int64_t>(num_votes);
    }
  }
  uint64_t num_grids;
  if (!r.Count(&num_grids, 24)) return damaged("grid count");
  for (uint64_t g = 0; g < num_grids; ++g) {
    std::string hash;
    uint64_t rows, cols;
    if (!r.Str(&hash) || !r.U64(&rows) || !r.U64(&cols) || rows > kMaxGridSide ||
        cols > kMaxGridSide) {
      return damaged("grid entry");
    }
    Grid grid(static_cast<int>(rows), static_cast<int>(cols));
    if (!r.Raw(grid.cells.data(), grid.cells.size())) return damaged("grid cells");
    for (uint8_t cell : grid.cells) {
      if (cell >= kNumColors) return damaged("grid colour");
    }
    table.grids_.emplace(std::move(hash), std::move(grid));
  }
  if (!r.AtEnd()) return damaged("trailing bytes");
  return table;
}

std::vector<RankedCandidate> RankCandidates(const std::vector<const ArcVoteTable*>& tables,
                                            const std::string& task_id,
                                            const std::string& input_hash) {
  std::vector<RankedCandidate> candidates;  // first-seen order
  std::vector<double> confidence_sums;
  std::unordered_map<std::string, size_t> index;
  for (const ArcVoteTable* table : tables) {
    const std::vector<ArcVote>* votes = table->Find(task_id, input_hash);
    if (votes == nullptr) continue;
    for (const ArcVote& vote : *votes) {
      auto [it, inserted] = index.try_emplace(vote.prediction_hash, candidates.size());
      if (inserted) {
        candidates.push_back({vote.prediction_hash, 0, 0.0});
        confidence_sums.push_back(0.0);
      }
      ++candidates[it->second].votes;
      confidence_sums[it->second] += vote.confidence;  // same summation order as the reference
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    candidates[i].mean_confidence = confidence_sums[i] / static_cast<double>(candidates[i].votes);
  }
  // A NaN confidence (a diverged model) ranks below every number with the same vote count, so
  // the order stays a strict weak ordering.
  const auto key = [](double q) { return std::isnan(q) ? -HUGE_VAL : q; };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const RankedCandidate& a, const RankedCandidate& b) {
                     if (a.votes != b.votes) return a.votes > b.votes;
                     return key(a.mean_confidence) > key(b.mean_confidence);
                   });
  return candidates;
}

const Grid* FindGridInTables(const std::vector<const ArcVoteTable*>& tables,
                             const std::string& hash) {
  for (const ArcVoteTable* table : tables) {
    if (const Grid* grid = table->FindGrid(hash)) return grid;
  }
  return nullptr;
}

}  // namespace trm::plugins
