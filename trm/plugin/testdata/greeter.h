// A registry that only the loader test defines: plugins built against this header can reach it
// only through the host's exported symbols.
#ifndef TRM_PLUGIN_TESTDATA_GREETER_H_
#define TRM_PLUGIN_TESTDATA_GREETER_H_

#include <string>

#include "trm/registry/registry.h"

namespace trm::testing {

class Greeter {
 public:
  virtual ~Greeter() = default;
  virtual std::string Greet() const = 0;
};

TRM_DECLARE_REGISTRY(GreeterRegistry, Greeter, const std::string&);

}  // namespace trm::testing

#endif  // TRM_PLUGIN_TESTDATA_GREETER_H_
