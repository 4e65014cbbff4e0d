// A well-formed plugin: registers one greeter.
#include <string>

#include "trm/plugin/plugin_api.h"
#include "trm/plugin/testdata/greeter.h"

namespace trm::testing {
namespace {

class Hello : public Greeter {
 public:
  explicit Hello(const std::string& who) : who_(who) {}
  std::string Greet() const override { return "hello " + who_; }

 private:
  std::string who_;
};

TRM_REGISTER_CLASS(GreeterRegistry, "hello", Hello, "says hello");

}  // namespace
}  // namespace trm::testing

// Lets the test compare the registry this plugin sees with the host's.
extern "C" __attribute__((visibility("default"))) const void* hello_plugin_registry_address() {
  return &trm::testing::GreeterRegistry();
}

TRM_PLUGIN("test_hello", "test plugin: one greeter");
