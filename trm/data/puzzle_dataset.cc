#include "trm/data/puzzle_dataset.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "trm/base/status_macros.h"

namespace trm {
namespace {

namespace fs = std::filesystem;

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A small counter-based generator: the stream is a pure function of its key, so any point of the
// sampling can be recomputed from the position alone.
class KeyedRng {
 public:
  KeyedRng(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
      : state_(Mix(Mix(Mix(Mix(seed) ^ a) ^ b) ^ c)) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n), unbiased (rejection of the top remainder).
  uint64_t Below(uint64_t n) {
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);
    uint64_t x;
    while ((x = Next()) >= limit) {
    }
    return x % n;
  }

 private:
  uint64_t state_;
};

enum Stream : uint64_t { kGroupOrder = 1, kVisit = 2 };

constexpr char kPositionTag[] = "puzzle_dataset_position";

}  // namespace

struct PuzzleDataset::Set {
  std::string name;
  NpyArray inputs, labels;
  std::vector<int64_t> puzzle_identifiers, puzzle_indices, group_indices;
  int64_t num_examples() const { return static_cast<int64_t>(puzzle_indices.back()); }
  int64_t num_puzzles() const { return static_cast<int64_t>(puzzle_identifiers.size()); }
  int64_t num_groups() const { return static_cast<int64_t>(group_indices.size()) - 1; }
};

namespace {

absl::Status CheckIndexArray(const NpyArray& array, const std::vector<int64_t>& values,
                             int64_t last, const char* what, bool strictly_increasing) {
  if (values.empty() || values.front() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(array.path(), ": ", what, " must start with 0"));
  }
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] < values[i - 1] || (strictly_increasing && values[i] == values[i - 1])) {
      return absl::InvalidArgumentError(absl::StrCat(array.path(), ": ", what, " decrease",
                                                     strictly_increasing ? " or repeat" : "",
                                                     " at entry ", i));
    }
  }
  if (values.back() != last) {
    return absl::InvalidArgumentError(
        absl::StrCat(array.path(), ": last entry is ", values.back(), ", expected ", last));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> Load1d(const NpyArray& array) {
  if (array.ndim() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(array.path(), ": expected a 1-D array, got ", array.ndim(), "-D"));
  }
  return array.ToInt64();
}

bool IsInteger(NpyDtype dtype) {
  return dtype != NpyDtype::kFloat32 && dtype != NpyDtype::kFloat64;
}

// Calls `f(T{})` with the C++ type T of an integer npy dtype (Open rejects the others: for them it
// returns a default value without calling `f`).
template <typename F>
auto VisitIntegerType(NpyDtype dtype, F&& f) {
  switch (dtype) {
    case NpyDtype::kBool:
    case NpyDtype::kUint8:
      return f(uint8_t{});
    case NpyDtype::kInt8:
      return f(int8_t{});
    case NpyDtype::kInt16:
      return f(int16_t{});
    case NpyDtype::kUint16:
      return f(uint16_t{});
    case NpyDtype::kInt32:
      return f(int32_t{});
    case NpyDtype::kUint32:
      return f(uint32_t{});
    case NpyDtype::kInt64:
      return f(int64_t{});
    case NpyDtype::kUint64:
      return f(uint64_t{});
    default:
      return decltype(f(uint8_t{}))();
  }
}

// Every value of a 2-D integer array is a token of the vocabulary [0, vocab_size), or `ignore`.
// One pass over the array for its range; a second only to name the first offender.
absl::Status CheckTokens(const NpyArray& array, int64_t vocab_size, std::optional<int64_t> ignore,
                         const std::string& what) {
  auto check = [&](auto tag) -> absl::Status {
    using T = decltype(tag);
    const T* data = static_cast<const T*>(array.data());
    const int64_t n = array.shape()[0] * array.shape()[1];
    if (n == 0) return absl::OkStatus();
    const auto [lo, hi] = std::minmax_element(data, data + n);
    if (static_cast<int64_t>(*lo) >= 0 && static_cast<int64_t>(*hi) < vocab_size) {
      return absl::OkStatus();
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t value = static_cast<int64_t>(data[i]);
      if ((value < 0 || value >= vocab_size) && value != ignore) {
        return absl::InvalidArgumentError(absl::StrCat(
            array.path(), ": row ", i / array.shape()[1], " position ", i % array.shape()[1],
            " holds ", what, " ", value, ", outside the vocabulary [0, ", vocab_size,
            ") of dataset.json (vocab_size)"));
      }
    }
    return absl::OkStatus();
  };
  return VisitIntegerType(array.dtype(), check);
}

