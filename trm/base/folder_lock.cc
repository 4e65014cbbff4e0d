#include "trm/base/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace trm {
namespace {

std::string ReadHolder(int fd) {
  char buffer[256] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  return n > 0 ? std::string(absl::StripAsciiWhitespace(std::string(buffer, n))) : "";
}

}  // namespace

absl::StatusOr<std::unique_ptr<FolderLock>> FolderLock::Acquire(const std::string& dir,
                                                                const std::string& name,
                                                                const Options& options) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  const std::string path = dir + "/" + name;
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | (options.inheritable ? 0 : O_CLOEXEC), 0644);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat(path, ": ", std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    const std::string holder = ReadHolder(fd);
    close(fd);
    if (saved != EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat(path, ": flock: ", std::strerror(saved)));
    }
    std::string who = "another process";
    if (const size_t space = holder.find(' '); space != std::string::npos) {
      who = absl::StrCat("pid ", holder.substr(0, space), " on host ", holder.substr(space + 1));
    }
    return absl::UnavailableError(
        absl::StrCat(options.what, " ", dir, " is in use by ", who, " (lock ", path, ")"));
  }
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string holder = absl::StrCat(getpid(), " ", host, "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, holder.data(), holder.size(), 0) < 0) {
    const int saved = errno;
    close(fd);
    return absl::DataLossError(absl::StrCat(path, ": ", std::strerror(saved)));
  }
  return std::unique_ptr<FolderLock>(new FolderLock(path, fd));
}

bool FolderLock::IsHeld(const std::string& dir, const std::string& name) {
  const int fd = open((dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

FolderLock::~FolderLock() { close(fd_); }

}  // namespace trm
