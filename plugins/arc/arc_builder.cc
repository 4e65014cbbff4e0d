#include "plugins/arc/arc_builder.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugins/arc/arc.pb.h"
#include "plugins/arc/arc_data_dir.h"
#include "plugins/arc/arc_tasks.h"
#include "plugins/arc/group_augmenter.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"
#include "plugins/arc/common/arc_encoding.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/npy.h"
#include "trm/data/numpy_random.h"
#include "trm/data/python_json.h"
#include "trm/data/staging_directory.h"
#include "trm/plugin/plugin_api.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;

// Rows whose placements are drawn (sequentially) before workers encode them.
constexpr int64_t kWindowRows = int64_t{1} << 16;
// Rows one worker encodes and writes at a time.
constexpr int64_t kChunkRows = 512;

// One task and its augmented variants.
struct Group {
  const ArcTask* task = nullptr;
  bool in_test_subset = false;
  std::vector<uint64_t> members;  // packed augmentations; [0] is the original
  int64_t first_identifier = 0;
};

// What one group contributes to one split: every member, each with these examples.
struct SplitGroup {
  const Group* group = nullptr;
  std::vector<const ArcPair*> examples;
};

// A run of consecutive rows encoded by one worker.
struct Chunk {
  const SplitGroup* group;
  int64_t first_member;
  int64_t num_members;
  int64_t first_row;        // in the split
  int64_t first_placement;  // in the window's placements
};

bool IsCancelled(const DatasetBuildOptions& options) {
  return options.cancelled != nullptr && options.cancelled->load();
}

// Runs fn(worker, i) for i in [0, n) on `threads` threads; stops at and returns the first error.
absl::Status ParallelFor(int threads, int64_t n,
                         const std::function<absl::Status(int, int64_t)>& fn) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;
  auto work = [&](int worker) {
    for (int64_t i; !failed && (i = next++) < n;) {
      absl::Status status = fn(worker, i);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = status;
        failed = true;
      }
    }
  };
  const int helpers = static_cast<int>(std::min<int64_t>(threads, n)) - 1;
  std::vector<std::thread> pool;
  for (int w = 1; w <= helpers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& thread : pool) thread.join();
  return first_error;
}

// Errors name the field as --set would reach it.
constexpr char kOptionsField[] = "data.[trm.arc.arc].";

absl::Status CheckConfig(const config::DataConfig& data, const ArcDataOptions& c) {
  auto invalid = [](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(kOptionsField, what));
  };
  if (c.subsets().empty()) return invalid("subsets is empty");
  std::vector<std::string> subsets(c.subsets().begin(), c.subsets().end());
  std::sort(subsets.begin(), subsets.end());
  if (std::adjacent_find(subsets.begin(), subsets.end()) != subsets.end()) {
    return invalid("subsets lists a subset twice");
  }
  if (data.num_aug() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.num_aug is ", data.num_aug(), ", must be >= 0"));
  }
  if (c.retries_per_aug() < 1) {
    return invalid(absl::StrCat("retries_per_aug is ", c.retries_per_aug(), ", must be >= 1"));
  }
  if (c.canvas_size() < 1 || c.canvas_size() > kMaxGridSide) {
    return invalid(
        absl::StrCat("canvas_size is ", c.canvas_size(), ", must be in [1, ", kMaxGridSide, "]"));
  }
  if (c.puzzle_identifiers_start() < 1) {
    return invalid(absl::StrCat("puzzle_identifiers_start is ", c.puzzle_identifiers_start(),
                                ", must be >= 1 (0 is the blank identifier)"));
  }
  const bool has_test = std::count(subsets.begin(), subsets.end(), c.test_set_name()) > 0 ||
                        std::count(subsets.begin(), subsets.end(), c.test_set_name2()) > 0;
  if (!has_test) {
    return invalid(absl::StrCat("test_set_name '", c.test_set_name(), "' is not one of subsets (",
                                absl::StrJoin(c.subsets(), ", "),
                                "); the test split would be empty"));
  }
  return absl::OkStatus();
}

std::string MemberName(const Group& group, int64_t member) {
  if (member == 0) return group.task->id;
  return AugmentedName(group.task->id, UnpackAugmentation(group.members[member]));
}