// Copies `rows` of a 2-D integer array into int32, mapping `ignore` to kIgnoreLabel.
void GatherRows(const NpyArray& array, const std::vector<int64_t>& rows, int64_t seq_len,
                std::optional<int64_t> ignore, int32_t* out) {
  auto copy = [&](auto tag) {
    using T = decltype(tag);
    const T* data = static_cast<const T*>(array.data());
    for (size_t r = 0; r < rows.size(); ++r) {
      const T* row = data + rows[r] * seq_len;
      int32_t* dst = out + r * seq_len;
      if (ignore.has_value()) {
        const int64_t ignored = *ignore;
        for (int64_t j = 0; j < seq_len; ++j) {
          dst[j] = static_cast<int64_t>(row[j]) == ignored ? static_cast<int32_t>(kIgnoreLabel)
                                                           : static_cast<int32_t>(row[j]);
        }
      } else {
        for (int64_t j = 0; j < seq_len; ++j) dst[j] = static_cast<int32_t>(row[j]);
      }
    }
  };
  VisitIntegerType(array.dtype(), copy);
}

}  // namespace

PuzzleDataset::~PuzzleDataset() { StopPrefetch(); }

absl::StatusOr<std::unique_ptr<PuzzleDataset>> PuzzleDataset::Open(
    const PuzzleDatasetOptions& options) {
  auto invalid = [](const std::string& what) { return absl::InvalidArgumentError(what); };
  if (options.dataset_paths.empty()) return invalid("PuzzleDataset: no dataset path");
  if (options.split.empty()) return invalid("PuzzleDataset: empty split name");
  if (options.num_replicas < 1 || options.rank < 0 || options.rank >= options.num_replicas) {
    return invalid(absl::StrCat("PuzzleDataset: rank ", options.rank, " is not in [0, ",
                                options.num_replicas, ")"));
  }
  if (options.prefetch < 0)
    return invalid(absl::StrCat("PuzzleDataset: prefetch is ", options.prefetch));
  if (options.global_batch_size < 1 || options.global_batch_size % options.num_replicas != 0) {
    return invalid(absl::StrCat("PuzzleDataset: global batch size ", options.global_batch_size,
                                " must be a positive multiple of the number of replicas (",
                                options.num_replicas, ")"));
  }
  if (!options.test_set_mode && options.epochs_per_iter < 1) {
    return invalid(absl::StrCat("PuzzleDataset: epochs_per_iter is ", options.epochs_per_iter,
                                ", must be >= 1"));
  }

  std::unique_ptr<PuzzleDataset> dataset(new PuzzleDataset());
  dataset->options_ = options;
  dataset->local_batch_size_ = options.global_batch_size / options.num_replicas;
  std::vector<DatasetMetadata> parts;
  std::vector<std::string> sources;
  for (const std::string& root : options.dataset_paths) {
    const std::string split_dir = (fs::path(root) / options.split).string();
    TRM_ASSIGN_OR_RETURN(DatasetMetadata metadata, ReadDatasetMetadata(split_dir));
    parts.push_back(metadata);
    sources.push_back((fs::path(split_dir) / "dataset.json").string());
  }
  TRM_ASSIGN_OR_RETURN(dataset->metadata_, MergeDatasetMetadata(parts, sources));

  // Sets: every set of the first root, then the same sets of the next roots as "<set><i>".
  for (const std::string& set_name : dataset->metadata_.sets) {
    for (size_t i = 0; i < options.dataset_paths.size(); ++i) {
      const fs::path dir = fs::path(options.dataset_paths[i]) / options.split;
      auto set = std::make_unique<Set>();
      set->name = i == 0 ? set_name : absl::StrCat(set_name, i);
      auto file = [&](const char* field) {
        return (dir / absl::StrCat(set_name, "__", field, ".npy")).string();
      };
      // Training reads scattered rows; evaluation walks the rows in order.
      const NpyArray::Access access =
          options.test_set_mode ? NpyArray::Access::kSequential : NpyArray::Access::kRandom;
      TRM_ASSIGN_OR_RETURN(set->inputs, NpyArray::Map(file("inputs"), access));
      TRM_ASSIGN_OR_RETURN(set->labels, NpyArray::Map(file("labels"), access));
      TRM_ASSIGN_OR_RETURN(NpyArray identifiers, NpyArray::Map(file("puzzle_identifiers")));
      TRM_ASSIGN_OR_RETURN(NpyArray puzzle_indices, NpyArray::Map(file("puzzle_indices")));
      TRM_ASSIGN_OR_RETURN(NpyArray group_indices, NpyArray::Map(file("group_indices")));
      TRM_ASSIGN_OR_RETURN(set->puzzle_identifiers, Load1d(identifiers));
      TRM_ASSIGN_OR_RETURN(set->puzzle_indices, Load1d(puzzle_indices));
      TRM_ASSIGN_OR_RETURN(set->group_indices, Load1d(group_indices));

      const int64_t seq_len = dataset->metadata_.seq_len;
      for (const NpyArray* rows : {&set->inputs, &set->labels}) {
        if (rows->ndim() != 2 || rows->shape()[1] != seq_len || !IsInteger(rows->dtype())) {
          return invalid(
              absl::StrCat(rows->path(), ": expected integer rows [N, ", seq_len, "] (seq_len)"));
        }
      }
      const DatasetMetadata& metadata = dataset->metadata_;
      TRM_RETURN_IF_ERROR(
          CheckTokens(set->inputs, metadata.vocab_size, std::nullopt, "input token"));
      TRM_RETURN_IF_ERROR(
          CheckTokens(set->labels, metadata.vocab_size, metadata.ignore_label_id, "label"));
      if (set->labels.shape()[0] != set->inputs.shape()[0]) {
        return invalid(absl::StrCat(set->labels.path(), ": ", set->labels.shape()[0], " rows but ",
                                    set->inputs.path(), " has ", set->inputs.shape()[0]));
      }
      const int64_t puzzles = static_cast<int64_t>(set->puzzle_identifiers.size());
      TRM_RETURN_IF_ERROR(CheckIndexArray(puzzle_indices, set->puzzle_indices,
                                          set->inputs.shape()[0], "puzzle indices", false));
      if (static_cast<int64_t>(set->puzzle_indices.size()) != puzzles + 1) {
        return invalid(absl::StrCat(puzzle_indices.path(), ": ", set->puzzle_indices.size(),
                                    " entries for ", puzzles, " puzzles (expected puzzles + 1)"));
      }
      TRM_RETURN_IF_ERROR(CheckIndexArray(group_indices, set->group_indices, puzzles,
                                          "group indices",
                                          /*strictly_increasing=*/true));
      for (int64_t p = 0; p < puzzles; ++p) {
        const int64_t id = set->puzzle_identifiers[p];
        if (id < 0 || id >= parts[i].num_puzzle_identifiers) {
          return invalid(absl::StrCat(identifiers.path(), ": puzzle ", p, " has identifier ", id,
                                      ", outside [0, ", parts[i].num_puzzle_identifiers, ")"));
        }
      }
      dataset->sets_.push_back(std::move(set));
    }
  }
  // The fingerprint ties saved positions to this data and these sampling options.
  uint64_t fingerprint = Mix(options.seed) ^ Mix(options.global_batch_size + 1) ^
                         Mix(options.test_set_mode ? 3 : 5) ^
                         Mix(static_cast<uint64_t>(options.epochs_per_iter) << 8);
  for (const auto& set : dataset->sets_) {
    for (char c : set->name) fingerprint = Mix(fingerprint ^ static_cast<uint8_t>(c));
    fingerprint = Mix(fingerprint ^ set->num_examples());
    fingerprint = Mix(fingerprint ^ (static_cast<uint64_t>(set->num_puzzles()) << 20));
    fingerprint = Mix(fingerprint ^ (static_cast<uint64_t>(set->num_groups()) << 40));
  }
  dataset->position_.fingerprint = fingerprint;
  dataset->consumed_ = dataset->position_;
  return dataset;
}

