#include "tests/testing/runfiles.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/plugin/plugin_loader.h"

namespace trm::testing {
namespace {

using bazel::tools::cpp::runfiles::Runfiles;

const Runfiles& TestRunfiles() {
  static const Runfiles* const runfiles = [] {
    std::string error;
    Runfiles* created = Runfiles::CreateForTest(&error);
    if (created == nullptr) {
      // Without runfiles every lookup fails with a clear path; keep going.
      created = Runfiles::Create("", &error);
    }
    return created;
  }();
  return *runfiles;
}

}  // namespace

std::string RunfilePath(const std::string& workspace_relative) {
  return TestRunfiles().Rlocation("trm/" + workspace_relative);
}

absl::Status LoadPluginsForTest() {
  const std::string dir = RunfilePath("plugins");
  absl::Status status = GlobalPluginLoader().LoadDirectory(dir);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " (add //plugins to the test's data)"));
  }
  return absl::OkStatus();
}

}  // namespace trm::testing
