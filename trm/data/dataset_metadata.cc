#include "trm/data/dataset_metadata.h"

#include <filesystem>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/base/file_util.h"
#include "trm/data/npy.h"
#include "trm/data/python_json.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

absl::Status FieldError(const std::string& source, const char* field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": field '", field, "' ", what));
}

absl::Status GetInt(const Json& json, const std::string& source, const char* field,
                    bool non_negative, int64_t* out) {
  auto it = json.find(field);
  if (it == json.end()) return FieldError(source, field, "is missing");
  if (!it->is_number_integer()) return FieldError(source, field, "is not an integer");
  *out = it->get<int64_t>();
  if (non_negative && *out < 0)
    return FieldError(source, field, absl::StrCat("is negative (", *out, ")"));
  return absl::OkStatus();
}

}  // namespace

bool DatasetMetadata::operator==(const DatasetMetadata& o) const {
  return seq_len == o.seq_len && vocab_size == o.vocab_size && pad_id == o.pad_id &&
         ignore_label_id == o.ignore_label_id && blank_identifier_id == o.blank_identifier_id &&
         num_puzzle_identifiers == o.num_puzzle_identifiers && total_groups == o.total_groups &&
         mean_puzzle_examples == o.mean_puzzle_examples && total_puzzles == o.total_puzzles &&
         sets == o.sets;
}

std::string DatasetMetadataToJson(const DatasetMetadata& m) {
  Json json;
  json["pad_id"] = m.pad_id;
  json["ignore_label_id"] =
      m.ignore_label_id.has_value() ? Json(*m.ignore_label_id) : Json(nullptr);
  json["blank_identifier_id"] = m.blank_identifier_id;
  json["vocab_size"] = m.vocab_size;
  json["seq_len"] = m.seq_len;
  json["num_puzzle_identifiers"] = m.num_puzzle_identifiers;
  json["total_groups"] = m.total_groups;
  json["mean_puzzle_examples"] = m.mean_puzzle_examples;
  json["total_puzzles"] = m.total_puzzles;
  json["sets"] = m.sets;
  return PythonJsonDumps(json);
}

absl::StatusOr<DatasetMetadata> DatasetMetadataFromJson(const Json& json,
                                                        const std::string& source) {
  if (!json.is_object())
    return absl::InvalidArgumentError(absl::StrCat(source, ": not a JSON object"));
  DatasetMetadata m;
  for (auto [field, out, non_negative] :
       {std::tuple{"seq_len", &m.seq_len, true}, std::tuple{"vocab_size", &m.vocab_size, true},
        std::tuple{"pad_id", &m.pad_id, false},
        std::tuple{"blank_identifier_id", &m.blank_identifier_id, false},
        std::tuple{"num_puzzle_identifiers", &m.num_puzzle_identifiers, true},
        std::tuple{"total_groups", &m.total_groups, true}}) {
    if (absl::Status s = GetInt(json, source, field, non_negative, out); !s.ok()) return s;
  }
  if (m.seq_len == 0) return FieldError(source, "seq_len", "is 0");
  if (m.vocab_size == 0) return FieldError(source, "vocab_size", "is 0");

  auto ignore = json.find("ignore_label_id");
  if (ignore == json.end()) return FieldError(source, "ignore_label_id", "is missing");
  if (ignore->is_number_integer()) {
    m.ignore_label_id = ignore->get<int64_t>();
  } else if (!ignore->is_null()) {
    return FieldError(source, "ignore_label_id", "is neither an integer nor null");
  }

  auto mean = json.find("mean_puzzle_examples");
  if (mean == json.end()) return FieldError(source, "mean_puzzle_examples", "is missing");
  if (!mean->is_number()) return FieldError(source, "mean_puzzle_examples", "is not a number");
  m.mean_puzzle_examples = mean->get<double>();

  if (json.contains("total_puzzles")) {
    if (absl::Status s = GetInt(json, source, "total_puzzles", true, &m.total_puzzles); !s.ok())
      return s;
  } else {
    m.total_puzzles = -1;
  }

  auto sets = json.find("sets");
  if (sets == json.end()) return FieldError(source, "sets", "is missing");
  if (!sets->is_array() || sets->empty())
    return FieldError(source, "sets", "is not a non-empty list");
  for (const Json& set : *sets) {
    if (!set.is_string() || set.get_ref<const std::string&>().empty()) {
      return FieldError(source, "sets", "holds something other than a set name");
    }
    m.sets.push_back(set.get<std::string>());
  }
  return m;
}