std::vector<std::string> PuzzleDataset::set_names() const {
  std::vector<std::string> names;
  for (const auto& set : sets_) names.push_back(set->name);
  return names;
}

int64_t PuzzleDataset::num_examples(size_t set) const { return sets_.at(set)->num_examples(); }

std::optional<PuzzleDataset::Item> PuzzleDataset::Next() {
  if (options_.prefetch == 0) {
    std::optional<Item> item = Produce();
    consumed_ = position_;
    return item;
  }
  if (!worker_.joinable()) StartPrefetch();
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return !queue_.empty(); });
  Produced produced = std::move(queue_.front());
  queue_.pop_front();
  consumed_ = produced.after;
  changed_.notify_all();
  return std::move(produced.item);
}

void PuzzleDataset::StartPrefetch() {
  stop_ = false;
  worker_ = std::thread([this] {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(
            lock, [this] { return stop_ || static_cast<int>(queue_.size()) < options_.prefetch; });
        if (stop_) return;
      }
      // position_ belongs to this thread while it runs.
      std::optional<Item> item = Produce();
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(Produced{std::move(item), position_});
      changed_.notify_all();
    }
  });
}

void PuzzleDataset::StopPrefetch() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
  queue_.clear();
}

std::optional<PuzzleDataset::Item> PuzzleDataset::Produce() {
  Position& p = position_;
  if (!p.in_pass) {
    p.in_pass = true;
    p.set_index = 0;
    p.cursor = 0;
    if (!options_.test_set_mode) ++p.iterations;
  }
  while (p.set_index < static_cast<int64_t>(sets_.size())) {
    const Set& set = *sets_[p.set_index];
    std::optional<Item> item = options_.test_set_mode ? NextTest(set) : NextTrain(set);
    if (item.has_value()) return item;
    ++p.set_index;
    p.cursor = 0;
    if (!options_.test_set_mode && p.set_index < static_cast<int64_t>(sets_.size())) ++p.iterations;
  }
  p.in_pass = false;
  return std::nullopt;
}

