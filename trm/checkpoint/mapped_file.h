// A whole file mapped into memory, shared by the tensors that view it (they keep it alive).
#ifndef TRM_CHECKPOINT_MAPPED_FILE_H_
#define TRM_CHECKPOINT_MAPPED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"

namespace trm {

class MappedFile : public std::enable_shared_from_this<MappedFile> {
 public:
  // Maps `path` privately and writably: tensors over it may be modified (copy-on-write) without
  // ever changing the file. Pages are read lazily, so a multi-GiB file costs no memory up front.
  static absl::StatusOr<std::shared_ptr<MappedFile>> Open(const std::string& path);
  // A private anonymous mapping holding a copy of `bytes`, named `path` in messages (for readers
  // of in-memory data, e.g. the fuzz targets).
  static absl::StatusOr<std::shared_ptr<MappedFile>> FromBytes(const std::string& path,
                                                               std::string_view bytes);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // A CPU tensor over bytes [offset, offset + numel * element size) that keeps this mapping alive.
  // Copies instead when the bytes are misaligned for `dtype`. The range must lie inside the file.
  at::Tensor Tensor(size_t offset, int64_t numel, at::ScalarType dtype);

 private:
  MappedFile(std::string path, uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}

  std::string path_;
  uint8_t* data_;
  size_t size_;
};

}  // namespace trm

#endif  // TRM_CHECKPOINT_MAPPED_FILE_H_
