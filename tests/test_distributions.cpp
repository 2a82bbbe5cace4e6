// Statistical and analytic checks of every input distribution: sample moments of quantile
// draws against closed forms, quantile/CDF round trips, a Kolmogorov-Smirnov bound, and the
// two lognormal parameterisations. Seeds are fixed, so every run draws the same numbers.

#include "symbiomc/problem/distributions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>

#include "support/random.hpp"

namespace symbiomc {
namespace {

constexpr std::size_t N_DRAWS = 200000;
constexpr double INF = std::numeric_limits<double>::infinity();

using test::open_uniform;

std::vector<double> draw(const Distribution& dist, std::uint64_t seed, std::size_t n) {
  test::TestEngine rng(seed);
  std::vector<double> xs(n);
  for (auto& x : xs) x = quantile(dist, open_uniform(rng));
  return xs;
}

/// An engine stuck at one output, to feed open_uniform the extreme 64-bit words.
struct ConstantEngine {
  std::uint64_t word;
  std::uint64_t operator()() const noexcept { return word; }
};

// The uniforms these tests feed the quantiles must never be 0 or 1 (a normal quantile would be
// infinite). The earlier (k + 1/2) * 2^-53 with k the top 53 bits rounded to exactly 1.0 for the
// largest words; (k + 1/2) * 2^-52 with 52 bits is exact everywhere.
TEST(OpenUniform, StaysStrictlyInsideZeroOneAtTheEngineExtremes) {
  constexpr std::uint64_t largest = std::numeric_limits<std::uint64_t>::max();  // 2^64 - 1
  ConstantEngine zero{0}, ones{largest};
  EXPECT_EQ(open_uniform(zero), 0x1p-53);
  EXPECT_EQ(open_uniform(ones), 1.0 - 0x1p-53);
  EXPECT_GT(open_uniform(zero), 0.0);
  EXPECT_LT(open_uniform(ones), 1.0);
  EXPECT_EQ(open_uniform(zero) + open_uniform(ones), 1.0);  // symmetric about 1/2
  // The old map at the largest word, for the record: exactly 1.0.
  EXPECT_EQ((static_cast<double>(largest >> 11) + 0.5) * 0x1p-53, 1.0);
  // What the quantiles get from the extremes is finite.
  const Distribution normal = Normal(0.0, 1.0);
  EXPECT_TRUE(std::isfinite(quantile(normal, open_uniform(zero))));
  EXPECT_TRUE(std::isfinite(quantile(normal, open_uniform(ones))));
}

struct Case {
  std::string name;  // GoogleTest parameter name (CamelCase, no underscores)
  Distribution dist;
  std::uint64_t seed;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name << " " << to_string(c.dist); }

class EveryDistribution : public ::testing::TestWithParam<Case> {};

TEST_P(EveryDistribution, SampleMomentsMatchAnalyticWithinFiveStandardErrors) {
  const auto& [name, dist, seed] = GetParam();
  const auto xs = draw(dist, seed, N_DRAWS);
  const double n = static_cast<double>(xs.size());
  double m = 0.0;
  for (double x : xs) m += x;
  m /= n;
  double m2 = 0.0, m4 = 0.0;
  for (double x : xs) {
    const double e = (x - m) * (x - m);
    m2 += e;
    m4 += e * e;
  }
  const double s2 = m2 / (n - 1.0);
  m4 /= n;
  const double mu = mean(dist), var = variance(dist);
  // Standard error of the sample mean is sd/sqrt(n); that of the sample variance is
  // sqrt((mu4 - sigma^4)/n), mu4 estimated from the same draws. 5 SE: a false alarm has
  // probability < 1e-6 per check, and the seeds are fixed anyway.
  EXPECT_NEAR(m, mu, 5.0 * std::sqrt(var / n)) << to_string(dist);
  EXPECT_NEAR(s2, var, 5.0 * std::sqrt((m4 - s2 * s2) / n)) << to_string(dist);
}

TEST_P(EveryDistribution, KolmogorovSmirnovBelowPointOnePercentCriticalValue) {
  const auto& [name, dist, seed] = GetParam();
  auto xs = draw(dist, seed + 1, N_DRAWS);
  std::sort(xs.begin(), xs.end());
  const double n = static_cast<double>(xs.size());
  double d = 0.0;
  if (is_continuous(dist)) {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const double f = cdf(dist, xs[i]);
      d = std::max({d, (static_cast<double>(i) + 1.0) / n - f, f - static_cast<double>(i) / n});
    }
  } else {
    // With atoms the empirical and true CDFs are both step functions on the same points;
    // their largest gap is at one of those points.
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (i + 1 < xs.size() && xs[i + 1] == xs[i]) continue;
      d = std::max(d, std::abs((static_cast<double>(i) + 1.0) / n - cdf(dist, xs[i])));
    }
  }
  // Asymptotic 0.1 % critical value of the one-sample KS statistic: 1.95 / sqrt(n).
  EXPECT_LT(d, 1.95 / std::sqrt(n)) << to_string(dist);
}

