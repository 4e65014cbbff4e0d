#include "trm/base/terminal.h"

#include <unistd.h>

#include <cstdlib>

namespace trm {

bool WantsColor(std::FILE* stream) {
  return std::getenv("NO_COLOR") == nullptr && isatty(fileno(stream));
}

}  // namespace trm
