// The metadata of one split of a puzzle dataset (`<root>/<split>/dataset.json`, spec §8), shared by
// every builder and the loader, and the merge of several dataset roots (spec §9.1).
#ifndef TRM_DATA_DATASET_METADATA_H_
#define TRM_DATA_DATASET_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace trm {

struct DatasetMetadata {
  int64_t seq_len = 0;
  int64_t vocab_size = 0;
  int64_t pad_id = 0;
  std::optional<int64_t> ignore_label_id;  // label value that means "no target" (null: none)
  int64_t blank_identifier_id = 0;
  int64_t num_puzzle_identifiers = 0;  // including the blank identifier
  int64_t total_groups = 0;
  double mean_puzzle_examples = 0;
  int64_t total_puzzles = 0;
  std::vector<std::string> sets;

  bool operator==(const DatasetMetadata& other) const;
};

// Python json.dump of the reference's metadata model (its field order), byte-identical.
std::string DatasetMetadataToJson(const DatasetMetadata& metadata);

// Strict parse: every field present with the right type (total_puzzles may be missing in datasets
// written by older builders: it is then -1). Unknown keys are ignored, as the reference does.
absl::StatusOr<DatasetMetadata> DatasetMetadataFromJson(const nlohmann::ordered_json& json,
                                                        const std::string& source);

// Reads `<split_dir>/dataset.json`; a missing total_puzzles is derived from the sets'
// `<set>__puzzle_indices.npy`, as the reference loader does.
absl::StatusOr<DatasetMetadata> ReadDatasetMetadata(const std::string& split_dir);
absl::Status WriteDatasetMetadata(const std::string& split_dir, const DatasetMetadata& metadata);

// Several roots trained together (spec §9.1): they must agree on seq_len, vocab_size, pad_id,
// ignore_label_id, blank_identifier_id, sets and num_puzzle_identifiers; identifier, group and
// puzzle counts are summed and mean_puzzle_examples is weighted by puzzles. `sources` name the
// inputs in errors.
absl::StatusOr<DatasetMetadata> MergeDatasetMetadata(const std::vector<DatasetMetadata>& parts,
                                                     const std::vector<std::string>& sources);

}  // namespace trm

#endif  // TRM_DATA_DATASET_METADATA_H_