ExampleExtent ExtentOf(const ArcPair& pair, bool swap) {
  const int rows = std::max(pair.input.rows, pair.output->rows);
  const int cols = std::max(pair.input.cols, pair.output->cols);
  return swap ? ExampleExtent{cols, rows} : ExampleExtent{rows, cols};
}

class SplitWriter {
 public:
  SplitWriter(int canvas, const AugmentationPipeline& augmentations,
              const DatasetBuildOptions& options, NumpyRandomState& rng)
      : augmentations_(augmentations),
        options_(options),
        rng_(rng),
        canvas_(canvas),
        seq_len_(int64_t{canvas} * canvas) {}

  absl::StatusOr<SplitSummary> Write(const std::string& split,
                                     const std::vector<SplitGroup>& groups, const std::string& dir,
                                     int64_t num_identifiers) {
    SplitSummary summary{split, 0, 0, static_cast<int64_t>(groups.size())};
    for (const SplitGroup& g : groups) {
      summary.puzzles += static_cast<int64_t>(g.group->members.size());
      summary.rows += static_cast<int64_t>(g.group->members.size() * g.examples.size());
    }
    if (summary.rows == 0) {
      return absl::InvalidArgumentError(absl::StrCat("the ", split, " split would be empty"));
    }
    if (summary.rows >= (int64_t{1} << 31)) {
      return absl::OutOfRangeError(absl::StrCat("the ", split, " split has ", summary.rows,
                                                " rows; int32 puzzle indices cannot address them"));
    }
    std::error_code ec;
    if (!fs::create_directory(dir, ec))
      return absl::InternalError(absl::StrCat(dir, ": cannot create"));
    auto file = [&](const char* field) {
      return (fs::path(dir) / absl::StrCat("all__", field, ".npy")).string();
    };
    TRM_ASSIGN_OR_RETURN(
        inputs_, NpyWriter::Create(file("inputs"), NpyDtype::kUint8, {summary.rows, seq_len_}));
    TRM_ASSIGN_OR_RETURN(
        labels_, NpyWriter::Create(file("labels"), NpyDtype::kUint8, {summary.rows, seq_len_}));
    TRM_ASSIGN_OR_RETURN(auto identifiers, NpyWriter::Create(file("puzzle_identifiers"),
                                                             NpyDtype::kInt32, {summary.puzzles}));
    TRM_ASSIGN_OR_RETURN(
        auto puzzle_indices,
        NpyWriter::Create(file("puzzle_indices"), NpyDtype::kInt32, {summary.puzzles + 1}));
    TRM_ASSIGN_OR_RETURN(
        auto group_indices,
        NpyWriter::Create(file("group_indices"), NpyDtype::kInt32, {summary.groups + 1}));

    TRM_RETURN_IF_ERROR(puzzle_indices->AppendValue<int32_t>(0));
    TRM_RETURN_IF_ERROR(group_indices->AppendValue<int32_t>(0));
    int64_t row = 0, puzzle = 0;
    std::vector<Placement> placements;
    std::vector<ExampleExtent> extents;
    for (size_t begin = 0; begin < groups.size();) {
      if (IsCancelled(options_)) return absl::CancelledError("dataset build interrupted");
      // The window: whole groups, about kWindowRows rows.
      size_t end = begin;
      int64_t window_rows = 0;
      while (end < groups.size() && (end == begin || window_rows < kWindowRows)) {
        window_rows +=
            static_cast<int64_t>(groups[end].group->members.size() * groups[end].examples.size());
        ++end;
      }
      // Sequential part: the placement draws in the reference's order, and the index arrays.
      placements.assign(window_rows, Placement{});
      std::vector<Chunk> chunks;
      int64_t placed = 0;
      for (size_t g = begin; g < end; ++g) {
        const SplitGroup& sg = groups[g];
        const int64_t n = static_cast<int64_t>(sg.examples.size());
        const int64_t members = static_cast<int64_t>(sg.group->members.size());
        const int64_t members_per_chunk = std::max<int64_t>(1, kChunkRows / n);
        for (int64_t m = 0; m < members; ++m) {
          if (m % members_per_chunk == 0) {
            chunks.push_back(
                {&sg, m, std::min(members_per_chunk, members - m), row + m * n, placed + m * n});
          }
          if (augmentations_.placement() != nullptr) {
            const bool swap = DihedralSwapsAxes(UnpackAugmentation(sg.group->members[m]).transform);
            extents.clear();
            for (const ArcPair* pair : sg.examples) extents.push_back(ExtentOf(*pair, swap));
            const absl::Span<Placement> out(placements.data() + placed + m * n, n);
            augmentations_.placement()->Place(split, extents, canvas_, rng_, out);
            for (int64_t k = 0; k < n; ++k) {
              if (out[k].row < 0 || out[k].col < 0 || out[k].row + extents[k].rows > canvas_ ||
                  out[k].col + extents[k].cols > canvas_) {
                return absl::InternalError(absl::StrCat(
                    "the placement augmentation put example ", k, " of ", MemberName(*sg.group, m),
                    " (", extents[k].rows, "x", extents[k].cols, ") at (", out[k].row, ", ",
                    out[k].col, "), outside the ", canvas_, "x", canvas_, " canvas"));
              }
            }
          }
          TRM_RETURN_IF_ERROR(identifiers->AppendValue<int32_t>(
              static_cast<int32_t>(sg.group->first_identifier + m)));
          TRM_RETURN_IF_ERROR(
              puzzle_indices->AppendValue<int32_t>(static_cast<int32_t>(row + (m + 1) * n)));
        }
        row += members * n;
        placed += members * n;
        puzzle += members;
        TRM_RETURN_IF_ERROR(group_indices->AppendValue<int32_t>(static_cast<int32_t>(puzzle)));
      }
      // Parallel part: encode the window's rows and write them in place.
      TRM_RETURN_IF_ERROR(EncodeChunks(chunks, placements));
      if (options_.progress) options_.progress(split, row, summary.rows);
      begin = end;
    }
    for (NpyWriter* writer : {inputs_.get(), labels_.get(), identifiers.get(), puzzle_indices.get(),
                              group_indices.get()}) {
      TRM_RETURN_IF_ERROR(writer->Close());
    }
    DatasetMetadata metadata;
    metadata.seq_len = seq_len_;
    metadata.vocab_size = kArcVocabSize;
    metadata.pad_id = kPadToken;
    metadata.ignore_label_id = kPadToken;
    metadata.blank_identifier_id = 0;
    metadata.num_puzzle_identifiers = num_identifiers;
    metadata.total_groups = summary.groups;
    metadata.mean_puzzle_examples =
        static_cast<double>(summary.rows) / static_cast<double>(summary.puzzles);
    metadata.total_puzzles = summary.puzzles;
    metadata.sets = {"all"};
    TRM_RETURN_IF_ERROR(WriteDatasetMetadata(dir, metadata));
    return summary;
  }

