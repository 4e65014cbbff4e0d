#include "trm/checkpoint/safetensors.h"

#include <algorithm>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "trm/base/file_util.h"

namespace trm {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100u << 20;

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
    {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
    {"U8", at::kByte},    {"BOOL", at::kBool},
};

absl::Status Corrupt(const std::string& path, const std::string& why) {
  return absl::DataLossError(absl::StrCat(path, ": not a valid safetensors file: ", why));
}

}  // namespace

absl::StatusOr<std::string> SafetensorsDtypeName(at::ScalarType dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.type == dtype) return std::string(info.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("dtype ", c10::toString(dtype), " cannot be stored in safetensors"));
}

absl::StatusOr<std::unique_ptr<SafetensorsReader>> SafetensorsReader::Open(
    const std::string& path) {
  absl::StatusOr<std::shared_ptr<MappedFile>> file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  return FromMapping(*std::move(file));
}

absl::StatusOr<std::unique_ptr<SafetensorsReader>> SafetensorsReader::FromMapping(
    std::shared_ptr<MappedFile> file) {
  const std::string path = file->path();
  const uint64_t file_size = file->size();
  if (file_size < 8) {
    return Corrupt(path, absl::StrCat("file has ", file_size,
                                      " bytes, shorter than the 8-byte header length"));
  }
  std::unique_ptr<SafetensorsReader> reader(new SafetensorsReader);
  reader->path_ = path;
  reader->file_ = std::move(file);
  const uint8_t* bytes = reader->file_->data();

  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
  if (header_size > kMaxHeaderBytes || header_size > file_size - 8) {
    return Corrupt(path, absl::StrCat("header length ", header_size, " exceeds the file (",
                                      file_size, " bytes)"));
  }
  const uint64_t data_size = file_size - 8 - header_size;
  reader->data_offset_ = 8 + header_size;

  const char* header_begin = reinterpret_cast<const char*>(bytes + 8);
  std::set<std::string> seen_keys;
  std::string duplicate;
  json header;
  try {
    header = json::parse(header_begin, header_begin + header_size,
                         [&](int depth, json::parse_event_t event, json& parsed) {
                           if (depth == 1 && event == json::parse_event_t::key &&
                               !seen_keys.insert(parsed.get<std::string>()).second) {
                             duplicate = parsed.get<std::string>();
                           }
                           return true;
                         });
  } catch (const json::exception& e) {
    return Corrupt(path, absl::StrCat("header is not JSON (", e.what(), ")"));
  }
  if (!duplicate.empty())
    return Corrupt(path, absl::StrCat("tensor '", duplicate, "' appears twice"));
  if (!header.is_object()) return Corrupt(path, "header is not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& value = it.value();
    if (name == "__metadata__") {
      if (!value.is_object()) return Corrupt(path, "__metadata__ is not an object");
      for (auto m = value.begin(); m != value.end(); ++m) {
        if (!m.value().is_string()) {
          return Corrupt(path,
                         absl::StrCat("__metadata__ value of '", m.key(), "' is not a string"));
        }
        reader->metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    auto field_error = [&](const std::string& why) {
      return Corrupt(path, absl::StrCat("tensor '", name, "': ", why));
    };
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets")) {
      return field_error("needs dtype, shape and data_offsets");
    }
    SafetensorsEntry entry;
    entry.name = name;
    if (!value["dtype"].is_string()) return field_error("dtype is not a string");
    const std::string dtype = value["dtype"].get<std::string>();
    const DtypeInfo* info = nullptr;
    for (const DtypeInfo& d : kDtypes) {
      if (dtype == d.name) info = &d;
    }
    if (info == nullptr) return field_error(absl::StrCat("unsupported dtype '", dtype, "'"));
    entry.dtype = info->type;
    if (!value["shape"].is_array()) return field_error("shape is not a list");
    uint64_t numel = 1;
    for (const json& dim : value["shape"]) {
      if (!dim.is_number_unsigned()) return field_error("shape has a negative or non-integer size");
      const uint64_t d = dim.get<uint64_t>();
      if (d != 0 && numel > (uint64_t{1} << 62) / d) return field_error("shape is too large");
      numel *= d;
      entry.shape.push_back(static_cast<int64_t>(d));
    }
    const json& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      return field_error("data_offsets is not [begin, end]");
    }
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > data_size) {
      return field_error(absl::StrCat("data_offsets [", entry.begin, ", ", entry.end,
                                      "] outside the data section of ", data_size, " bytes"));
    }
    // numel < 2^62 but numel x 8 bytes can still wrap around (to 0 for 2^62 F64 elements).
    const uint64_t element_size = c10::elementSize(entry.dtype);
    if (numel > std::numeric_limits<uint64_t>::max() / element_size) {
      return field_error("shape is too large");
    }
    const uint64_t expected = numel * element_size;
    if (entry.end - entry.begin != expected) {
      return field_error(absl::StrCat("shape x dtype is ", expected,
                                      " bytes but data_offsets span ", entry.end - entry.begin));
    }
    reader->entries_.push_back(std::move(entry));
  }

  // Every byte of the data section belongs to exactly one tensor.
  std::vector<const SafetensorsEntry*> by_offset;
  for (const SafetensorsEntry& e : reader->entries_) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const auto* a, const auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  for (const SafetensorsEntry* e : by_offset) {
    if (e->begin < cursor) {
      return Corrupt(path, absl::StrCat("tensor '", e->name, "' overlaps another tensor"));
    }
    if (e->begin > cursor) {
      return Corrupt(path, absl::StrCat("bytes ", cursor, "..", e->begin, " belong to no tensor"));
    }
    cursor = e->end;
  }
  if (cursor != data_size) {
    return Corrupt(
        path, absl::StrCat("data section has ", data_size, " bytes but tensors cover ", cursor));
  }

  std::sort(reader->entries_.begin(), reader->entries_.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (size_t i = 0; i < reader->entries_.size(); ++i) reader->index_[reader->entries_[i].name] = i;
  return reader;
}

