// TFRecord framing (what TensorBoard event files use): for every record,
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data),
// little-endian.
#ifndef TRM_LOGGING_TFRECORD_H_
#define TRM_LOGGING_TFRECORD_H_

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

// Appends records to a file (created if missing). Records are flushed to the OS by Flush().
class TfRecordWriter {
 public:
  static absl::StatusOr<std::unique_ptr<TfRecordWriter>> Open(const std::string& path);
  ~TfRecordWriter();
  TfRecordWriter(const TfRecordWriter&) = delete;
  TfRecordWriter& operator=(const TfRecordWriter&) = delete;

  absl::Status Write(const std::string& record);
  absl::Status Flush();
  const std::string& path() const { return path_; }

 private:
  TfRecordWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
};

// Reads records back and verifies both CRCs of every frame.
class TfRecordReader {
 public:
  static absl::StatusOr<std::unique_ptr<TfRecordReader>> Open(const std::string& path);
  ~TfRecordReader();
  TfRecordReader(const TfRecordReader&) = delete;
  TfRecordReader& operator=(const TfRecordReader&) = delete;

  // The next record; nullopt at a clean end of file; DataLoss naming the file and offset for a
  // corrupt or truncated frame.
  absl::StatusOr<std::optional<std::string>> Next();

 private:
  TfRecordReader(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
  uint64_t offset_ = 0;
};

}  // namespace trm

#endif  // TRM_LOGGING_TFRECORD_H_