std::optional<PuzzleDataset::Item> PuzzleDataset::NextTrain(const Set& set) {
  const int64_t groups = set.num_groups();
  const int64_t visits = groups * options_.epochs_per_iter;
  const int64_t batch = options_.global_batch_size;
  std::vector<int64_t> rows, puzzles;
  std::vector<int64_t> pick;
  int64_t pos = position_.cursor;
  while (pos < visits && static_cast<int64_t>(rows.size()) < batch) {
    // The group order of this pass: one permutation per epoch.
    const int64_t epoch = pos / groups;
    const std::array<int64_t, 3> key = {position_.iterations, position_.set_index, epoch};
    if (cached_epoch_key_ != key) {
      cached_order_.resize(groups);
      std::iota(cached_order_.begin(), cached_order_.end(), 0);
      KeyedRng rng(options_.seed, kGroupOrder, static_cast<uint64_t>(position_.iterations),
                   static_cast<uint64_t>(epoch));
      for (int64_t i = groups - 1; i > 0; --i)
        std::swap(cached_order_[i], cached_order_[rng.Below(i + 1)]);
      cached_epoch_key_ = key;
    }
    const int64_t group = cached_order_[pos % groups];
    // One member of the group, then a random subset of its examples (all of them if they fit).
    KeyedRng rng(options_.seed, kVisit, static_cast<uint64_t>(position_.iterations),
                 static_cast<uint64_t>(pos));
    const int64_t first = set.group_indices[group];
    const int64_t puzzle =
        first + static_cast<int64_t>(rng.Below(set.group_indices[group + 1] - first));
    const int64_t start = set.puzzle_indices[puzzle];
    const int64_t size = set.puzzle_indices[puzzle + 1] - start;
    const int64_t take = std::min(size, batch - static_cast<int64_t>(rows.size()));
    pick.resize(size);
    std::iota(pick.begin(), pick.end(), start);
    for (int64_t i = 0; i < take; ++i) std::swap(pick[i], pick[i + rng.Below(size - i)]);
    rows.insert(rows.end(), pick.begin(), pick.begin() + take);
    puzzles.insert(puzzles.end(), take, puzzle);
    ++pos;
  }
  position_.cursor = pos;
  if (static_cast<int64_t>(rows.size()) < batch) return std::nullopt;  // drop the partial batch
  const int64_t lo = options_.rank * local_batch_size_, hi = lo + local_batch_size_;
  return Collate(set, std::vector<int64_t>(rows.begin() + lo, rows.begin() + hi),
                 std::vector<int64_t>(puzzles.begin() + lo, puzzles.begin() + hi), batch);
}

std::optional<PuzzleDataset::Item> PuzzleDataset::NextTest(const Set& set) {
  const int64_t total = set.num_examples();
  const int64_t start = position_.cursor;
  if (start >= total) return std::nullopt;
  const int64_t end = std::min(total, start + options_.global_batch_size);
  const int64_t lo = start + options_.rank * local_batch_size_;
  const int64_t hi = std::min(start + (options_.rank + 1) * local_batch_size_, end);
  std::vector<int64_t> rows, puzzles;
  for (int64_t row = lo; row < hi; ++row) {
    rows.push_back(row);
    // The puzzle p with puzzle_indices[p] <= row < puzzle_indices[p + 1].
    puzzles.push_back(std::upper_bound(set.puzzle_indices.begin(), set.puzzle_indices.end(), row) -
                      set.puzzle_indices.begin() - 1);
  }
  position_.cursor = start + options_.global_batch_size;
  return Collate(set, rows, puzzles, end - start);
}