 private:
  absl::Status EncodeChunks(const std::vector<Chunk>& chunks,
                            const std::vector<Placement>& placements) {
    const int threads = std::max(1, options_.num_threads);
    buffers_.resize(threads);
    return ParallelFor(threads, static_cast<int64_t>(chunks.size()), [&](int worker, int64_t c) {
      if (IsCancelled(options_)) return absl::CancelledError("dataset build interrupted");
      const Chunk& chunk = chunks[c];
      const int64_t n = static_cast<int64_t>(chunk.group->examples.size());
      const int64_t rows = chunk.num_members * n;
      auto& [inputs, labels] = buffers_[worker];
      inputs.resize(rows * seq_len_);
      labels.resize(rows * seq_len_);
      for (int64_t m = 0; m < chunk.num_members; ++m) {
        const DihedralColorAugmentation augmentation =
            UnpackAugmentation(chunk.group->group->members[chunk.first_member + m]);
        for (int64_t k = 0; k < n; ++k) {
          const int64_t r = m * n + k;
          const Placement at = placements[chunk.first_placement + r];
          const ArcPair& pair = *chunk.group->examples[k];
          EncodeAugmentedGrid(pair.input, augmentation, at, canvas_, inputs.data() + r * seq_len_);
          EncodeAugmentedGrid(*pair.output, augmentation, at, canvas_,
                              labels.data() + r * seq_len_);
        }
      }
      const uint64_t offset = static_cast<uint64_t>(chunk.first_row * seq_len_);
      TRM_RETURN_IF_ERROR(inputs_->WriteAt(offset, inputs.data(), inputs.size()));
      return labels_->WriteAt(offset, labels.data(), labels.size());
    });
  }

