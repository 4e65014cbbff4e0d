// dataset.json (DatasetMetadataFromJson, MergeDatasetMetadata) and the Python-compatible JSON
// reader and writer under it (ParseJson, PythonJsonDumps).
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/python_json.h"

TRM_FUZZ_TARGET(dataset_metadata) {
  using namespace trm;
  absl::StatusOr<nlohmann::ordered_json> json = ParseJson(std::string(input), "dataset.json");
  if (!json.ok()) {
    TRM_FUZZ_CHECK(!json.status().message().empty(), "error without a message");
    return;
  }
  // Any parsed value can be written the way Python's json.dump writes it.
  const std::string dumped = PythonJsonDumps(*json);
  TRM_FUZZ_CHECK(!dumped.empty(), "empty JSON text");

  absl::StatusOr<DatasetMetadata> metadata = DatasetMetadataFromJson(*json, "dataset.json");
  if (!metadata.ok()) return;
  // A missing total_puzzles (-1) is derived from the index arrays before anything is written.
  if (metadata->total_puzzles < 0) metadata->total_puzzles = 0;
  // Written and read back, the metadata is the same.
  absl::StatusOr<nlohmann::ordered_json> written =
      ParseJson(DatasetMetadataToJson(*metadata), "written");
  TRM_FUZZ_CHECK(written.ok(), std::string(written.status().message()));
  absl::StatusOr<DatasetMetadata> back = DatasetMetadataFromJson(*written, "written");
  TRM_FUZZ_CHECK(back.ok(), std::string(back.status().message()));
  TRM_FUZZ_CHECK(*back == *metadata, "metadata does not round-trip");
  // Two copies of one dataset trained together.
  absl::StatusOr<DatasetMetadata> merged =
      MergeDatasetMetadata({*metadata, *metadata}, {"first", "second"});
  if (merged.ok()) {
    TRM_FUZZ_CHECK(merged->sets == metadata->sets, "merge changed the sets");
    // The counts are summed (an overflow must be an error, not a wrapped value).
    TRM_FUZZ_CHECK(merged->total_groups / 2 == metadata->total_groups &&
                       merged->total_puzzles / 2 == metadata->total_puzzles &&
                       merged->num_puzzle_identifiers / 2 == metadata->num_puzzle_identifiers,
                   "merged counts are not the sums of the parts");
  }
}
