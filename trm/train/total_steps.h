// The reference's number of optimizer steps (spec §1.3).
#ifndef TRM_TRAIN_TOTAL_STEPS_H_
#define TRM_TRAIN_TOTAL_STEPS_H_

#include <cstdint>

namespace trm {

// int(epochs * total_groups * mean_puzzle_examples / global_batch_size), evaluated as Python
// does: an integer product, then float multiplication and division, truncated toward zero.
inline int64_t ReferenceTotalSteps(int64_t epochs, int64_t total_groups,
                                   double mean_puzzle_examples, int64_t global_batch_size) {
  const double steps = static_cast<double>(epochs * total_groups) * mean_puzzle_examples /
                       static_cast<double>(global_batch_size);
  return static_cast<int64_t>(steps);
}

}  // namespace trm

#endif  // TRM_TRAIN_TOTAL_STEPS_H_
