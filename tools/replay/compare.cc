#include "tools/replay/compare.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace trm::parity {
namespace {

// Shapes must agree; dtypes may differ (everything is compared in float64).
bool ShapesAgree(const std::string& name, const at::Tensor& actual, const at::Tensor& expected,
                 Comparison* out) {
  out->name = name;
  if (!actual.defined()) {
    out->note = "not produced";
    return false;
  }
  if (actual.sizes() != expected.sizes()) {
    out->note = absl::StrFormat("shape %s, expected %s", c10::str(actual.sizes()),
                                c10::str(expected.sizes()));
    return false;
  }
  return true;
}

double MaxAbs(const at::Tensor& t) { return t.numel() == 0 ? 0.0 : t.abs().max().item<double>(); }

}  // namespace

std::string FormatComparison(const Comparison& c) {
  std::string line = absl::StrFormat("%-60s %12.4g  %-28s %s", c.name, c.max_abs_error, c.tolerance,
                                     c.pass ? "PASS" : "FAIL");
  if (!c.note.empty()) line += "  (" + c.note + ")";
  return line;
}

Comparison CompareClose(const std::string& name, const at::Tensor& actual,
                        const at::Tensor& expected, double atol, double rtol) {
  Comparison c;
  c.tolerance = absl::StrFormat("atol %.2g + rtol %.2g", atol, rtol);
  if (!ShapesAgree(name, actual, expected, &c)) return c;
  const at::Tensor a = actual.detach().to(at::kCPU, at::kDouble);
  const at::Tensor b = expected.to(at::kDouble);
  const at::Tensor error = (a - b).abs();
  c.max_abs_error = MaxAbs(error);
  c.pass = error.le(atol + rtol * b.abs()).all().item<bool>() && a.isfinite().all().item<bool>();
  return c;
}

Comparison CompareExact(const std::string& name, const at::Tensor& actual,
                        const at::Tensor& expected) {
  Comparison c;
  c.tolerance = "exact";
  if (!ShapesAgree(name, actual, expected, &c)) return c;
  const at::Tensor a = actual.detach().to(at::kCPU, at::kDouble);
  const at::Tensor b = expected.to(at::kDouble);
  c.max_abs_error = MaxAbs(a - b);
  c.pass = at::equal(a, b);
  return c;
}

Comparison CompareGradient(const std::string& name, const at::Tensor& actual,
                           const at::Tensor& expected, double atol_rel) {
  Comparison c;
  const at::Tensor b = expected.to(at::kDouble);
  const double bound = atol_rel * MaxAbs(b) + 1e-7;
  c.tolerance = absl::StrFormat("%.2g*max|ref| = %.3g", atol_rel, bound);
  if (!ShapesAgree(name, actual, expected, &c)) return c;
  c.max_abs_error = MaxAbs(actual.detach().to(at::kCPU, at::kDouble) - b);
  c.pass = c.max_abs_error <= bound;
  return c;
}

Comparison CompareArgmax(const std::string& name, const at::Tensor& actual,
                         const at::Tensor& expected, int64_t allowed_mismatches) {
  Comparison c;
  c.tolerance = absl::StrFormat("<= %d mismatches", allowed_mismatches);
  if (!ShapesAgree(name, actual, expected, &c)) return c;
  const int64_t mismatches =
      actual.detach().to(at::kCPU, at::kLong).ne(expected.to(at::kLong)).sum().item<int64_t>();
  c.max_abs_error = static_cast<double>(mismatches);
  c.pass = mismatches <= allowed_mismatches;
  return c;
}

Comparison Missing(const std::string& name, const std::string& why) {
  Comparison c;
  c.name = name;
  c.tolerance = "-";
  c.note = why;
  return c;
}

}  // namespace trm::parity
