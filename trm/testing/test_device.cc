#include "trm/testing/test_device.h"

#include <cstdlib>

namespace trm::testing {

std::string TestDevice() {
  const char* device = std::getenv("TRM_TEST_DEVICE");
  return device == nullptr || *device == '\0' ? "cpu" : device;
}

}  // namespace trm::testing
