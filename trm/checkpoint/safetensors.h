// The safetensors format (https://github.com/huggingface/safetensors): u64 little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
// {...}}, then the raw little-endian, row-major tensor data. Our reader validates everything a
// corrupt or hostile file could get wrong and memory-maps the data, so multi-GiB tables are not
// copied.
#ifndef TRM_CHECKPOINT_SAFETENSORS_H_
#define TRM_CHECKPOINT_SAFETENSORS_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trm/checkpoint/mapped_file.h"

namespace trm {

struct SafetensorsEntry {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte range in the data section
  uint64_t end = 0;
};

class SafetensorsReader {
 public:
  // Opens and validates `path`: header length within the file, JSON object, known dtypes,
  // non-negative shapes, shape x dtype size = byte range, ranges inside the data section,
  // contiguous and non-overlapping (every data byte belongs to exactly one tensor), unique names,
  // string-to-string __metadata__. Errors are one line and name the file.
  static absl::StatusOr<std::unique_ptr<SafetensorsReader>> Open(const std::string& path);
  // The same over a mapping that is already open (Open's second half; `file->path()` names it).
  static absl::StatusOr<std::unique_ptr<SafetensorsReader>> FromMapping(
      std::shared_ptr<MappedFile> file);

  const std::string& path() const { return path_; }
  // Sorted by name.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool Has(const std::string& name) const { return index_.count(name) > 0; }
  const SafetensorsEntry* Find(const std::string& name) const;

  // A CPU tensor over the mapped bytes (no copy; it keeps the mapping alive, also after the reader
  // is gone; writing to it never changes the file). Copies instead when the data is misaligned
  // for its dtype.
  absl::StatusOr<at::Tensor> View(const std::string& name) const;
  // An owned CPU copy.
  absl::StatusOr<at::Tensor> Read(const std::string& name) const;

 private:
  SafetensorsReader() = default;

  std::string path_;
  std::shared_ptr<MappedFile> file_;
  size_t data_offset_ = 0;  // start of the data section in the file
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Every tensor of the file as owned CPU tensors.
absl::StatusOr<std::map<std::string, at::Tensor>> ReadSafetensors(const std::string& path);

// Writes `tensors` (any device; stored contiguous, little-endian, in sorted name order) atomically.
// Names must be unique and not "__metadata__".
absl::Status WriteSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// "F32", "BF16", ... for a dtype safetensors can hold; error otherwise.
absl::StatusOr<std::string> SafetensorsDtypeName(at::ScalarType dtype);

}  // namespace trm

#endif  // TRM_CHECKPOINT_SAFETENSORS_H_
