#include "trm/data/npy.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace trm {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kArrayAlign = 64;
// NumPy >= 1.24 leaves room for the first axis to grow to 21 digits.
constexpr size_t kGrowthAxisMaxDigits = 21;

struct DtypeInfo {
  NpyDtype dtype;
  const char* name;
  char kind;  // NumPy kind: b, i, u, f
  size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {NpyDtype::kBool, "bool", 'b', 1},       {NpyDtype::kInt8, "int8", 'i', 1},
    {NpyDtype::kUint8, "uint8", 'u', 1},     {NpyDtype::kInt16, "int16", 'i', 2},
    {NpyDtype::kUint16, "uint16", 'u', 2},   {NpyDtype::kInt32, "int32", 'i', 4},
    {NpyDtype::kUint32, "uint32", 'u', 4},   {NpyDtype::kInt64, "int64", 'i', 8},
    {NpyDtype::kUint64, "uint64", 'u', 8},   {NpyDtype::kFloat32, "float32", 'f', 4},
    {NpyDtype::kFloat64, "float64", 'f', 8},
};

const DtypeInfo& Info(NpyDtype dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return info;
  }
  return kDtypes[0];
}

std::string Descr(NpyDtype dtype) {
  const DtypeInfo& info = Info(dtype);
  return absl::StrCat(info.size == 1 ? "|" : "<", std::string(1, info.kind), info.size);
}

absl::Status ErrnoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

// A Python literal dict as NumPy writes it: {'descr': '<i4', 'fortran_order': False, 'shape': (3,),
// }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  absl::Status Parse(NpyHeaderInfo* info) {
    bool have_descr = false, have_order = false, have_shape = false;
    SkipSpace();
    if (!Consume('{')) return Error("header is not a dict");
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      std::string key;
      if (!ParseString(&key)) return Error("expected a quoted key");
      SkipSpace();
      if (!Consume(':')) return Error("expected ':' after '" + key + "'");
      SkipSpace();
      if (key == "descr") {
        std::string descr;
        if (!ParseString(&descr)) {
          return Error("'descr' is not a plain dtype string (structured arrays are not supported)");
        }
        absl::Status status = ParseDescr(descr, &info->dtype);
        if (!status.ok()) return status;
        have_descr = true;
      } else if (key == "fortran_order") {
        if (MatchWord("False")) {
          have_order = true;
        } else if (MatchWord("True")) {
          return Error("Fortran-order arrays are not supported");
        } else {
          return Error("'fortran_order' is neither True nor False");
        }
      } else if (key == "shape") {
        if (!ParseShape(&info->shape)) return Error("'shape' is not a tuple of integers");
        have_shape = true;
      } else {
        return Error("unexpected key '" + key + "'");
      }
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume('}')) break;
      return Error("expected ',' or '}'");
    }
    if (!have_descr || !have_order || !have_shape) {
      return Error("header lacks one of 'descr', 'fortran_order', 'shape'");
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": malformed .npy header: ", what));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool MatchWord(const std::string& word) {
    if (text_.compare(pos_, word.size(), word) != 0) return false;
    pos_ += word.size();
    return true;
  }
  bool ParseString(std::string* out) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return false;
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) return false;
    *out = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }
  bool ParseShape(std::vector<int64_t>* shape) {
    if (!Consume('(')) return false;
    shape->clear();
    while (true) {
      SkipSpace();
      if (Consume(')')) return true;
      const size_t start = pos_;
      while (pos_ < text_.size() && absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      if (pos_ == start) return false;
      // Python 2 era files may carry an 'L' suffix.
      int64_t dim;
      if (!absl::SimpleAtoi(text_.substr(start, pos_ - start), &dim)) return false;
      Consume('L');
      shape->push_back(dim);
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume(')')) return true;
      return false;
    }
  }
  absl::Status ParseDescr(const std::string& descr, NpyDtype* dtype) {
    if (descr.size() < 3) return Error("unsupported dtype '" + descr + "'");
    const char order = descr[0];
    const char kind = descr[1];
    size_t size = 0;
    if (!absl::SimpleAtoi(descr.substr(2), &size))
      return Error("unsupported dtype '" + descr + "'");
    if (order == '>' && size > 1) return Error("big-endian dtype '" + descr + "' is not supported");
    if (order != '<' && order != '|' && order != '=' && order != '>') {
      return Error("unsupported dtype '" + descr + "'");
    }
    for (const DtypeInfo& info : kDtypes) {
      if (info.kind == kind && info.size == size) {
        *dtype = info.dtype;
        return absl::OkStatus();
      }
    }
    return Error("unsupported dtype '" + descr + "'");
  }

  const std::string& text_;
  const std::string& path_;
  size_t pos_ = 0;
};

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Shape product in bytes, or an error when it overflows.
absl::StatusOr<uint64_t> DataBytes(NpyDtype dtype, const std::vector<int64_t>& shape,
                                   const std::string& path) {
  uint64_t n = NpyItemSize(dtype);
  for (int64_t d : shape) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat(path, ": negative dimension ", d));
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": array size overflows"));
    }
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

