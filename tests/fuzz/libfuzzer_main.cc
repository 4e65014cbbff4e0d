// libFuzzer's entry points for a binary that links exactly one fuzz target (tools/fuzz.sh builds
// one such binary per target with clang's -fsanitize=fuzzer). Not part of the Bazel build.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (trm::fuzz::FuzzTargets().size() != 1) {
    std::fprintf(stderr, "a fuzzer binary must link exactly one target, this one has %zu\n",
                 trm::fuzz::FuzzTargets().size());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const trm::fuzz::FuzzFunction target = trm::fuzz::FuzzTargets().begin()->second;
  target(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