  const AugmentationPipeline& augmentations_;
  const DatasetBuildOptions& options_;
  NumpyRandomState& rng_;
  const int canvas_;
  const int64_t seq_len_;
  std::unique_ptr<NpyWriter> inputs_, labels_;
  std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> buffers_;  // per worker
};

// identifiers.json: entry i names identifier i; the ids below the first puzzle are "<blank>".
absl::Status WriteIdentifiers(const std::string& path, int64_t start,
                              const std::vector<Group>& groups) {
  TRM_ASSIGN_OR_RETURN(auto writer, AtomicFileWriter::Create(path));
  std::string out = "[";
  bool first = true;
  auto add = [&](const std::string& name) -> absl::Status {
    if (!first) out.append(", ");
    first = false;
    AppendPythonJsonString(name, &out);
    if (out.size() < (1 << 20)) return absl::OkStatus();
    absl::Status status = writer->Write(out);
    out.clear();
    return status;
  };
  for (int64_t i = 0; i < start; ++i) TRM_RETURN_IF_ERROR(add("<blank>"));
  for (const Group& group : groups) {
    for (int64_t m = 0; m < static_cast<int64_t>(group.members.size()); ++m) {
      TRM_RETURN_IF_ERROR(add(MemberName(group, m)));
    }
  }
  out.push_back(']');
  TRM_RETURN_IF_ERROR(writer->Write(out));
  return writer->Commit();
}

absl::Status WriteTestPuzzles(const std::string& path, const std::vector<Group>& groups) {
  std::string out = "{";
  bool first = true;
  for (const Group& group : groups) {
    if (!group.in_test_subset) continue;
    if (!first) out.append(", ");
    first = false;
    AppendPythonJsonString(group.task->id, &out);
    out.append(": ");
    AppendTaskJson(*group.task, &out);
  }
  out.push_back('}');
  return WriteFileAtomically(path, out);
}

std::string ShortGroupNotice(const std::vector<Group>& groups, int num_aug) {
  std::map<int64_t, int64_t, std::greater<>> histogram;  // members -> groups
  int64_t short_groups = 0;
  for (const Group& group : groups) {
    const int64_t members = static_cast<int64_t>(group.members.size());
    if (members < int64_t{num_aug} + 1) {
      ++histogram[members];
      ++short_groups;
    }
  }
  if (short_groups == 0) return "";
  std::vector<std::string> parts;
  for (const auto& [members, count] : histogram)
    parts.push_back(absl::StrCat(count, " x ", members));
  return absl::StrCat(short_groups, " of ", groups.size(), " groups have fewer than ", num_aug + 1,
                      " distinct members (groups x members: ", absl::StrJoin(parts, ", "), ")");
}

}  // namespace

ArcDatasetBuilder::ArcDatasetBuilder(const config::DataConfig& config) : config_(config) {}

ArcDatasetBuilder::ArcDatasetBuilder(const config::DataConfig& config,
                                     AugmentationPipeline augmentations)
    : config_(config), augmentations_(std::move(augmentations)) {}

