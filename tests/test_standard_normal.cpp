// The standard normal quantile (AS 241) and CDF against Boost.Math, evaluated in long double
// (Boost's default policy promotes double arguments, so its reference is more accurate than
// the double results it is compared with), against tabulated values, and for the behaviour at the
// ends of its domain and across AS 241's branch points.
#include "symbiomc/problem/standard_normal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <vector>

#include <boost/math/distributions/normal.hpp>

namespace symbiomc {
namespace {

double reference_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }
double reference_cdf(double z) { return boost::math::cdf(boost::math::normal_distribution<double>(), z); }

// p across the whole double range: the centre on a fine grid, both tails down to 1e-300 and the
// smallest subnormal (lower) and to 1 - 2^-53 (upper).
std::vector<double> probabilities() {
  std::vector<double> ps;
  for (int k = 1; k < 4096; ++k) ps.push_back(k / 4096.0);
  for (double e = 1.0; e <= 300.0; e += 0.05) ps.push_back(std::pow(10.0, -e));
  ps.push_back(std::numeric_limits<double>::denorm_min());
  for (int k = 1; k <= 53; ++k) ps.push_back(1.0 - std::ldexp(1.0, -k));
  for (double e = 1.0; e <= 15.9; e += 0.05) ps.push_back(1.0 - std::pow(10.0, -e));
  return ps;
}

// d log Phi / d log|z| grows as z^2 in the lower tail, so a relative error d in z (or in the
// argument of erfc) becomes about z^2 d in Phi: `ulps` ulps of z, plus a few of Phi itself.
double tail_error_bound(double z, double ulps) { return (ulps * z * z + 8.0) * std::numeric_limits<double>::epsilon(); }

double relative_difference(double a, double reference) {
  return reference == 0.0 ? std::fabs(a) : std::fabs(a - reference) / std::fabs(reference);
}

TEST(StandardNormal, QuantileAgreesWithBoostToAFewUlpsOverTheWholeRange) {
  double worst = 0.0, worst_p = 0.0;
  for (const double p : probabilities()) {
    const double rel = relative_difference(standard_normal_quantile(p), reference_quantile(p));
    if (rel > worst) {
      worst = rel;
      worst_p = p;
    }
  }
  // AS 241 states about 1e-16 relative; the worst measured here is under 5 ulps.
  EXPECT_LE(worst, 8.0 * std::numeric_limits<double>::epsilon()) << "at p = " << worst_p;
  std::cout << "worst relative difference " << worst << " at p = " << worst_p << "\n";
}

TEST(StandardNormal, QuantileMatchesTabulatedValues) {
  // Abramowitz and Stegun, Table 26.5, and Wichura (1988), Table 1, to 16 digits.
  EXPECT_EQ(standard_normal_quantile(0.5), 0.0);
  EXPECT_NEAR(standard_normal_quantile(0.975), 1.959963984540054, 2e-15);
  EXPECT_NEAR(standard_normal_quantile(0.025), -1.959963984540054, 2e-15);
  EXPECT_NEAR(standard_normal_quantile(0.995), 2.575829303548901, 2e-15);
  EXPECT_NEAR(standard_normal_quantile(0.999), 3.090232306167814, 2e-15);
  EXPECT_NEAR(standard_normal_quantile(0.25), -0.6744897501960817, 1e-15);
  EXPECT_NEAR(standard_normal_quantile(1e-20), -9.262340089798408, 1e-14);
}

TEST(StandardNormal, QuantileEndsAndInvalidArguments) {
  EXPECT_EQ(standard_normal_quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(standard_normal_quantile(1.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(standard_normal_quantile(-0.1)));
  EXPECT_TRUE(std::isnan(standard_normal_quantile(1.5)));
  EXPECT_TRUE(std::isnan(standard_normal_quantile(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::isfinite(standard_normal_quantile(std::numeric_limits<double>::denorm_min())));
}

// Increasing across AS 241's three branch points (|p - 0.5| = 0.425, and min(p, 1 - p) = e^-25,
// where sqrt(-log) reaches 5), stepping one ulp of p at a time around each. The two rational
// approximations meeting at a branch point agree to a few ulps of z, not to the bit, so a step
// may go back by at most that much; the uncertainty loop never relies on more.
TEST(StandardNormal, QuantileIncreasesAcrossItsBranchPointsToAFewUlps) {
  double worst_step_back = 0.0;
  for (const double centre : {0.075, 0.925, std::exp(-25.0), 1.0 - std::exp(-25.0)}) {
    double p = centre;
    for (int i = 0; i < 200; ++i) p = std::nextafter(p, 0.0);
    double previous = standard_normal_quantile(p);
    for (int i = 0; i < 400; ++i) {
      p = std::nextafter(p, 1.0);
      const double z = standard_normal_quantile(p);
      worst_step_back = std::max(worst_step_back, (previous - z) / std::fabs(z));
      previous = z;
    }
  }
  EXPECT_LE(worst_step_back, 4.0 * std::numeric_limits<double>::epsilon());
}

TEST(StandardNormal, CdfAgreesWithBoostInBothTails) {
  double worst = 0.0, worst_z = 0.0;
  for (double z = -37.0; z <= 8.5; z += 0.001) {
    // erfc(x) has relative condition number about 2 x^2 for large x, and -z / sqrt(2) is rounded
    // with 1/sqrt(2) to about an ulp, so the lower tail's relative error grows as z^2 eps.
    const double rel = relative_difference(standard_normal_cdf(z), reference_cdf(z)) / tail_error_bound(z, 2.0);
    if (rel > worst) {
      worst = rel;
      worst_z = z;
    }
  }
  EXPECT_LE(worst, 1.0) << "at z = " << worst_z << ", in units of the bound";
  std::cout << "worst " << worst << " of the bound at z = " << worst_z << "\n";
  EXPECT_EQ(standard_normal_cdf(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(standard_normal_cdf(std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(standard_normal_cdf(0.0), 0.5);
}

TEST(StandardNormal, CdfInTheOpenUnitIntervalNeverReachesZeroOrOne) {
  EXPECT_EQ(standard_normal_cdf_in_open_unit_interval(0.0), 0.5);
  EXPECT_EQ(standard_normal_cdf_in_open_unit_interval(1.5), standard_normal_cdf(1.5));
  for (const double z : {9.0, 40.0, std::numeric_limits<double>::infinity()}) {
    EXPECT_LT(standard_normal_cdf_in_open_unit_interval(z), 1.0) << "z = " << z;
    EXPECT_GT(standard_normal_cdf_in_open_unit_interval(-z), 0.0) << "z = " << -z;
    EXPECT_TRUE(std::isfinite(standard_normal_quantile(standard_normal_cdf_in_open_unit_interval(z))));
    EXPECT_TRUE(std::isfinite(standard_normal_quantile(standard_normal_cdf_in_open_unit_interval(-z))));
  }
}

TEST(StandardNormal, CdfInvertsQuantile) {
  for (const double p : probabilities()) {
    if (p < 1e-300 || p > 1.0 - 1e-12) continue;  // beyond, Phi's own rounding of 1 - p dominates
    const double z = standard_normal_quantile(p);
    EXPECT_LE(relative_difference(standard_normal_cdf(z), p), tail_error_bound(z, 8.0)) << "p = " << p;
  }
}

}  // namespace
}  // namespace symbiomc
