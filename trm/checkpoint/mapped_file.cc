#include "trm/checkpoint/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace trm {

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  uint8_t* data = nullptr;
  if (size > 0) {
    void* mapping = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      const int error = errno;
      close(fd);
      return absl::InternalError(absl::StrCat(path, ": mmap failed: ", std::strerror(error)));
    }
    data = static_cast<uint8_t*>(mapping);
  }
  close(fd);
  return std::shared_ptr<MappedFile>(new MappedFile(path, data, size));
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFile::FromBytes(const std::string& path,
                                                                  std::string_view bytes) {
  uint8_t* data = nullptr;
  if (!bytes.empty()) {
    void* mapping = mmap(nullptr, bytes.size(), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
      return absl::InternalError(absl::StrCat(path, ": mmap failed: ", std::strerror(errno)));
    }
    data = static_cast<uint8_t*>(mapping);
    std::memcpy(data, bytes.data(), bytes.size());
  }
  return std::shared_ptr<MappedFile>(new MappedFile(path, data, bytes.size()));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(data_, size_);
}

at::Tensor MappedFile::Tensor(size_t offset, int64_t numel, at::ScalarType dtype) {
  const size_t bytes = static_cast<size_t>(numel) * c10::elementSize(dtype);
  TORCH_CHECK(offset <= size_ && bytes <= size_ - offset, "MappedFile::Tensor: range outside ",
              path_);
  const at::TensorOptions options = at::TensorOptions().dtype(dtype);
  uint8_t* begin = data_ + offset;
  if (bytes == 0) return at::empty({numel}, options);
  if (reinterpret_cast<uintptr_t>(begin) % c10::elementSize(dtype) != 0) {
    at::Tensor copy = at::empty({numel}, options);
    std::memcpy(copy.data_ptr(), begin, bytes);
    return copy;
  }
  std::shared_ptr<MappedFile> self = shared_from_this();
  return at::from_blob(
      begin, {numel}, [self](void*) {}, options);
}

}  // namespace trm
