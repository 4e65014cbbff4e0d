// Tensor comparisons with the fixtures' tolerance rules (fixtures/README §3), each producing one
// reportable line.
#ifndef TOOLS_REPLAY_COMPARE_H_
#define TOOLS_REPLAY_COMPARE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace trm::parity {

struct Comparison {
  std::string name;
  // Largest |actual - expected| (for argmax and exact integer comparisons: mismatch count).
  double max_abs_error = 0;
  std::string tolerance;
  bool pass = false;
  // Why it failed when that is not a number (shape mismatch, missing tensor, ...).
  std::string note;
};

// "name  max_abs_err  tolerance  PASS|FAIL  [note]" with aligned columns.
std::string FormatComparison(const Comparison& comparison);

// Element-wise |a - b| <= atol + rtol·|b|.
Comparison CompareClose(const std::string& name, const at::Tensor& actual,
                        const at::Tensor& expected, double atol, double rtol);

// Bit-for-bit equal values (integer tensors, booleans, bf16 buffers).
Comparison CompareExact(const std::string& name, const at::Tensor& actual,
                        const at::Tensor& expected);

// Per tensor: max|g - g_ref| <= atol_rel·max|g_ref| + 1e-7.
Comparison CompareGradient(const std::string& name, const at::Tensor& actual,
                           const at::Tensor& expected, double atol_rel);

// Integer predictions where at most `allowed_mismatches` positions may differ (argmax flips at
// positions whose top-2 gap is within float noise).
Comparison CompareArgmax(const std::string& name, const at::Tensor& actual,
                         const at::Tensor& expected, int64_t allowed_mismatches);

// A failed line for an expected tensor that nothing produced.
Comparison Missing(const std::string& name, const std::string& why);

}  // namespace trm::parity

#endif  // TOOLS_REPLAY_COMPARE_H_
