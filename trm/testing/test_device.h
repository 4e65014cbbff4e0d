// The device of the tests that also run on a GPU: tools/gpu/device_check.sh sets
// TRM_TEST_DEVICE=cuda for its ctest run.
#ifndef TRM_TESTING_TEST_DEVICE_H_
#define TRM_TESTING_TEST_DEVICE_H_

#include <string>

namespace trm::testing {

// $TRM_TEST_DEVICE ("cuda", "cuda:N"), or "cpu" when it is unset or empty.
std::string TestDevice();

}  // namespace trm::testing

#endif  // TRM_TESTING_TEST_DEVICE_H_
