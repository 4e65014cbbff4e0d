#include "trm/train/checkpoint_dir.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "trm/base/file_util.h"

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