absl::StatusOr<DatasetMetadata> ReadDatasetMetadata(const std::string& split_dir) {
  const std::string path = (fs::path(split_dir) / "dataset.json").string();
  absl::StatusOr<Json> json = ReadJsonFile(path);
  if (!json.ok()) return json.status();
  absl::StatusOr<DatasetMetadata> metadata = DatasetMetadataFromJson(*json, path);
  if (!metadata.ok() || metadata->total_puzzles >= 0) return metadata;
  metadata->total_puzzles = 0;
  for (const std::string& set : metadata->sets) {
    absl::StatusOr<NpyArray> indices =
        NpyArray::Map((fs::path(split_dir) / (set + "__puzzle_indices.npy")).string());
    if (!indices.ok()) return indices.status();
    if (indices->ndim() != 1 || indices->shape()[0] < 1) {
      return absl::InvalidArgumentError(absl::StrCat(indices->path(), ": not a 1-D index array"));
    }
    metadata->total_puzzles += indices->shape()[0] - 1;
  }
  return metadata;
}

absl::Status WriteDatasetMetadata(const std::string& split_dir, const DatasetMetadata& metadata) {
  return WriteFileAtomically((fs::path(split_dir) / "dataset.json").string(),
                             DatasetMetadataToJson(metadata));
}

absl::StatusOr<DatasetMetadata> MergeDatasetMetadata(const std::vector<DatasetMetadata>& parts,
                                                     const std::vector<std::string>& sources) {
  if (parts.empty()) return absl::InvalidArgumentError("no dataset to merge");
  DatasetMetadata merged = parts[0];
  merged.num_puzzle_identifiers = 0;
  merged.total_groups = 0;
  merged.total_puzzles = 0;
  double weighted_examples = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const DatasetMetadata& m = parts[i];
    const std::string& source = i < sources.size() ? sources[i] : std::string("dataset");
    auto disagree = [&](const char* field, const std::string& mine, const std::string& first) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": ", field, " is ", mine, " but ",
                       sources.empty() ? "the first dataset" : sources[0], " has ", first,
                       "; datasets trained together must agree"));
    };
    const auto opt = [](const std::optional<int64_t>& v) {
      return v.has_value() ? absl::StrCat(*v) : std::string("null");
    };
    if (m.seq_len != parts[0].seq_len)
      return disagree("seq_len", absl::StrCat(m.seq_len), absl::StrCat(parts[0].seq_len));
    if (m.vocab_size != parts[0].vocab_size)
      return disagree("vocab_size", absl::StrCat(m.vocab_size), absl::StrCat(parts[0].vocab_size));
    if (m.pad_id != parts[0].pad_id)
      return disagree("pad_id", absl::StrCat(m.pad_id), absl::StrCat(parts[0].pad_id));
    if (m.ignore_label_id != parts[0].ignore_label_id) {
      return disagree("ignore_label_id", opt(m.ignore_label_id), opt(parts[0].ignore_label_id));
    }
    if (m.blank_identifier_id != parts[0].blank_identifier_id) {
      return disagree("blank_identifier_id", absl::StrCat(m.blank_identifier_id),
                      absl::StrCat(parts[0].blank_identifier_id));
    }
    if (m.sets != parts[0].sets) {
      return disagree("sets", absl::StrJoin(m.sets, ","), absl::StrJoin(parts[0].sets, ","));
    }
    if (m.num_puzzle_identifiers != parts[0].num_puzzle_identifiers) {
      return disagree("num_puzzle_identifiers", absl::StrCat(m.num_puzzle_identifiers),
                      absl::StrCat(parts[0].num_puzzle_identifiers));
    }
    for (auto [field, sum, part] :
         {std::tuple{"num_puzzle_identifiers", &merged.num_puzzle_identifiers,
                     m.num_puzzle_identifiers},
          std::tuple{"total_groups", &merged.total_groups, m.total_groups},
          std::tuple{"total_puzzles", &merged.total_puzzles, m.total_puzzles}}) {
      if (__builtin_add_overflow(*sum, part, sum)) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": ", field, " overflows 64 bits when the datasets are summed"));
      }
    }
    weighted_examples += m.mean_puzzle_examples * static_cast<double>(m.total_puzzles);
  }
  merged.mean_puzzle_examples = merged.total_puzzles > 0
                                    ? weighted_examples / static_cast<double>(merged.total_puzzles)
                                    : 0.0;
  return merged;
}

}  // namespace trm
