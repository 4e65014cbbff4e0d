// Terminal output.
#ifndef TRM_BASE_TERMINAL_H_
#define TRM_BASE_TERMINAL_H_

#include <cstdio>

namespace trm {

// Whether to colour output written to `stream`: it is a terminal and $NO_COLOR is unset.
bool WantsColor(std::FILE* stream);

}  // namespace trm

#endif  // TRM_BASE_TERMINAL_H_
