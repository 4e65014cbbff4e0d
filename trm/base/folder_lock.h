// An exclusive lock on a folder that names its holder: flock(2) on `<dir>/<name>`, whose contents
// are the holder's "pid host". The kernel releases the lock when its last descriptor closes —
// the holder exits, is killed, or its machine's NFS client goes away — so a lock is never stale:
// a resume after kill -9 finds the folder free.
//
//   absl::StatusOr<std::unique_ptr<FolderLock>> lock = FolderLock::Acquire(run_dir, ".train.lock");
//   // !ok: "run folder runs/x is in use by pid 123 on host gpu7 (lock runs/x/.train.lock)"
#ifndef TRM_BASE_FOLDER_LOCK_H_
#define TRM_BASE_FOLDER_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace trm {

class FolderLock {
 public:
  struct Options {
    // Child processes (fork + exec) inherit the descriptor and keep the folder locked while they
    // live, after this process has gone.
    bool inheritable = false;
    // Named in the refusal: "<what> <dir> is in use by ...".
    std::string what = "folder";
  };

  // Creates `dir` if needed and takes the lock without waiting. Held by another process: an
  // Unavailable error naming the holder's pid and host.
  static absl::StatusOr<std::unique_ptr<FolderLock>> Acquire(const std::string& dir,
                                                             const std::string& name,
                                                             const Options& options);
  static absl::StatusOr<std::unique_ptr<FolderLock>> Acquire(const std::string& dir,
                                                             const std::string& name) {
    return Acquire(dir, name, Options());
  }

  // Whether some process (this one included) holds the lock now.
  static bool IsHeld(const std::string& dir, const std::string& name);

  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  FolderLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
};

}  // namespace trm

#endif  // TRM_BASE_FOLDER_LOCK_H_
