#include "trm/data/staging_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "trm/base/file_util.h"

namespace trm {
namespace {

namespace fs = std::filesystem;

std::string PartialPrefix(const fs::path& final_path) {
  return absl::StrCat(".", final_path.filename().string(), ".partial-");
}

// Removes `.<name>.partial-<pid>-<n>` folders whose process no longer exists.
void RemoveAbandoned(const fs::path& final_path) {
  const std::string prefix = PartialPrefix(final_path);
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(final_path.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!absl::StartsWith(name, prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    int pid = 0;
    if (!absl::SimpleAtoi(rest.substr(0, rest.find('-')), &pid) || pid <= 0) continue;
    if (kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

StagingDirectory::StagingDirectory(std::string final_path, std::string temp_path, bool overwrite)
    : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), overwrite_(overwrite) {}

absl::StatusOr<std::unique_ptr<StagingDirectory>> StagingDirectory::Create(
    const std::string& final_path_in, bool overwrite) {
  if (final_path_in.empty()) return absl::InvalidArgumentError("empty output path");
  const fs::path final_path = fs::path(final_path_in).lexically_normal();
  if (final_path.filename().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(final_path_in, ": not a folder name"));
  }
  std::error_code ec;
  const fs::path parent = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) {
    return absl::NotFoundError(
        absl::StrCat(final_path.string(), ": parent folder ", parent.string(), " does not exist"));
  }
  if (fs::exists(final_path, ec) && !overwrite) {
    return absl::AlreadyExistsError(
        absl::StrCat(final_path.string(), " already exists (pass --overwrite to replace it)"));
  }
  RemoveAbandoned(parent / final_path.filename());
  static std::atomic<int> counter{0};
  const fs::path temp = parent / absl::StrCat(PartialPrefix(final_path), getpid(), "-", counter++);
  if (!fs::create_directory(temp, ec)) {
    return absl::InternalError(absl::StrCat(temp.string(), ": cannot create: ", ec.message()));
  }
  return std::unique_ptr<StagingDirectory>(
      new StagingDirectory(final_path.string(), temp.string(), overwrite));
}

StagingDirectory::~StagingDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_path_, ec);
  }
}

absl::Status StagingDirectory::Commit() {
  if (committed_)
    return absl::FailedPreconditionError(absl::StrCat(final_path_, ": committed twice"));
  const fs::path final_path(final_path_);
  const std::string parent = final_path.has_parent_path() ? final_path.parent_path().string() : ".";
  std::error_code ec;
  const bool replace = overwrite_ && fs::exists(final_path, ec);
  if (replace) {
    // Swap the two folders in one step, then delete the old one (now at the temporary path).
    if (renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, final_path_.c_str(), RENAME_EXCHANGE) !=
        0) {
      if (errno != EINVAL && errno != ENOSYS) {
        return absl::InternalError(
            absl::StrCat("cannot replace ", final_path_, ": ", std::strerror(errno)));
      }
      // File systems without RENAME_EXCHANGE: move the old folder aside first.
      const std::string old = temp_path_ + ".old";
      if (rename(final_path_.c_str(), old.c_str()) != 0 ||
          rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
        return absl::InternalError(
            absl::StrCat("cannot replace ", final_path_, ": ", std::strerror(errno)));
      }
      committed_ = true;
      fs::remove_all(old, ec);
      return SyncDirectory(parent);
    }
    committed_ = true;
    fs::remove_all(temp_path_, ec);
  } else {
    if (renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, final_path_.c_str(), RENAME_NOREPLACE) !=
        0) {
      if (errno == EEXIST || errno == ENOTEMPTY) {
        return absl::AlreadyExistsError(
            absl::StrCat(final_path_, " appeared while building (pass --overwrite to replace it)"));
      }
      return absl::InternalError(absl::StrCat("cannot rename ", temp_path_, " to ", final_path_,
                                              ": ", std::strerror(errno)));
    }
    committed_ = true;
  }
  return SyncDirectory(parent);
}

}  // namespace trm