std::string ShapeRepr(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

absl::Status WriteFully(int fd, uint64_t offset, const void* data, size_t bytes,
                        const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = pwrite(fd, p, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write failed", path);
    }
    p += n;
    bytes -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

size_t NpyItemSize(NpyDtype dtype) { return Info(dtype).size; }
const char* NpyDtypeName(NpyDtype dtype) { return Info(dtype).name; }

absl::StatusOr<std::string> NpyHeader(NpyDtype dtype, const std::vector<int64_t>& shape) {
  std::string dict = absl::StrCat("{'descr': '", Descr(dtype),
                                  "', 'fortran_order': False, 'shape': ", ShapeRepr(shape), ", }");
  if (!shape.empty()) {
    const size_t digits = absl::StrCat(shape[0]).size();
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  // magic (6) + version (2) + length (2) + dict + padding + '\n', a multiple of 64.
  const size_t unpadded = kMagicSize + 2 + 2 + dict.size() + 1;
  const size_t padding = (kArrayAlign - unpadded % kArrayAlign) % kArrayAlign;
  const size_t header_len = dict.size() + padding + 1;
  if (header_len > 0xffff) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shape ", ShapeRepr(shape), " needs an .npy header larger than version 1.0 allows"));
  }
  std::string header(kMagic, kMagicSize);
  header.push_back('\x01');
  header.push_back('\x00');
  header.push_back(static_cast<char>(header_len & 0xff));
  header.push_back(static_cast<char>(header_len >> 8));
  header += dict;
  header.append(padding, ' ');
  header.push_back('\n');
  return header;
}

absl::StatusOr<NpyHeaderInfo> ParseNpyHeader(const void* bytes, size_t size,
                                             const std::string& path) {
  const auto* p = static_cast<const uint8_t*>(bytes);
  if (size < kMagicSize + 4 || std::memcmp(p, kMagic, kMagicSize) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an .npy file (bad magic)"));
  }
  const int major = p[6];
  size_t header_len, prefix;
  if (major == 1) {
    header_len = p[8] | (static_cast<size_t>(p[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return absl::InvalidArgumentError(absl::StrCat(path, ": truncated .npy header"));
    header_len = p[8] | (static_cast<size_t>(p[9]) << 8) | (static_cast<size_t>(p[10]) << 16) |
                 (static_cast<size_t>(p[11]) << 24);
    prefix = 12;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unsupported .npy format version ", major, ".", int{p[7]}));
  }
  if (prefix + header_len > size) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": truncated .npy header"));
  }
  const std::string text(reinterpret_cast<const char*>(p + prefix), header_len);
  NpyHeaderInfo info;
  absl::Status status = HeaderParser(text, path).Parse(&info);
  if (!status.ok()) return status;
  info.data_offset = prefix + header_len;
  return info;
}

absl::StatusOr<NpyHeaderInfo> ParseNpyFile(const void* bytes, size_t size,
                                           const std::string& path) {
  absl::StatusOr<NpyHeaderInfo> header = ParseNpyHeader(bytes, size, path);
  if (!header.ok()) return header.status();
  absl::StatusOr<uint64_t> data_bytes = DataBytes(header->dtype, header->shape, path);
  if (!data_bytes.ok()) return data_bytes.status();
  const uint64_t available = size - header->data_offset;
  if (available != *data_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": shape ", ShapeRepr(header->shape), " of ", NpyDtypeName(header->dtype), " needs ",
        *data_bytes, " data bytes but the file has ", available,
        available < *data_bytes ? " (truncated)" : " (trailing bytes)"));
  }
  return header;
}

