// Builds a folder atomically: everything is written into a hidden temporary sibling
// (`.<name>.partial-<pid>-<n>`), which Commit() renames to the final path in one step. Until then
// the final path is untouched; an abandoned build removes its temporary folder, and leftovers of
// killed builds (whose process is gone) are removed by the next build of the same folder.
#ifndef TRM_DATA_STAGING_DIRECTORY_H_
#define TRM_DATA_STAGING_DIRECTORY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trm {

class StagingDirectory {
 public:
  // Fails if `final_path` exists and !overwrite, or if its parent folder does not exist.
  static absl::StatusOr<std::unique_ptr<StagingDirectory>> Create(const std::string& final_path,
                                                                  bool overwrite);
  ~StagingDirectory();
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  // The temporary folder to write into.
  const std::string& path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }

  // Moves the temporary folder to the final path. Without overwrite it fails if the final path
  // appeared meanwhile; with overwrite the old folder is swapped out atomically, then deleted.
  absl::Status Commit();

 private:
  StagingDirectory(std::string final_path, std::string temp_path, bool overwrite);

  std::string final_path_;
  std::string temp_path_;
  bool overwrite_;
  bool committed_ = false;
};

}  // namespace trm

#endif  // TRM_DATA_STAGING_DIRECTORY_H_
