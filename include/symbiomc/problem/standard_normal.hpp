#pragma once
// The standard normal's inverse CDF and CDF, as the sampling loop needs them: the Gaussian copula
// of rank-correlated inputs maps every correlated parameter through both, and normal,
// truncated-normal and lognormal marginals through the inverse, so a run of the biomass case
// makes about 50 of these calls. Boost.Math's versions (through erf_inv and erf) were a fifth of
// an uncertainty run (issue 14 profile); these are 2-3x cheaper and agree with Boost to a few ulps.
//
// Inverse: Wichura, M. J. (1988), "Algorithm AS 241: The percentage points of the normal
// distribution", Journal of the Royal Statistical Society C (Applied Statistics) 37(3):477-484,
// PPND16: rational approximations in the centre (|p - 0.5| <= 0.425) and in sqrt(-log(min(p, 1-p)))
// in the tails, relative error about 1e-16 stated by the paper. Checked against Boost.Math's
// quantile over the whole double range of p (tests/test_standard_normal.cpp).
// CDF: Phi(z) = erfc(-z / sqrt 2) / 2 with the C library's erfc, which keeps full relative
// accuracy in the lower tail (1 - Phi would not).

namespace symbiomc {

/// Phi^-1(p) for p in (0, 1); -inf at p = 0, +inf at p = 1, NaN outside [0, 1] or for NaN.
/// Thread-safe, no allocation.
[[nodiscard]] double standard_normal_quantile(double p) noexcept;

/// Phi(z); 0 at -inf, 1 at +inf, NaN for NaN. Thread-safe, no allocation.
[[nodiscard]] double standard_normal_cdf(double z) noexcept;

/// Phi(z) clamped into the open unit interval, the uniform a marginal's quantile takes: the
/// Gaussian copula's way back from normal scores (RankCorrelation::apply, Shapley's conditional
/// draws). Phi rounds to 1 for z > ~8.3 and to 0 far in the lower tail, and a quantile at 0 or
/// 1 is infinite for an unbounded marginal.
[[nodiscard]] double standard_normal_cdf_in_open_unit_interval(double z) noexcept;

}  // namespace symbiomc