// ----------------------------------------------------------------------------------- NpyArray

absl::StatusOr<NpyArray> NpyArray::Map(const std::string& path, Access access) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const absl::Status error = ErrnoError("stat failed", path);
    close(fd);
    return error;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* mapping = size > 0 ? mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
  const int mmap_errno = errno;
  close(fd);
  if (size == 0) return absl::InvalidArgumentError(absl::StrCat(path, ": empty file"));
  if (mapping == MAP_FAILED) {
    errno = mmap_errno;
    return ErrnoError("mmap failed", path);
  }
  NpyArray array;
  array.path_ = path;
  array.mapping_ = mapping;
  array.mapping_size_ = size;
  absl::StatusOr<NpyHeaderInfo> header = ParseNpyFile(mapping, size, path);
  if (!header.ok()) return header.status();
  array.header_ = *std::move(header);
  array.data_ = static_cast<const uint8_t*>(mapping) + array.header_.data_offset;
  if (access != Access::kNormal) {
    // Advice only: a failure changes nothing but speed.
    madvise(mapping, size, access == Access::kRandom ? MADV_RANDOM : MADV_SEQUENTIAL);
  }
  return array;
}

NpyArray::NpyArray(NpyArray&& other) noexcept { *this = std::move(other); }

NpyArray& NpyArray::operator=(NpyArray&& other) noexcept {
  if (this != &other) {
    if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
    path_ = std::move(other.path_);
    header_ = std::move(other.header_);
    mapping_ = other.mapping_;
    mapping_size_ = other.mapping_size_;
    data_ = other.data_;
    other.mapping_ = nullptr;
    other.mapping_size_ = 0;
    other.data_ = nullptr;
  }
  return *this;
}

NpyArray::~NpyArray() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

int64_t NpyArray::num_elements() const { return NumElements(header_.shape); }

absl::Status NpyArray::DtypeError(NpyDtype wanted) const {
  return absl::InvalidArgumentError(absl::StrCat(path_, ": dtype is ", NpyDtypeName(dtype()),
                                                 ", expected ", NpyDtypeName(wanted)));
}

absl::StatusOr<std::vector<int64_t>> NpyArray::ToInt64() const {
  const int64_t n = num_elements();
  std::vector<int64_t> out(static_cast<size_t>(n));
  auto convert = [&](auto tag) {
    using T = decltype(tag);
    const T* values = static_cast<const T*>(data_);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int64_t>(values[i]);
  };
  switch (dtype()) {
    case NpyDtype::kBool:
    case NpyDtype::kUint8:
      convert(uint8_t{});
      break;
    case NpyDtype::kInt8:
      convert(int8_t{});
      break;
    case NpyDtype::kInt16:
      convert(int16_t{});
      break;
    case NpyDtype::kUint16:
      convert(uint16_t{});
      break;
    case NpyDtype::kInt32:
      convert(int32_t{});
      break;
    case NpyDtype::kUint32:
      convert(uint32_t{});
      break;
    case NpyDtype::kInt64:
      convert(int64_t{});
      break;
    case NpyDtype::kUint64: {
      const uint64_t* values = static_cast<const uint64_t*>(data_);
      for (int64_t i = 0; i < n; ++i) {
        if (values[i] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return absl::InvalidArgumentError(
              absl::StrCat(path_, ": element ", i, " does not fit in int64"));
        }
        out[i] = static_cast<int64_t>(values[i]);
      }
      break;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": dtype ", NpyDtypeName(dtype()), " is not an integer type"));
  }
  return out;
}

// ---------------------------------------------------------------------------------- NpyWriter

NpyWriter::NpyWriter(std::string path, int fd, uint64_t header_bytes, uint64_t data_bytes)
    : path_(std::move(path)), fd_(fd), header_bytes_(header_bytes), data_bytes_(data_bytes) {}