const SafetensorsEntry* SafetensorsReader::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

absl::StatusOr<at::Tensor> SafetensorsReader::View(const std::string& name) const {
  const SafetensorsEntry* entry = Find(name);
  if (entry == nullptr) return absl::NotFoundError(absl::StrCat(path_, ": no tensor '", name, "'"));
  const int64_t numel =
      static_cast<int64_t>((entry->end - entry->begin) / c10::elementSize(entry->dtype));
  return file_->Tensor(data_offset_ + entry->begin, numel, entry->dtype).view(entry->shape);
}

absl::StatusOr<at::Tensor> SafetensorsReader::Read(const std::string& name) const {
  absl::StatusOr<at::Tensor> view = View(name);
  if (!view.ok()) return view.status();
  return view->clone();
}

absl::StatusOr<std::map<std::string, at::Tensor>> ReadSafetensors(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SafetensorsReader>> reader = SafetensorsReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::map<std::string, at::Tensor> tensors;
  for (const SafetensorsEntry& entry : (*reader)->entries()) {
    absl::StatusOr<at::Tensor> tensor = (*reader)->Read(entry.name);
    if (!tensor.ok()) return tensor.status();
    tensors.emplace(entry.name, *std::move(tensor));
  }
  return tensors;
}

absl::Status WriteSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> sorted;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": invalid tensor name '", name, "'"));
    }
    if (!tensor.defined()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor '", name, "' is undefined"));
    }
    sorted.emplace_back(name, tensor.detach().to(at::kCPU).contiguous());
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].first == sorted[i - 1].first) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor '", sorted[i].first, "' given twice"));
    }
  }
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : sorted) {
    absl::StatusOr<std::string> dtype = SafetensorsDtypeName(tensor.scalar_type());
    if (!dtype.ok())
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor '", name, "': ", dtype.status().message()));
    const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * tensor.element_size();
    header[name] = {{"dtype", *dtype},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');
  std::string prefix(8, '\0');
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>((header_text.size() >> (8 * i)) & 0xff);

  absl::StatusOr<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  if (absl::Status s = (*writer)->Write(prefix + header_text); !s.ok()) return s;
  for (const auto& [name, tensor] : sorted) {
    if (absl::Status s =
            (*writer)->Write(tensor.data_ptr(), tensor.numel() * tensor.element_size());
        !s.ok()) {
      return s;
    }
  }
  return (*writer)->Commit();
}

}  // namespace trm
