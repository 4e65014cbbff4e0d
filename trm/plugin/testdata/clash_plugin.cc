// Registers a greeter under a name that hello_plugin already uses.
#include "trm/plugin/plugin_api.h"
#include "trm/plugin/testdata/greeter.h"

namespace trm::testing {
namespace {

class OtherHello : public Greeter {
 public:
  explicit OtherHello(const std::string&) {}
  std::string Greet() const override { return "hi"; }
};

TRM_REGISTER_CLASS(GreeterRegistry, "hello", OtherHello, "a second 'hello'");

}  // namespace
}  // namespace trm::testing

TRM_PLUGIN("test_clash", "test plugin: duplicate registration");