absl::StatusOr<DatasetBuildSummary> ArcDatasetBuilder::Build(const DatasetBuildOptions& options) {
  const ArcDataOptions& arc_options = config_.GetExtension(arc);
  TRM_RETURN_IF_ERROR(CheckConfig(config_, arc_options));
  if (!augmentations_.has_value()) {
    TRM_ASSIGN_OR_RETURN(augmentations_, AugmentationPipeline::FromConfig(config_));
  }
  const AugmentationPipeline& augmentations = *augmentations_;
  if (config_.num_aug() > 0 && !augmentations.has_variants()) {
    return absl::InvalidArgumentError(
        "data.num_aug > 0 but data.augmentations has no variant augmentation (e.g. "
        "dihedral_color)");
  }

  ReadOptions read;
  TRM_ASSIGN_OR_RETURN(read.task_dir, ResolveArcTaskDir(options.task_dir));
  read.input_file_prefix = arc_options.input_file_prefix();
  read.allow_missing_solutions = arc_options.allow_missing_solutions();
  const std::vector<std::string> subsets(arc_options.subsets().begin(),
                                         arc_options.subsets().end());
  TRM_ASSIGN_OR_RETURN(const std::vector<std::vector<LoadedTask>> tasks,
                       ReadArcSubsets(read, subsets, arc_options.task_filter(),
                                      arc_options.canvas_size()));
  // Fail before the work if the output exists.
  TRM_ASSIGN_OR_RETURN(auto staging,
                       StagingDirectory::Create(options.output_dir, options.overwrite));

  // Subset shuffles and augmentation loops: every draw in the reference's order.
  NumpyRandomState rng(config_.seed());
  std::vector<Group> groups;
  int64_t total_tasks = 0;
  for (const auto& subset_tasks : tasks) total_tasks += static_cast<int64_t>(subset_tasks.size());
  int64_t next_identifier = arc_options.puzzle_identifiers_start();
  for (size_t s = 0; s < subsets.size(); ++s) {
    std::vector<size_t> order(tasks[s].size());
    std::iota(order.begin(), order.end(), 0);
    rng.Shuffle(order.data(), order.size());
    const bool test_subset =
        subsets[s] == arc_options.test_set_name() || subsets[s] == arc_options.test_set_name2();
    for (size_t index : order) {
      if (IsCancelled(options)) return absl::CancelledError("dataset build interrupted");
      const ArcTask& task = tasks[s][index].task;
      std::vector<const ArcPair*> pairs;
      for (const ArcPair& pair : task.train) pairs.push_back(&pair);
      for (const ArcPair& pair : task.test) pairs.push_back(&pair);
      Group group;
      group.task = &task;
      group.in_test_subset = test_subset;
      for (const DihedralColorAugmentation& member : GroupAugmenter(pairs).Augment(
               augmentations, config_.num_aug(), arc_options.retries_per_aug(), rng)) {
        group.members.push_back(PackAugmentation(member));
      }
      group.first_identifier = next_identifier;
      next_identifier += static_cast<int64_t>(group.members.size());
      groups.push_back(std::move(group));
      if (options.progress)
        options.progress("augment", static_cast<int64_t>(groups.size()), total_tasks);
    }
  }
  const int64_t num_identifiers = next_identifier;
  if (num_identifiers > (int64_t{1} << 31)) {
    return absl::OutOfRangeError(
        absl::StrCat(num_identifiers, " puzzle identifiers do not fit int32"));
  }

  // The train split holds every group (the test subsets with their demonstrations only), in the
  // order of the task file's keys; the test split the test pairs of the test subsets.
  std::vector<SplitGroup> train, test;
  for (const Group& group : groups) {
    SplitGroup sg{&group, {}};
    const ArcTask& task = *group.task;
    auto add = [&](const std::vector<ArcPair>& pairs) {
      for (const ArcPair& pair : pairs) sg.examples.push_back(&pair);
    };
    if (group.in_test_subset) {
      add(task.train);
      SplitGroup test_group{&group, {}};
      for (const ArcPair& pair : task.test) test_group.examples.push_back(&pair);
      test.push_back(std::move(test_group));
    } else if (task.test_listed_first) {
      add(task.test);
      add(task.train);
    } else {
      add(task.train);
      add(task.test);
    }
    train.push_back(std::move(sg));
  }

  DatasetBuildSummary summary;
  summary.num_puzzle_identifiers = num_identifiers;
  SplitWriter writer(arc_options.canvas_size(), augmentations, options, rng);
  for (auto& [name, split_groups] : {std::pair{"train", &train}, std::pair{"test", &test}}) {
    TRM_ASSIGN_OR_RETURN(
        SplitSummary split,
        writer.Write(name, *split_groups, (fs::path(staging->path()) / name).string(),
                     num_identifiers));
    summary.splits.push_back(split);
  }
  TRM_RETURN_IF_ERROR(WriteIdentifiers((fs::path(staging->path()) / "identifiers.json").string(),
                                       arc_options.puzzle_identifiers_start(), groups));
  TRM_RETURN_IF_ERROR(
      WriteTestPuzzles((fs::path(staging->path()) / "test_puzzles.json").string(), groups));
  TRM_RETURN_IF_ERROR(SyncDirectory(staging->path()));
  TRM_RETURN_IF_ERROR(staging->Commit());
  if (std::string notice = ShortGroupNotice(groups, config_.num_aug()); !notice.empty()) {
    summary.notices.push_back(notice);
  }
  return summary;
}

TRM_REGISTER_CLASS(
    DatasetBuilderRegistry, "arc", ArcDatasetBuilder,
    "ARC tasks (Kaggle combined files or one file per task) -> the reference's format");

}  // namespace trm::arc
