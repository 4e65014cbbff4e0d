#include "trm/nn/init.h"

#include <cmath>

namespace trm::nn {

namespace {

// Variance of the unit normal truncated to [lower, upper]. Same expression order as the reference,
// so that the double constants agree to the last bit.
double TruncatedUnitVariance(double lower, double upper) {
  const double sqrt2 = std::sqrt(2.0);
  const double a = std::erf(lower / sqrt2);
  const double b = std::erf(upper / sqrt2);
  const double z = (b - a) / 2;
  const double c = std::pow(2 * M_PI, -0.5);
  const double pdf_u = c * std::exp(-0.5 * lower * lower);
  const double pdf_l = c * std::exp(-0.5 * upper * upper);
  const double ratio = (pdf_u - pdf_l) / z;
  return 1 - (upper * pdf_u - lower * pdf_l) / z - ratio * ratio;
}

}  // namespace

double TruncNormalStdCorrection(double lower, double upper) {
  return 1.0 / std::sqrt(TruncatedUnitVariance(lower, upper));
}

void TruncNormalInit_(at::Tensor& tensor, double std, double lower, double upper) {
  at::NoGradGuard no_grad;
  if (std == 0) {
    tensor.zero_();
    return;
  }
  const double sqrt2 = std::sqrt(2.0);
  const double comp_std = std / std::sqrt(TruncatedUnitVariance(lower, upper));
  tensor.uniform_(std::erf(lower / sqrt2), std::erf(upper / sqrt2));
  tensor.erfinv_();
  tensor.mul_(sqrt2 * comp_std);
  tensor.clamp_(lower * comp_std, upper * comp_std);
}

}  // namespace trm::nn
