#include "trm/logging/tfrecord.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "trm/logging/crc32c.h"

namespace trm {
namespace {

void PutLittleEndian(uint64_t value, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xffu);
}

uint64_t GetLittleEndian(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TfRecordWriter>> TfRecordWriter::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "ab");
  if (file == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<TfRecordWriter>(new TfRecordWriter(path, file));
}

TfRecordWriter::~TfRecordWriter() { std::fclose(file_); }

absl::Status TfRecordWriter::Write(const std::string& record) {
  char header[12];
  PutLittleEndian(record.size(), 8, header);
  PutLittleEndian(MaskCrc32c(Crc32c(header, 8)), 4, header + 8);
  char footer[4];
  PutLittleEndian(MaskCrc32c(Crc32c(record.data(), record.size())), 4, footer);
  if (std::fwrite(header, 1, sizeof(header), file_) != sizeof(header) ||
      std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fwrite(footer, 1, sizeof(footer), file_) != sizeof(footer)) {
    return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status TfRecordWriter::Flush() {
  if (std::fflush(file_) != 0) {
    return absl::DataLossError(absl::StrCat("cannot flush ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TfRecordReader>> TfRecordReader::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<TfRecordReader>(new TfRecordReader(path, file));
}

TfRecordReader::~TfRecordReader() { std::fclose(file_); }

absl::StatusOr<std::optional<std::string>> TfRecordReader::Next() {
  auto corrupt = [&](const std::string& what) {
    return absl::DataLossError(absl::StrCat(path_, ": record at byte ", offset_, ": ", what));
  };
  char header[12];
  const size_t got = std::fread(header, 1, sizeof(header), file_);
  if (got == 0 && std::feof(file_)) return std::optional<std::string>();
  if (got != sizeof(header)) return corrupt("truncated header");
  const uint64_t length = GetLittleEndian(header, 8);
  if (UnmaskCrc32c(static_cast<uint32_t>(GetLittleEndian(header + 8, 4))) != Crc32c(header, 8)) {
    return corrupt("length CRC mismatch");
  }
  std::string data(length, '\0');
  char footer[4];
  if (std::fread(data.data(), 1, length, file_) != length ||
      std::fread(footer, 1, sizeof(footer), file_) != sizeof(footer)) {
    return corrupt("truncated data");
  }
  if (UnmaskCrc32c(static_cast<uint32_t>(GetLittleEndian(footer, 4))) !=
      Crc32c(data.data(), data.size())) {
    return corrupt("data CRC mismatch");
  }
  offset_ += sizeof(header) + length + sizeof(footer);
  return std::optional<std::string>(std::move(data));
}

}  // namespace trm
