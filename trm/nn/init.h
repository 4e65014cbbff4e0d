// The reference's truncated-normal initialiser (spec §2.1): JAX-style, std-corrected, truncated at
// two (pre-correction) standard deviations, drawn from the tensor's device generator.
#ifndef TRM_NN_INIT_H_
#define TRM_NN_INIT_H_

#include <ATen/ATen.h>

namespace trm::nn {

// Correction factor: the standard deviation of the unit normal truncated to [lower, upper] is
// 1 / factor, so sampling with std * factor gives a true standard deviation of std.
double TruncNormalStdCorrection(double lower = -2.0, double upper = 2.0);

// Fills `tensor` in place: uniform_(erf(lower/√2), erf(upper/√2)), erfinv_, mul_(√2·c),
// clamp_(lower·c, upper·c) with c = std · TruncNormalStdCorrection(). std == 0 zero-fills without
// consuming randomness. The arithmetic runs in the tensor's own dtype, as in the reference.
void TruncNormalInit_(at::Tensor& tensor, double std, double lower = -2.0, double upper = 2.0);

}  // namespace trm::nn

#endif  // TRM_NN_INIT_H_