NpyWriter::~NpyWriter() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::unique_ptr<NpyWriter>> NpyWriter::Create(const std::string& path,
                                                             NpyDtype dtype,
                                                             std::vector<int64_t> shape) {
  absl::StatusOr<std::string> header = NpyHeader(dtype, shape);
  if (!header.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", header.status().message()));
  absl::StatusOr<uint64_t> bytes = DataBytes(dtype, shape, path);
  if (!bytes.ok()) return bytes.status();
  // O_EXCL: a writer never replaces an existing file.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", path);
  std::unique_ptr<NpyWriter> writer(new NpyWriter(path, fd, header->size(), *bytes));
  if (absl::Status s = WriteFully(fd, 0, header->data(), header->size(), path); !s.ok()) return s;
  if (ftruncate(fd, static_cast<off_t>(header->size() + *bytes)) != 0) {
    return ErrnoError("cannot size the file", path);
  }
  return writer;
}

absl::Status NpyWriter::Append(const void* data, size_t bytes) {
  if (used_write_at_) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": Append after WriteAt"));
  }
  constexpr size_t kBufferBytes = 1 << 20;
  if (append_buffer_.size() + bytes > kBufferBytes) {
    if (absl::Status s = FlushAppendBuffer(); !s.ok()) return s;
  }
  if (bytes >= kBufferBytes) {
    if (append_offset_ + bytes > data_bytes_) {
      return absl::OutOfRangeError(absl::StrCat(path_, ": more data than the shape holds"));
    }
    if (absl::Status s = WriteFully(fd_, header_bytes_ + append_offset_, data, bytes, path_);
        !s.ok()) {
      return s;
    }
    append_offset_ += bytes;
    written_ += bytes;
    return absl::OkStatus();
  }
  append_buffer_.append(static_cast<const char*>(data), bytes);
  return absl::OkStatus();
}

absl::Status NpyWriter::FlushAppendBuffer() {
  if (append_buffer_.empty()) return absl::OkStatus();
  if (append_offset_ + append_buffer_.size() > data_bytes_) {
    return absl::OutOfRangeError(absl::StrCat(path_, ": more data than the shape holds"));
  }
  if (absl::Status s = WriteFully(fd_, header_bytes_ + append_offset_, append_buffer_.data(),
                                  append_buffer_.size(), path_);
      !s.ok()) {
    return s;
  }
  append_offset_ += append_buffer_.size();
  written_ += append_buffer_.size();
  append_buffer_.clear();
  return absl::OkStatus();
}

absl::Status NpyWriter::WriteAt(uint64_t offset, const void* data, size_t bytes) {
  if (append_offset_ > 0 || !append_buffer_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": WriteAt after Append"));
  }
  used_write_at_ = true;
  if (offset + bytes > data_bytes_) {
    return absl::OutOfRangeError(absl::StrCat(path_, ": write past the end of the array"));
  }
  if (absl::Status s = WriteFully(fd_, header_bytes_ + offset, data, bytes, path_); !s.ok())
    return s;
  written_ += bytes;
  return absl::OkStatus();
}

absl::Status NpyWriter::Close() {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_, ": closed twice"));
  absl::Status status = FlushAppendBuffer();
  if (status.ok() && written_ != data_bytes_) {
    status = absl::InternalError(
        absl::StrCat(path_, ": wrote ", written_.load(), " of ", data_bytes_, " data bytes"));
  }
  if (status.ok() && fsync(fd_) != 0) status = ErrnoError("fsync failed", path_);
  if (close(fd_) != 0 && status.ok()) status = ErrnoError("close failed", path_);
  fd_ = -1;
  return status;
}

absl::Status WriteNpy(const std::string& path, NpyDtype dtype, const std::vector<int64_t>& shape,
                      const void* data) {
  absl::StatusOr<std::unique_ptr<NpyWriter>> writer = NpyWriter::Create(path, dtype, shape);
  if (!writer.ok()) return writer.status();
  if ((*writer)->data_bytes() > 0) {
    if (absl::Status s = (*writer)->WriteAt(0, data, (*writer)->data_bytes()); !s.ok()) return s;
  }
  return (*writer)->Close();
}

}  // namespace trm
