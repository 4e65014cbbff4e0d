// Runs every fuzz target linked into this test over its kept inputs: the seeds in
// tests/fuzz/corpus/<target>/ and the inputs that once crashed it in tests/fuzz/regressions/<target>/.
// A target aborts on a finding, so a crash or a failed check fails the test (the file being run is
// printed first).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/fuzz_target.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace trm::fuzz {
namespace {

namespace fs = std::filesystem;
using bazel::tools::cpp::runfiles::Runfiles;

std::string FuzzDir(const std::string& kind, const std::string& target) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return "";
  return runfiles->Rlocation("trm/tests/fuzz/" + kind + "/" + target);
}

// Files under `dir` (recursively), sorted; none when it does not exist.
std::vector<fs::path> Files(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int RunFiles(FuzzFunction target, const std::vector<fs::path>& files) {
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "running %s (%zu bytes)\n", file.string().c_str(), input.size());
    target(input);
  }
  return static_cast<int>(files.size());
}

class CorpusTest : public testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, SeedsRunCleanly) {
  const std::vector<fs::path> seeds = Files(FuzzDir("corpus", GetParam()));
  ASSERT_FALSE(seeds.empty()) << "no seeds in tests/fuzz/corpus/" << GetParam();
  RunFiles(FuzzTargets().at(GetParam()), seeds);
}

TEST_P(CorpusTest, RegressionsRunCleanly) {
  RunFiles(FuzzTargets().at(GetParam()), Files(FuzzDir("regressions", GetParam())));
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const auto& [name, unused] : FuzzTargets()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Targets, CorpusTest, testing::ValuesIn(TargetNames()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace trm::fuzz