TEST_P(EveryDistribution, QuantileAndCdfRoundTrip) {
  const auto& dist = GetParam().dist;
  for (const double u : {1e-9, 1e-4, 0.01, 0.3, 0.5, 0.7, 0.99, 1.0 - 1e-4}) {
    const double x = quantile(dist, u);
    if (is_continuous(dist)) {
      EXPECT_NEAR(cdf(dist, x), u, 1e-12 + 1e-9 * u) << to_string(dist) << " u=" << u;
    } else {
      // Generalised inverse: the smallest support point whose CDF reaches u.
      EXPECT_GE(cdf(dist, x), u);
      EXPECT_LT(cdf(dist, std::nextafter(x, -INF)), u);
    }
  }
}

TEST_P(EveryDistribution, QuantileIsNondecreasingAndInsideSupport) {
  const auto& dist = GetParam().dist;
  const auto [lo, hi] = support(dist);
  double previous = -INF;
  for (int i = 1; i < 1000; ++i) {
    const double x = quantile(dist, i / 1000.0);
    EXPECT_GE(x, previous);
    EXPECT_GE(x, lo);
    EXPECT_LE(x, hi);
    previous = x;
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, EveryDistribution,
                         ::testing::Values(Case{"Unif", Uniform(-1.0, 3.0), 11}, Case{"Norm", Normal(10.0, 2.0), 12},
                                           Case{"Truncnorm", TruncNormal(0.8, 0.1, 0.6, 1.0), 13},
                                           Case{"TruncnormUpperTail", TruncNormal(0.0, 1.0, 1.5, INF), 14},
                                           Case{"TruncnormLowerSided", TruncNormal(5.0, 2.0, -INF, 4.0), 15},
                                           Case{"LognormByMean", LogNormal::from_mean_sd(5.0, 1.5), 16},
                                           Case{"LognormByMedian", LogNormal::from_median_gsd(3.0, 1.5), 17},
                                           Case{"Triang", Triangular(1.0, 2.0, 5.0), 18},
                                           Case{"TriangModeAtLow", Triangular(0.0, 0.0, 1.0), 19},
                                           Case{"Pert", Pert(0.0, 3.0, 10.0), 20},
                                           Case{"Beta", Beta(2.0, 5.0, 10.0, 20.0), 21},
                                           Case{"Logunif", LogUniform(0.1, 100.0), 22},
                                           Case{"Discrete", Discrete({3.0, 1.0, 2.0}, {0.2, 0.5, 0.3}), 23}),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(Distributions, FixedIsItsValueEverywhere) {
  const Distribution d = Fixed(2.5);
  EXPECT_EQ(quantile(d, 1e-9), 2.5);
  EXPECT_EQ(quantile(d, 0.999), 2.5);
  EXPECT_EQ(mean(d), 2.5);
  EXPECT_EQ(variance(d), 0.0);
  EXPECT_EQ(cdf(d, 2.4), 0.0);
  EXPECT_EQ(cdf(d, 2.5), 1.0);
  EXPECT_EQ(support(d), std::make_pair(2.5, 2.5));
}

TEST(Distributions, LognormalParameterisationsAgree) {
  // mean m, sd s  <=>  median = m / sqrt(1 + cv^2), gsd = exp(sqrt(ln(1 + cv^2))), cv = s/m.
  const double m = 120.0, s = 18.0, cv2 = (s / m) * (s / m);
  const Distribution by_mean = LogNormal::from_mean_sd(m, s);
  const Distribution by_median =
      LogNormal::from_median_gsd(m / std::sqrt(1.0 + cv2), std::exp(std::sqrt(std::log1p(cv2))));
  for (const double u : {1e-6, 0.05, 0.5, 0.95, 1.0 - 1e-6}) {
    EXPECT_NEAR(quantile(by_mean, u), quantile(by_median, u), 1e-12 * quantile(by_mean, u)) << "u=" << u;
  }
  EXPECT_NEAR(mean(by_mean), m, 1e-12 * m);
  EXPECT_NEAR(std::sqrt(variance(by_mean)), s, 1e-12 * s);
  EXPECT_NEAR(mean(by_median), m, 1e-12 * m);
  EXPECT_NEAR(quantile(by_median, 0.5), m / std::sqrt(1.0 + cv2), 1e-12 * m);
}

TEST(Distributions, PertMeanIsTheClassicWeightedAverage) {
  const Pert p(2.0, 3.0, 10.0);
  EXPECT_DOUBLE_EQ(mean(Distribution(p)), (2.0 + 4.0 * 3.0 + 10.0) / 6.0);
  EXPECT_DOUBLE_EQ(p.alpha(), 1.0 + 4.0 * (3.0 - 2.0) / 8.0);
  EXPECT_DOUBLE_EQ(p.beta(), 1.0 + 4.0 * (10.0 - 3.0) / 8.0);
}

TEST(Distributions, DiscreteQuantileIsTheGeneralisedInverse) {
  const Distribution d = Discrete({3.0, 1.0, 2.0}, {0.2, 0.5, 0.3});  // sorted: 1 (0.5), 2 (0.3), 3 (0.2)
  EXPECT_EQ(quantile(d, 0.1), 1.0);
  EXPECT_EQ(quantile(d, 0.5), 1.0);  // F(1) = 0.5 reaches u
  EXPECT_EQ(quantile(d, 0.5000001), 2.0);
  EXPECT_EQ(quantile(d, 0.81), 3.0);
  EXPECT_EQ(quantile(d, 1.0 - 1e-16), 3.0);
  EXPECT_DOUBLE_EQ(mean(d), 0.5 * 1.0 + 0.3 * 2.0 + 0.2 * 3.0);
  EXPECT_EQ(support(d), std::make_pair(1.0, 3.0));
}

TEST(Distributions, TruncnormFarInTheUpperTailKeepsItsDigits) {
  // Phi(9) rounds to 1 in double; the survival form must still resolve [9, 10].
  const Distribution d = TruncNormal(0.0, 1.0, 9.0, 10.0);
  const double median = quantile(d, 0.5);
  EXPECT_GT(median, 9.0);
  EXPECT_LT(median, 9.2);
  EXPECT_NEAR(cdf(d, median), 0.5, 1e-12);
}

TEST(Distributions, KindNamesAreTheFileSpellings) {
  const std::vector<std::string> expected = {"fixed",  "unif", "norm", "truncnorm", "lognorm",
                                             "triang", "pert", "beta", "logunif",   "discrete"};
  EXPECT_EQ(kind_names(), expected);
  EXPECT_EQ(kind_name(Distribution(Normal(0, 1))), "norm");
  EXPECT_EQ(kind_name(Distribution(LogUniform(1, 2))), "logunif");
}

TEST(Distributions, ToStringEchoesTheGivenNumbers) {
  EXPECT_EQ(to_string(Distribution(Normal(10.0, 0.2))), "norm(mean=10, sd=0.2)");
  EXPECT_EQ(to_string(Distribution(LogNormal::from_mean_sd(120.0, 18.0))), "lognorm(mean=120, sd=18)");
  EXPECT_EQ(to_string(Distribution(LogNormal::from_median_gsd(3.0, 1.5))), "lognorm(median=3, gsd=1.5)");
  EXPECT_EQ(to_string(Distribution(Discrete({2.0, 1.0}, {0.25, 0.75}))),
            "discrete(values=1;2, probabilities=0.75;0.25)");
  EXPECT_EQ(to_string(Distribution(TruncNormal(0.0, 1.0, 0.0, INF))), "truncnorm(mean=0, sd=1, low=0, high=inf)");
}

TEST(Distributions, ConstructorsRefuseInvalidParameters) {
  EXPECT_THROW(Fixed(std::nan("")), std::invalid_argument);
  EXPECT_THROW(Uniform(1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Normal(0.0, 0.0), std::invalid_argument);
  EXPECT_THROW(TruncNormal(0.0, 1.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(TruncNormal(0.0, 1.0, 40.0, 50.0), std::invalid_argument);  // no mass in double
  EXPECT_THROW((void)LogNormal::from_mean_sd(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW((void)LogNormal::from_median_gsd(1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Triangular(0.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Pert(0.0, -1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Beta(0.0, 1.0, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(LogUniform(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Discrete({1.0, 2.0}, {0.5, 0.4}), std::invalid_argument);
  EXPECT_THROW(Discrete({1.0, 1.0}, {0.5, 0.5}), std::invalid_argument);
  EXPECT_THROW(Discrete({1.0}, {1.0, 0.0}), std::invalid_argument);
}

TEST(Distributions, FormatNumberIsShortestRoundTrip) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(-0.2), "-0.2");
  EXPECT_EQ(format_number(1e-9), "1e-9");
  EXPECT_EQ(format_number(1.5e20), "1.5e20");
  EXPECT_EQ(format_number(2e-300), "2e-300");
  EXPECT_EQ(format_number(7800.0), "7800");
  EXPECT_EQ(format_number(-INF), "-inf");
}

}  // namespace
}  // namespace symbiomc

// The PERT/Beta inverse CDF is tabulated for speed (see distributions.cpp); its nodes come
// from Boost.Math, and this measures the interpolation error against Boost itself over the
// whole open interval, tails included.
TEST(BetaQuantileTable, MatchesBoostToOneBillionthOfTheRange) {
  symbiomc::test::TestEngine engine(20261123);
  for (const auto& [alpha, beta] : std::vector<std::pair<double, double>>{
           {1.0, 1.0}, {1.2, 4.8}, {3.0, 3.0}, {4.9, 1.1}, {1.0, 5.0}, {2.5, 17.0}, {40.0, 60.0}}) {
    const symbiomc::Beta dist(alpha, beta, 0.0, 1.0);
    ASSERT_NE(dist.table(), nullptr);
    const boost::math::beta_distribution<double> exact(alpha, beta);
    double worst = 0.0;
    std::vector<double> us;
    for (int i = 0; i < 20000; ++i) us.push_back(symbiomc::test::open_uniform(engine));
    for (int k = 1; k <= 52; ++k) {  // the tails, down to the design's smallest uniform 2^-53
      us.push_back(std::ldexp(1.0, -k));
      us.push_back(1.0 - std::ldexp(1.0, -k));
    }
    for (double u : us)
      worst = std::max(worst, std::abs(symbiomc::quantile(dist, u) - boost::math::quantile(exact, u)));
    EXPECT_LT(worst, 1e-9) << "alpha " << alpha << ", beta " << beta;
  }
}

TEST(BetaQuantileTable, NotUsedWhenTheDensityIsUnboundedAtAnEnd) {
  EXPECT_EQ(symbiomc::Beta(0.5, 2.0, 0.0, 1.0).table(), nullptr);
  EXPECT_NE(symbiomc::Pert(0.0, 0.0, 1.0).table(), nullptr);  // PERT shapes are always >= 1
}
