// File helpers. Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the
// folder): a crash or kill leaves either the old file or the new one, never a torn mix.
#ifndef TRM_BASE_FILE_UTIL_H_
#define TRM_BASE_FILE_UTIL_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

absl::StatusOr<std::string> ReadFileToString(const std::string& path);

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

// Streams into `<path>.tmp.<pid>.<n>` and renames it to `path` on Commit(). Destroying an
// uncommitted writer removes the temporary file.
class AtomicFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  absl::Status Write(const void* data, size_t size);
  absl::Status Write(const std::string& bytes) { return Write(bytes.data(), bytes.size()); }
  // Flushes, fsyncs and renames over `path`. The writer cannot be used afterwards.
  absl::Status Commit();

  const std::string& path() const { return path_; }

 private:
  AtomicFileWriter(std::string path, std::string temp_path, int fd);

  std::string path_;
  std::string temp_path_;
  int fd_;
};

// fsync of a directory, so that a rename inside it is durable.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace trm

#endif  // TRM_BASE_FILE_UTIL_H_
