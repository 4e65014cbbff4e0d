#include "tests/fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>

namespace trm::fuzz {
namespace {

std::map<std::string, FuzzFunction>& Targets() {
  static auto* targets = new std::map<std::string, FuzzFunction>;
  return *targets;
}

}  // namespace

bool RegisterFuzzTarget(const char* name, FuzzFunction function) {
  if (!Targets().emplace(name, function).second) {
    std::fprintf(stderr, "fuzz target '%s' registered twice\n", name);
    std::abort();
  }
  return true;
}

const std::map<std::string, FuzzFunction>& FuzzTargets() { return Targets(); }

void FuzzCheckFailed(const char* what, const std::string& detail, const char* file, int line) {
  std::fprintf(stderr, "fuzz check failed: %s (%s:%d)%s%s\n", what, file, line,
               detail.empty() ? "" : ": ", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace trm::fuzz
