// NumPy `.npy` files (format version 1.0 written; 1.0, 2.0 and 3.0 read), C order, little endian.
//
// Reading memory-maps the file read-only: a 9 GB `all__inputs.npy` costs address space, not RAM.
// Writing produces the exact bytes `np.save` of NumPy 1.24 produces (header included), so that
// datasets are byte-identical to the reference's. The writer sizes the file up front, so that
// rows can be written sequentially (Append) or from several threads at known offsets (WriteAt).
#ifndef TRM_DATA_NPY_H_
#define TRM_DATA_NPY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

enum class NpyDtype {
  kBool,
  kInt8,
  kUint8,
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,
  kFloat64
};

size_t NpyItemSize(NpyDtype dtype);
// NumPy's name ("uint8", "int32", ...) for messages.
const char* NpyDtypeName(NpyDtype dtype);
template <class T>
constexpr NpyDtype NpyDtypeOf();
template <>
constexpr NpyDtype NpyDtypeOf<bool>() {
  return NpyDtype::kBool;
}
template <>
constexpr NpyDtype NpyDtypeOf<int8_t>() {
  return NpyDtype::kInt8;
}
template <>
constexpr NpyDtype NpyDtypeOf<uint8_t>() {
  return NpyDtype::kUint8;
}
template <>
constexpr NpyDtype NpyDtypeOf<int16_t>() {
  return NpyDtype::kInt16;
}
template <>
constexpr NpyDtype NpyDtypeOf<uint16_t>() {
  return NpyDtype::kUint16;
}
template <>
constexpr NpyDtype NpyDtypeOf<int32_t>() {
  return NpyDtype::kInt32;
}
template <>
constexpr NpyDtype NpyDtypeOf<uint32_t>() {
  return NpyDtype::kUint32;
}
template <>
constexpr NpyDtype NpyDtypeOf<int64_t>() {
  return NpyDtype::kInt64;
}
template <>
constexpr NpyDtype NpyDtypeOf<uint64_t>() {
  return NpyDtype::kUint64;
}
template <>
constexpr NpyDtype NpyDtypeOf<float>() {
  return NpyDtype::kFloat32;
}
template <>
constexpr NpyDtype NpyDtypeOf<double>() {
  return NpyDtype::kFloat64;
}

// The header np.save writes for a C-order array (NumPy 1.24, version 1.0): magic, version, length,
// the dict, spare spaces for growing the first axis, and padding to a multiple of 64 bytes.
absl::StatusOr<std::string> NpyHeader(NpyDtype dtype, const std::vector<int64_t>& shape);

struct NpyHeaderInfo {
  NpyDtype dtype = NpyDtype::kUint8;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // bytes before the first element
};
// Parses the header at the start of `bytes`; errors name `path`.
absl::StatusOr<NpyHeaderInfo> ParseNpyHeader(const void* bytes, size_t size,
                                             const std::string& path);
// Parses the header of a whole .npy file held in `bytes` and checks that exactly the data bytes
// its dtype and shape need follow it (what NpyArray::Map checks); errors name `path`.
absl::StatusOr<NpyHeaderInfo> ParseNpyFile(const void* bytes, size_t size,
                                           const std::string& path);

// A read-only memory map of an .npy file.
class NpyArray {
 public:
  // How the data will be read, passed to the kernel (madvise) to size its read-ahead: kRandom for
  // scattered rows of a large file, so that each row does not pull in its neighbours.
  enum class Access { kNormal, kRandom, kSequential };

  static absl::StatusOr<NpyArray> Map(const std::string& path, Access access = Access::kNormal);

  NpyArray() = default;
  NpyArray(NpyArray&& other) noexcept;
  NpyArray& operator=(NpyArray&& other) noexcept;
  NpyArray(const NpyArray&) = delete;
  NpyArray& operator=(const NpyArray&) = delete;
  ~NpyArray();

  const std::string& path() const { return path_; }
  NpyDtype dtype() const { return header_.dtype; }
  const std::vector<int64_t>& shape() const { return header_.shape; }
  int ndim() const { return static_cast<int>(header_.shape.size()); }
  int64_t num_elements() const;
  const void* data() const { return data_; }
  // Typed view; the dtype must match exactly.
  template <class T>
  absl::StatusOr<const T*> TypedData() const {
    if (dtype() != NpyDtypeOf<T>()) return DtypeError(NpyDtypeOf<T>());
    return static_cast<const T*>(data_);
  }
  // Any integer or bool array, converted (for small index arrays that are kept in memory).
  absl::StatusOr<std::vector<int64_t>> ToInt64() const;

 private:
  absl::Status DtypeError(NpyDtype wanted) const;

  std::string path_;
  NpyHeaderInfo header_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  const void* data_ = nullptr;
};

// Streams one array into a new file. Create() writes the header and sizes the file; the data are
// then written with Append (in order, buffered) or WriteAt (any order, from any thread), never
// both. Close() checks that every byte was written and flushes the file to disk.
class NpyWriter {
 public:
  static absl::StatusOr<std::unique_ptr<NpyWriter>> Create(const std::string& path, NpyDtype dtype,
                                                           std::vector<int64_t> shape);
  ~NpyWriter();

  absl::Status Append(const void* data, size_t bytes);
  template <class T>
  absl::Status AppendValue(T value) {
    return Append(&value, sizeof(T));
  }
  // `offset` counts bytes from the first element.
  absl::Status WriteAt(uint64_t offset, const void* data, size_t bytes);
  absl::Status Close();

  uint64_t data_bytes() const { return data_bytes_; }
  const std::string& path() const { return path_; }

 private:
  NpyWriter(std::string path, int fd, uint64_t header_bytes, uint64_t data_bytes);
  absl::Status FlushAppendBuffer();

  std::string path_;
  int fd_ = -1;
  uint64_t header_bytes_ = 0;
  uint64_t data_bytes_ = 0;
  std::atomic<uint64_t> written_{0};
  uint64_t append_offset_ = 0;
  std::string append_buffer_;
  std::atomic<bool> used_write_at_{false};
};

// np.save of a whole in-memory array.
absl::Status WriteNpy(const std::string& path, NpyDtype dtype, const std::vector<int64_t>& shape,
                      const void* data);

}  // namespace trm

#endif  // TRM_DATA_NPY_H_
