// Runfiles and plugins for tests (linked into trm_host_test binaries).
#ifndef TESTS_TESTING_RUNFILES_H_
#define TESTS_TESTING_RUNFILES_H_

#include <string>

#include "absl/status/status.h"

namespace trm::testing {

// Absolute path of a runfile given relative to the workspace root ("tests/golden/ops").
std::string RunfilePath(const std::string& workspace_relative);

// Loads every plugin of //plugins:plugins (the test must list it in `data`). Idempotent.
absl::Status LoadPluginsForTest();

}  // namespace trm::testing

#endif  // TESTS_TESTING_RUNFILES_H_
