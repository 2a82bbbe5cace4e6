#include "symbiomc/problem/standard_normal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace symbiomc {

namespace {

// AS 241's coefficients (PPND16), as printed in the paper, highest power first: each
// approximation is a ratio of two degree-7 polynomials, the denominators' constant term 1.
using Ppnd16Coefficients = std::array<double, 8>;
// Centre, |p - 0.5| <= 0.425: Phi^-1(0.5 + q) = q A(r) / B(r), r = 0.180625 - q^2.
constexpr Ppnd16Coefficients CENTRE_A = {2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4,
                                         4.5921953931549871457e+4, 1.3731693765509461125e+4, 1.9715909503065514427e+3,
                                         1.3314166789178437745e+2, 3.3871328727963666080e0};
constexpr Ppnd16Coefficients CENTRE_B = {
    5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4, 2.1213794301586595867e+4,
    5.3941960214247511077e+3, 6.8718700749205790830e+2, 4.2313330701600911252e+1, 1.0};
// Near tails, r = sqrt(-log(tail)) <= 5: C(r - 1.6) / D(r - 1.6).
constexpr Ppnd16Coefficients NEAR_TAIL_C = {
    7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1, 1.27045825245236838258e0,
    3.64784832476320460504e0,  5.76949722146069140550e0,  4.63033784615654529590e0,  1.42343711074968357734e0};
constexpr Ppnd16Coefficients NEAR_TAIL_D = {
    1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2, 1.48103976427480074590e-1,
    6.89767334985100004550e-1, 1.67638483018380384940e0,  2.05319162663775882187e0,  1.0};
// Far tails, r > 5: E(r - 5) / F(r - 5).
constexpr Ppnd16Coefficients FAR_TAIL_E = {
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3, 2.65321895265761230930e-2,
    2.96560571828504891230e-1, 1.78482653991729133580e0,  5.46378491116411436990e0,  6.65790464350110377720e0};
constexpr Ppnd16Coefficients FAR_TAIL_F = {
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5, 7.86869131145613259100e-4,
    1.48753612908506148525e-2,  1.36929880922735805310e-1, 5.99832206555887937690e-1, 1.0};

// Horner's rule, the paper's order of operations.
double ppnd16_polynomial(const Ppnd16Coefficients& c, double r) noexcept {
  double sum = c[0];
  for (std::size_t i = 1; i < c.size(); ++i) sum = sum * r + c[i];
  return sum;
}

double ppnd16_centre(double q) noexcept {
  const double r = 0.180625 - q * q;
  return q * ppnd16_polynomial(CENTRE_A, r) / ppnd16_polynomial(CENTRE_B, r);
}

// -Phi^-1(tail) for tail = min(p, 1 - p) in (0, 0.075).
double ppnd16_tail(double tail) noexcept {
  const double r = std::sqrt(-std::log(tail));
  if (r <= 5.0) return ppnd16_polynomial(NEAR_TAIL_C, r - 1.6) / ppnd16_polynomial(NEAR_TAIL_D, r - 1.6);
  return ppnd16_polynomial(FAR_TAIL_E, r - 5.0) / ppnd16_polynomial(FAR_TAIL_F, r - 5.0);
}

}  // namespace

double standard_normal_quantile(double p) noexcept {
  constexpr double CENTRE_HALF_WIDTH = 0.425;  // AS 241's split between the centre and the tails
  const double q = p - 0.5;
  if (std::fabs(q) <= CENTRE_HALF_WIDTH) return ppnd16_centre(q);
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
  }
  // The lower tail uses p itself, so p down to the smallest subnormal keeps its digits; the upper
  // tail's 1 - p is exact for p > 0.5 (Sterbenz).
  return q < 0.0 ? -ppnd16_tail(p) : ppnd16_tail(1.0 - p);
}

double standard_normal_cdf(double z) noexcept {
  constexpr double ONE_OVER_SQRT_2 = 0.70710678118654752440084436210484903928;
  return 0.5 * std::erfc(-z * ONE_OVER_SQRT_2);
}

double standard_normal_cdf_in_open_unit_interval(double z) noexcept {
  constexpr double U_MIN = std::numeric_limits<double>::min();
  constexpr double U_MAX = 1.0 - std::numeric_limits<double>::epsilon() / 2.0;
  return std::clamp(standard_normal_cdf(z), U_MIN, U_MAX);
}

}  // namespace symbiomc
