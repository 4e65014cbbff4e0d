// Helpers shared by the ARC plugin's tests.
#ifndef PLUGINS_ARC_TEST_UTIL_H_
#define PLUGINS_ARC_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "trm/base/file_util.h"
#include "trm/data/sha256.h"

namespace trm::arc::testing {

// The ARC task files of @arc_data in the test's runfiles ("" when the repository is empty).
inline std::string ArcDataDir() {
  namespace fs = std::filesystem;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return "";
  for (const fs::path& dir : {fs::path(srcdir) / "arc_data", fs::path(srcdir) / "trm/external/arc_data"}) {
    if (fs::exists(dir / "arc-agi_training2_challenges.json")) return dir.string();
  }
  return "";
}

// A fresh, empty folder under $TEST_TMPDIR.
inline std::string FreshDir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

inline std::string FileSha256(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? Sha256Hex(*bytes) : "";
}

}  // namespace trm::arc::testing

#endif  // PLUGINS_ARC_TEST_UTIL_H_
