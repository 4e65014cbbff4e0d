#include "trm/nn/host_memory.h"

#include <malloc.h>

namespace trm::nn {

void KeepFreedTensorMemoryForReuse() {
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit systems.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace trm::nn