PuzzleDataset::Item PuzzleDataset::Collate(const Set& set, const std::vector<int64_t>& rows,
                                           const std::vector<int64_t>& puzzles,
                                           int64_t global_count) const {
  const int64_t seq_len = metadata_.seq_len;
  const int64_t n = static_cast<int64_t>(rows.size());
  const at::TensorOptions options = at::TensorOptions(at::kInt).pinned_memory(options_.pin_memory);
  at::Tensor inputs = at::empty({local_batch_size_, seq_len}, options);
  at::Tensor labels = at::empty({local_batch_size_, seq_len}, options);
  at::Tensor identifiers = at::empty({local_batch_size_}, options);
  GatherRows(set.inputs, rows, seq_len, std::nullopt, inputs.data_ptr<int32_t>());
  GatherRows(set.labels, rows, seq_len, metadata_.ignore_label_id, labels.data_ptr<int32_t>());
  int32_t* ids = identifiers.data_ptr<int32_t>();
  for (int64_t r = 0; r < n; ++r) ids[r] = static_cast<int32_t>(set.puzzle_identifiers[puzzles[r]]);
  if (n < local_batch_size_) {  // padding rows
    inputs.narrow(0, n, local_batch_size_ - n).fill_(metadata_.pad_id);
    labels.narrow(0, n, local_batch_size_ - n).fill_(kIgnoreLabel);
    identifiers.narrow(0, n, local_batch_size_ - n).fill_(metadata_.blank_identifier_id);
  }
  return Item{set.name, Batch{inputs, labels, identifiers}, global_count};
}

absl::Status PuzzleDataset::RestorePosition(const Position& position) {
  if (position.fingerprint != consumed_.fingerprint) {
    return absl::FailedPreconditionError(
        "the saved data position belongs to other data or sampling options (dataset, split, seed, "
        "global batch size, epochs_per_iter or test mode differ)");
  }
  if (position.set_index < 0 || position.set_index > static_cast<int64_t>(sets_.size()) ||
      position.cursor < 0 || position.iterations < 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid data position: ", position.ToString()));
  }
  StopPrefetch();  // batches made ahead from the old position are dropped
  position_ = position;
  consumed_ = position;
  return absl::OkStatus();
}

std::string PuzzleDataset::Position::ToString() const {
  return absl::StrCat(kPositionTag, " v1 fingerprint=", fingerprint, " iterations=", iterations,
                      " in_pass=", in_pass ? 1 : 0, " set=", set_index, " cursor=", cursor);
}

absl::StatusOr<PuzzleDataset::Position> PuzzleDataset::Position::FromString(
    const std::string& text) {
  const std::vector<std::string> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
  auto error = [&] {
    return absl::InvalidArgumentError(absl::StrCat("malformed data position '", text, "'"));
  };
  if (fields.size() != 7 || fields[0] != kPositionTag || fields[1] != "v1") return error();
  Position p;
  int64_t in_pass = 0;
  const char* const names[] = {"fingerprint", "iterations", "in_pass", "set", "cursor"};
  for (size_t i = 0; i < 5; ++i) {
    const std::string& field = fields[i + 2];
    const size_t eq = field.find('=');
    if (eq == std::string::npos || field.substr(0, eq) != names[i]) return error();
    const std::string value = field.substr(eq + 1);
    bool ok = false;
    switch (i) {
      case 0:
        ok = absl::SimpleAtoi(value, &p.fingerprint);
        break;
      case 1:
        ok = absl::SimpleAtoi(value, &p.iterations);
        break;
      case 2:
        ok = absl::SimpleAtoi(value, &in_pass) && (in_pass == 0 || in_pass == 1);
        break;
      case 3:
        ok = absl::SimpleAtoi(value, &p.set_index);
        break;
      case 4:
        ok = absl::SimpleAtoi(value, &p.cursor);
        break;
    }
    if (!ok) return error();
  }
  p.in_pass = in_pass == 1;
  return p;
}

bool PuzzleDataset::Position::operator==(const Position& o) const {
  return iterations == o.iterations && in_pass == o.in_pass && set_index == o.set_index &&
         cursor == o.cursor && fingerprint == o.fingerprint;
}

}  // namespace trm
