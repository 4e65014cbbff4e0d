// Fuzz targets: each parser of untrusted input has one function that feeds it an arbitrary byte
// string and checks what a bad input must give (an error status, never a crash). The same function
// runs under libFuzzer (libfuzzer_main.cc, built by tools/fuzz.sh) and in the ordinary test suite
// over the kept corpus (corpus_test.cc).
//
// A target is defined in its own file with
//   TRM_FUZZ_TARGET(npy) { ... use `input` (a std::string_view) ... }
// and its seeds and regression inputs live in tests/fuzz/corpus/<name>/ and
// tests/fuzz/regressions/<name>/.
#ifndef TESTS_FUZZ_FUZZ_TARGET_H_
#define TESTS_FUZZ_FUZZ_TARGET_H_

#include <map>
#include <string>
#include <string_view>

namespace trm::fuzz {

using FuzzFunction = void (*)(std::string_view input);

// Registers `function` under `name` (at static initialisation); returns true.
bool RegisterFuzzTarget(const char* name, FuzzFunction function);

// Every target linked into this binary, by name.
const std::map<std::string, FuzzFunction>& FuzzTargets();

// Prints "fuzz check failed: <what> (<file>:<line>)" and aborts: a finding for libFuzzer, a
// failure for the corpus test.
[[noreturn]] void FuzzCheckFailed(const char* what, const std::string& detail, const char* file,
                                  int line);

}  // namespace trm::fuzz

#define TRM_FUZZ_CHECK(condition, detail)                                                \
  do {                                                                                   \
    if (!(condition)) ::trm::fuzz::FuzzCheckFailed(#condition, (detail), __FILE__, __LINE__); \
  } while (false)

#define TRM_FUZZ_TARGET(name)                                                              \
  static void TrmFuzzTarget_##name(std::string_view input);                                \
  [[maybe_unused]] static const bool trm_fuzz_registered_##name =                          \
      ::trm::fuzz::RegisterFuzzTarget(#name, TrmFuzzTarget_##name);                        \
  static void TrmFuzzTarget_##name(std::string_view input)

#endif  // TESTS_FUZZ_FUZZ_TARGET_H_
