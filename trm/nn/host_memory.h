// Host-memory allocator tuning for tensor workloads.
#ifndef TRM_NN_HOST_MEMORY_H_
#define TRM_NN_HOST_MEMORY_H_

namespace trm::nn {

// glibc gives large freed blocks back to the kernel (munmap above the mmap threshold, heap
// trimming above the trim threshold), so every training or evaluation step page-faults its
// activations in again and the kernel zeroes each page (the reference lost about half of its
// evaluation time to this, perf_reference.md). This keeps blocks up to glibc's maximum mmap
// threshold (32 MiB) in the heap and stops trimming it, so steady-state steps reuse memory.
// Call once at start-up, before the first large allocation.
void KeepFreedTensorMemoryForReuse();

}  // namespace trm::nn

#endif  // TRM_NN_HOST_MEMORY_H_
