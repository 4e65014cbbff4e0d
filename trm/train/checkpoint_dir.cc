#include "trm/train/checkpoint_dir.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/base/file_util.h"
#include "trm/logging/crc32c.h"

namespace trm {
namespace fs = std::filesystem;
namespace {

const std::regex& CompletedName() {
  static const auto* const regex = new std::regex("step_([0-9]+)");
  return *regex;
}

absl::Status IoError(const std::string& what, const std::string& path, const std::error_code& e) {
  return absl::PermissionDeniedError(absl::StrCat("cannot ", what, " ", path, ": ", e.message()));
}

}  // namespace

std::string CheckpointDir::PathFor(int64_t step) const {
  return absl::StrFormat("%s/step_%d", root_, step);
}

std::string CheckpointDir::StagingPathFor(int64_t step) const { return PathFor(step) + ".tmp"; }

absl::StatusOr<std::vector<int64_t>> CheckpointDir::CompletedSteps() const {
  std::vector<int64_t> steps;
  std::error_code error;
  if (!fs::exists(root_, error)) return steps;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_, error)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && std::regex_match(name, match, CompletedName())) {
      steps.push_back(std::stoll(match[1].str()));
    }
  }
  if (error) return IoError("list", root_, error);
  std::sort(steps.begin(), steps.end());
  return steps;
}

namespace {

// CRC-32C and size of a file, read in 4 MiB pieces.
absl::StatusOr<std::pair<uint32_t, uint64_t>> FileCrc32c(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::DataLossError(absl::StrCat(path, ": cannot open"));
  std::vector<char> buffer(4 << 20);
  uint32_t crc = 0;
  uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    crc = Crc32cExtend(crc, buffer.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return std::make_pair(crc, size);
}

}  // namespace

absl::Status WriteChecksumFile(const std::string& path) {
  absl::StatusOr<std::pair<uint32_t, uint64_t>> sum = FileCrc32c(path);
  if (!sum.ok()) return sum.status();
  return WriteFileAtomically(path + ".crc32c",
                             absl::StrFormat("%08x %d\n", sum->first, sum->second));
}

absl::Status VerifyChecksumFile(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path + ".crc32c", error)) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFileToString(path + ".crc32c");
  if (!text.ok()) return text.status();
  uint32_t expected_crc = 0;
  unsigned long long expected_size = 0;
  if (std::sscanf(text->c_str(), "%8x %llu", &expected_crc, &expected_size) != 2) {
    return absl::DataLossError(absl::StrCat(path, ".crc32c: not a checksum file"));
  }
  absl::StatusOr<std::pair<uint32_t, uint64_t>> sum = FileCrc32c(path);
  if (!sum.ok()) return sum.status();
  if (sum->second != expected_size) {
    return absl::DataLossError(absl::StrCat(path, ": ", sum->second, " bytes, ", expected_size,
                                            " when written (truncated?)"));
  }
  if (sum->first != expected_crc) {
    return absl::DataLossError(
        absl::StrFormat("%s: CRC-32C %08x, %08x when written (corrupted)", path, sum->first,
                        expected_crc));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> CheckpointDir::Latest() const {
  absl::StatusOr<std::vector<int64_t>> steps = CompletedSteps();
  if (!steps.ok()) return steps.status();
  if (steps->empty()) return std::optional<std::string>();
  return std::optional<std::string>(PathFor(steps->back()));
}

absl::StatusOr<std::string> CheckpointDir::BeginStaging(int64_t step) const {
  const std::string staging = StagingPathFor(step);
  std::error_code error;
  fs::remove_all(staging, error);
  if (error) return IoError("remove", staging, error);
  fs::create_directories(staging, error);
  if (error) return IoError("create", staging, error);
  return staging;
}

absl::Status CheckpointDir::Commit(int64_t step) const {
  const std::string staging = StagingPathFor(step);
  const std::string target = PathFor(step);
  if (absl::Status s = SyncDirectory(staging); !s.ok()) return s;
  std::error_code error;
  // rename() cannot replace a non-empty folder: move an older copy aside first.
  const std::string replaced = target + ".old.tmp";
  const bool had_old = fs::exists(target, error);
  if (had_old) {
    fs::remove_all(replaced, error);
    fs::rename(target, replaced, error);
    if (error) return IoError("move aside", target, error);
  }
  fs::rename(staging, target, error);
  if (error) return IoError("rename", staging, error);
  if (absl::Status s = SyncDirectory(root_); !s.ok()) return s;
  if (had_old) fs::remove_all(replaced, error);
  return absl::OkStatus();
}

absl::Status CheckpointDir::Prune(int keep) const {
  if (keep <= 0) return absl::OkStatus();
  absl::StatusOr<std::vector<int64_t>> steps = CompletedSteps();
  if (!steps.ok()) return steps.status();
  for (size_t i = 0; i + keep < steps->size(); ++i) {
    std::error_code error;
    fs::remove_all(PathFor((*steps)[i]), error);
    if (error) return IoError("remove", PathFor((*steps)[i]), error);
  }
  return absl::OkStatus();
}

absl::Status CheckpointDir::RemoveStaging() const {
  std::error_code error;
  if (!fs::exists(root_, error)) return absl::OkStatus();
  std::vector<fs::path> stale;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0)
      stale.push_back(entry.path());
  }
  for (const fs::path& path : stale) {
    fs::remove_all(path, error);
    if (error) return IoError("remove", path.string(), error);
  }
  return absl::OkStatus();
}

}  // namespace trm
