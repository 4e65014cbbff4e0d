#include "trm/data/split_writer.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "trm/base/status_macros.h"
#include "trm/data/dataset_metadata.h"

namespace trm {
namespace fs = std::filesystem;

absl::StatusOr<SingleExampleSplitWriter> SingleExampleSplitWriter::Create(
    const std::string& dir, const std::string& split, int64_t puzzles, int64_t groups,
    int64_t seq_len) {
  if (puzzles >= (int64_t{1} << 31)) {
    return absl::OutOfRangeError(absl::StrCat("the ", split, " split has ", puzzles,
                                              " rows; int32 puzzle indices cannot address them"));
  }
  std::error_code ec;
  if (!fs::create_directory(dir, ec)) {
    return absl::InternalError(absl::StrCat(dir, ": cannot create"));
  }
  auto file = [&](const char* field) {
    return (fs::path(dir) / absl::StrCat("all__", field, ".npy")).string();
  };
  SingleExampleSplitWriter writer;
  writer.dir_ = dir;
  writer.seq_len_ = seq_len;
  writer.groups_ = groups;
  TRM_ASSIGN_OR_RETURN(writer.inputs_,
                       NpyWriter::Create(file("inputs"), NpyDtype::kUint8, {puzzles, seq_len}));
  TRM_ASSIGN_OR_RETURN(writer.labels_,
                       NpyWriter::Create(file("labels"), NpyDtype::kUint8, {puzzles, seq_len}));
  TRM_ASSIGN_OR_RETURN(writer.identifiers_,
                       NpyWriter::Create(file("puzzle_identifiers"), NpyDtype::kInt32, {puzzles}));
  TRM_ASSIGN_OR_RETURN(writer.puzzle_indices_, NpyWriter::Create(file("puzzle_indices"),
                                                                 NpyDtype::kInt32, {puzzles + 1}));
  TRM_ASSIGN_OR_RETURN(writer.group_indices_, NpyWriter::Create(file("group_indices"),
                                                                NpyDtype::kInt32, {groups + 1}));
  TRM_RETURN_IF_ERROR(writer.puzzle_indices_->AppendValue<int32_t>(0));
  TRM_RETURN_IF_ERROR(writer.group_indices_->AppendValue<int32_t>(0));
  return writer;
}

absl::Status SingleExampleSplitWriter::AddPuzzle(const uint8_t* input, const uint8_t* label) {
  TRM_RETURN_IF_ERROR(inputs_->Append(input, seq_len_));
  TRM_RETURN_IF_ERROR(labels_->Append(label, seq_len_));
  TRM_RETURN_IF_ERROR(identifiers_->AppendValue<int32_t>(0));
  ++puzzles_written_;
  // One example per puzzle: puzzle p's examples are [p, p + 1).
  return puzzle_indices_->AppendValue<int32_t>(static_cast<int32_t>(puzzles_written_));
}

absl::Status SingleExampleSplitWriter::EndGroup() {
  return group_indices_->AppendValue<int32_t>(static_cast<int32_t>(puzzles_written_));
}

absl::Status SingleExampleSplitWriter::Close(int vocab_size) {
  for (NpyWriter* writer : {inputs_.get(), labels_.get(), identifiers_.get(),
                            puzzle_indices_.get(), group_indices_.get()}) {
    TRM_RETURN_IF_ERROR(writer->Close());
  }
  DatasetMetadata metadata;
  metadata.seq_len = seq_len_;
  metadata.vocab_size = vocab_size;
  metadata.pad_id = 0;
  metadata.ignore_label_id = 0;
  metadata.blank_identifier_id = 0;
  metadata.num_puzzle_identifiers = 1;
  metadata.total_groups = groups_;
  metadata.mean_puzzle_examples = 1;
  // The reference's count: groups, even when a group holds several (augmented) puzzles.
  metadata.total_puzzles = groups_;
  metadata.sets = {"all"};
  return WriteDatasetMetadata(dir_, metadata);
}

}  // namespace trm
