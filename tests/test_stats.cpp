#include "symbiomc/stats/stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "support/random.hpp"

#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

// Runs `action`, expects a ModelError whose what() contains every piece of `expected`.
void expect_model_error(const std::function<void()>& action, const std::vector<std::string>& expected) {
  try {
    action();
    ADD_FAILURE() << "no ModelError thrown";
  } catch (const ModelError& e) {
    const std::string what = e.what();
    for (const auto& piece : expected) {
      EXPECT_NE(what.find(piece), std::string::npos) << "'" << piece << "' not in: " << what;
    }
  }
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

std::vector<double> normal_draws(std::size_t n, double mean, double sd, std::uint64_t seed) {
  test::TestEngine engine(seed);
  boost::random::normal_distribution<double> normal(mean, sd);
  std::vector<double> out(n);
  for (auto& x : out) x = normal(engine);
  return out;
}

std::vector<double> uniform_draws(std::size_t n, std::uint64_t seed) {
  test::TestEngine engine(seed);
  boost::random::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> out(n);
  for (auto& x : out) x = uniform(engine);
  return out;
}

// Moments of blocks [b * size, (b + 1) * size), merged in block order - what the sampler does.
Moments merged_blocks(const std::vector<double>& data, std::size_t block_size) {
  Moments total;
  for (std::size_t start = 0; start < data.size(); start += block_size) {
    Moments block;
    for (std::size_t i = start; i < std::min(data.size(), start + block_size); ++i) block.add(data[i]);
    total.merge(block);
  }
  return total;
}

// The exact sample quantile the histogram's bound refers to: x_(k), k = max(1, ceil(p n)).
double empirical_quantile(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  const auto k = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p * n)));
  return sorted[std::min(k, sorted.size()) - 1];
}

// ---------------------------------------------------------------------------------------------

TEST(Moments, MatchesHandComputedValues) {
  Moments m;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) m.add(x);
  // Sum 40 -> mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32 -> sample variance 32/7.
  EXPECT_EQ(m.count(), 8u);
  EXPECT_DOUBLE_EQ(m.mean(), 5.0);
  EXPECT_DOUBLE_EQ(m.variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.sd(), std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(m.standard_error(), std::sqrt(4.0 / 7.0));  // sqrt(32/7 / 8)
  EXPECT_EQ(m.min(), 2.0);
  EXPECT_EQ(m.max(), 9.0);
}

TEST(Moments, StudentTIntervalMatchesHandComputedValue) {
  Moments m;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) m.add(x);
  // t_{0.975, 7} = 2.364624 (Student t tables, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2: 2.365);
  // half-width = 2.364624 * sqrt(4/7) = 1.787488.
  const auto [lower, upper] = m.ci_mean(0.95);
  EXPECT_NEAR(lower, 5.0 - 1.787488, 1e-6);
  EXPECT_NEAR(upper, 5.0 + 1.787488, 1e-6);
}

TEST(Moments, PreconditionsThrowInsteadOfNaN) {
  Moments empty;
  expect_model_error([&] { (void)empty.mean(); }, {"Moments::mean", "no values"});
  expect_model_error([&] { (void)empty.min(); }, {"Moments::min"});
  Moments one;
  one.add(3.0);
  EXPECT_EQ(one.mean(), 3.0);
  expect_model_error([&] { (void)one.variance(); }, {"at least 2 values, got 1"});
  expect_model_error([&] { (void)one.ci_mean(0.95); }, {"at least 2 values"});
  one.add(4.0);
  expect_model_error([&] { (void)one.ci_mean(1.0); }, {"confidence level must lie in (0, 1), got 1"});
  expect_model_error([&] { (void)one.ci_mean(std::nan("")); }, {"confidence level"});
}

TEST(Moments, MergeOfSplitHalvesEqualsSequentialAdd) {
  // A large mean against the spread (savings ~ 1e7 yuan/yr, sd 1e4) is where naive sums fail.
  const auto data = normal_draws(100'001, 1.0e7, 1.0e4, 42);
  Moments sequential;
  for (double x : data) sequential.add(x);
  for (std::size_t split : {std::size_t{1}, std::size_t{37}, data.size() / 2, data.size() - 1}) {
    Moments first;
    Moments second;
    for (std::size_t i = 0; i < data.size(); ++i) (i < split ? first : second).add(data[i]);
    first.merge(second);
    EXPECT_EQ(first.count(), sequential.count());
    EXPECT_NEAR(first.mean(), sequential.mean(), 1e-12 * std::abs(sequential.mean())) << "split " << split;
    EXPECT_NEAR(first.variance(), sequential.variance(), 1e-12 * sequential.variance()) << "split " << split;
    EXPECT_EQ(first.min(), sequential.min());
    EXPECT_EQ(first.max(), sequential.max());
  }
  // Many blocks, as the sampler merges them.
  const Moments blocks = merged_blocks(data, 1000);
  EXPECT_NEAR(blocks.mean(), sequential.mean(), 1e-12 * std::abs(sequential.mean()));
  EXPECT_NEAR(blocks.variance(), sequential.variance(), 1e-12 * sequential.variance());
}

// Moments::of_values (two passes over a block) agrees with Welford's add value by value, also
// for a large mean against the spread, merged block by block as the decision statistics do; a
// constant block keeps its mean within [min, max] and a zero variance.
TEST(Moments, TwoPassBlockMomentsAgreeWithSequentialAdd) {
  const auto data = normal_draws(100'001, 1.0e7, 1.0e4, 43);
  Moments sequential, blocks;
  for (double x : data) sequential.add(x);
  for (std::size_t first = 0; first < data.size(); first += 4096) {
    const std::size_t size = std::min<std::size_t>(4096, data.size() - first);
    blocks.merge(Moments::of_values(std::span<const double>(data).subspan(first, size)));
  }
  EXPECT_EQ(blocks.count(), sequential.count());
  EXPECT_NEAR(blocks.mean(), sequential.mean(), 1e-12 * std::abs(sequential.mean()));
  EXPECT_NEAR(blocks.variance(), sequential.variance(), 1e-11 * sequential.variance());
  EXPECT_EQ(blocks.min(), sequential.min());
  EXPECT_EQ(blocks.max(), sequential.max());
  const std::vector<double> same(1000, 0.1);
  const Moments constant = Moments::of_values(same);
  EXPECT_NEAR(constant.mean(), 0.1, 1e-16);
  EXPECT_LE(constant.variance(), 1e-30);  // rounding only: 0.1 is not a binary fraction
  EXPECT_EQ(Moments::of_values({}).count(), 0u);
}

TEST(Moments, MergeInSameOrderIsBitIdentical) {
  const auto data = normal_draws(50'000, 3.0, 2.0, 7);
  const Moments once = merged_blocks(data, 997);
  const Moments twice = merged_blocks(data, 997);
  EXPECT_EQ(bits(once.mean()), bits(twice.mean()));
  EXPECT_EQ(bits(once.variance()), bits(twice.variance()));
  EXPECT_TRUE(once == twice);
}

TEST(Moments, MergeIntoEmptyIsExactCopyAndEmptyMergeIsNoOp) {
  Moments block;
  for (double x : {0.1, 0.7, 1.3}) block.add(x);
  Moments empty;
  empty.merge(block);
  EXPECT_TRUE(empty == block);
  Moments unchanged = block;
  unchanged.merge(Moments{});
  EXPECT_TRUE(unchanged == block);
}

// ---------------------------------------------------------------------------------------------

// Sampling tolerance for a quantile of n i.i.d. draws: the sample p-quantile is asymptotically
// normal with sd sqrt(p (1 - p) / n) / f(q_p), f the density at the true quantile (Serfling 1980,
// "Approximation Theorems of Mathematical Statistics", 2.3.3). The histogram estimate may differ from
// the sample quantile by its stated bound, so |estimate - q_p| <= bound + K * sd, K = 5 (a
// two-sided 5-sigma miss has probability 6e-7; the seed is fixed, so the test is deterministic).
constexpr double K_SIGMA = 5.0;

TEST(Histogram, UniformQuantilesWithinStatedBoundPlusSamplingTolerance) {
  const std::size_t n = 1'000'000;
  const auto data = uniform_draws(n, 2024);
  // Edges from the first block of 10^4 values, as the sampler does.
  Histogram h = Histogram::with_range_from_pilot(std::span(data).first(10'000), 1000);
  for (double x : data) h.add(x);
  auto sorted = data;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(h.count(), n);
  EXPECT_EQ(h.underflow() + h.overflow(), 0u);  // U(0,1) stays inside the widened pilot range
  for (double p : {0.0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0}) {
    const QuantileEstimate q = h.quantile_estimate(p);
    // The bound is a guarantee against the exact sample quantile ...
    EXPECT_LE(std::abs(q.value - empirical_quantile(sorted, p)), q.error_bound) << "p = " << p;
    EXPECT_LE(q.error_bound, h.bin_edges()[1] - h.bin_edges()[0] + 1e-15);
    // ... and, with sampling error, against the true quantile p (density 1).
    const double sampling_sd = std::sqrt(p * (1.0 - p) / static_cast<double>(n));
    EXPECT_NEAR(q.value, p, q.error_bound + K_SIGMA * sampling_sd) << "p = " << p;
  }
  EXPECT_EQ(h.quantile(0.0), sorted.front());
  EXPECT_EQ(h.quantile(1.0), sorted.back());
}

TEST(Histogram, NormalQuantilesWithinStatedBoundPlusSamplingTolerance) {
  const std::size_t n = 1'000'000;
  const auto data = normal_draws(n, 0.0, 1.0, 99);
  Histogram h = Histogram::with_range_from_pilot(std::span(data).first(10'000), 1000);
  for (double x : data) h.add(x);
  auto sorted = data;
  std::sort(sorted.begin(), sorted.end());
  const boost::math::normal standard;
  for (double p : {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    const QuantileEstimate q = h.quantile_estimate(p);
    EXPECT_LE(std::abs(q.value - empirical_quantile(sorted, p)), q.error_bound) << "p = " << p;
    const double truth = boost::math::quantile(standard, p);
    const double sampling_sd = std::sqrt(p * (1.0 - p) / static_cast<double>(n)) / boost::math::pdf(standard, truth);
    EXPECT_NEAR(q.value, truth, q.error_bound + K_SIGMA * sampling_sd) << "p = " << p;
  }
}

TEST(Histogram, UnderflowAndOverflowCountedWithBoundsFromMinMax) {
  Histogram h(0.0, 10.0, 10);
  for (double x : {-5.0, -1.0, 0.0, 3.5, 10.0, 11.0, 20.0}) h.add(x);
  EXPECT_EQ(h.count(), 7u);
  EXPECT_EQ(h.underflow(), 2u);
  EXPECT_EQ(h.overflow(), 2u);  // 10 = hi belongs to the last bin
  const auto counts = h.bin_counts();
  ASSERT_EQ(counts.size(), 10u);
  EXPECT_EQ(counts[0], 1u);
  EXPECT_EQ(counts[3], 1u);
  EXPECT_EQ(counts[9], 1u);
  EXPECT_EQ(h.min(), -5.0);
  EXPECT_EQ(h.max(), 20.0);
  // p = 0.2: k = ceil(1.4) = 2 -> underflow region [min, lo] = [-5, 0], interpolated at 1.4 / 2.
  EXPECT_DOUBLE_EQ(h.quantile(0.2), -5.0 + 0.7 * 5.0);
  EXPECT_EQ(h.quantile_error_bound(0.2), 5.0);
  // p = 0.9: k = 7 -> overflow region [hi, max] = [10, 20].
  EXPECT_EQ(h.quantile_error_bound(0.9), 10.0);
  EXPECT_EQ(h.quantile(0.0), -5.0);
  EXPECT_EQ(h.quantile(1.0), 20.0);
}

TEST(Histogram, NarrowRangeKeepsBoundValidInTails) {
  // Edges far too narrow for the data: about 16 % of N(0,1) falls on each side of [-1, 1].
  const auto data = normal_draws(200'000, 0.0, 1.0, 5);
  Histogram h(-1.0, 1.0, 50);
  for (double x : data) h.add(x);
  auto sorted = data;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_GT(h.underflow(), 0u);
  EXPECT_GT(h.overflow(), 0u);
  for (double p : {0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    const QuantileEstimate q = h.quantile_estimate(p);
    EXPECT_LE(std::abs(q.value - empirical_quantile(sorted, p)), q.error_bound) << "p = " << p;
  }
  EXPECT_DOUBLE_EQ(h.quantile_error_bound(0.01), -1.0 - sorted.front());
}

TEST(Histogram, ConstantValuesReadBackExactly) {
  const std::vector<double> pilot(100, 2.5);
  Histogram h = Histogram::with_range_from_pilot(pilot, 64);
  for (double x : pilot) h.add(x);
  EXPECT_EQ(h.quantile(0.5), 2.5);
  EXPECT_EQ(h.quantile_error_bound(0.5), 0.0);
}

TEST(Histogram, PilotRangeWidenedByHalfTheSpan) {
  const std::vector<double> pilot{1.0, 3.0, 2.0};
  const Histogram h = Histogram::with_range_from_pilot(pilot, 4);
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_EQ(h.hi(), 4.0);
  EXPECT_EQ(h.bin_edges().size(), 5u);
  EXPECT_EQ(h.bin_edges()[1], 1.0);
  EXPECT_EQ(h.count(), 0u);  // the pilot supplies edges only

  const std::vector<double> constant{-20.0, -20.0};
  const Histogram around = Histogram::with_range_from_pilot(constant, 10);
  EXPECT_DOUBLE_EQ(around.lo(), -22.0);
  EXPECT_DOUBLE_EQ(around.hi(), -18.0);
  const std::vector<double> zeros{0.0, 0.0, 0.0};
  const Histogram at_zero = Histogram::with_range_from_pilot(zeros, 10);
  EXPECT_EQ(at_zero.lo(), -1.0);
  EXPECT_EQ(at_zero.hi(), 1.0);

  expect_model_error([] { (void)Histogram::with_range_from_pilot({}, 10); }, {"pilot holds no values"});
  const std::vector<double> with_nan{1.0, std::nan("")};
  expect_model_error([&] { (void)Histogram::with_range_from_pilot(with_nan, 10); }, {"pilot value 1 is not finite"});
}

TEST(Histogram, RejectsInvalidEdges) {
  expect_model_error([] { Histogram(1.0, 1.0, 10); }, {"lo < hi"});
  expect_model_error([] { Histogram(0.0, INFINITY, 10); }, {"finite"});
  expect_model_error([] { Histogram(0.0, 1.0, 0); }, {"at least 1 bin"});
  expect_model_error([] { Histogram(1.0, 1.0 + 1e-15, 1000); }, {"too narrow for 1000 bins"});
}

// Every edge, and the double just below it, must land on its own side: add() recomputes the edges
// (multiplying for a power-of-two bin count, dividing otherwise), and a recomputed edge one ulp
// off the stored one would put a value in the neighbouring bin.
TEST(Histogram, StoredEdgesSplitValuesForPowerOfTwoAndOtherBinCounts) {
  for (const std::size_t bins : {std::size_t{2048}, std::size_t{1000}, std::size_t{4096}, std::size_t{37}}) {
    Histogram h(-1234.5678, 98765.4321 + static_cast<double>(bins), bins);
    const auto edges = h.bin_edges();
    std::vector<std::uint64_t> expected(bins, 0);
    for (std::size_t i = 0; i < bins; ++i) {
      h.add(edges[i]);
      ++expected[i];
      if (i > 0) {
        h.add(std::nextafter(edges[i], -INFINITY));
        ++expected[i - 1];
      }
    }
    const auto counts = h.bin_counts();
    ASSERT_EQ(counts.size(), bins);
    for (std::size_t i = 0; i < bins; ++i) EXPECT_EQ(counts[i], expected[i]) << "bins " << bins << ", bin " << i;
  }
}

TEST(Histogram, MergeEqualsSequentialAdd) {
  const auto data = normal_draws(30'000, 1.0, 3.0, 11);
  Histogram sequential(-10.0, 12.0, 37);
  Histogram merged = sequential;
  for (double x : data) sequential.add(x);
  for (std::size_t start = 0; start < data.size(); start += 1000) {
    Histogram block(-10.0, 12.0, 37);
    for (std::size_t i = start; i < start + 1000; ++i) block.add(data[i]);
    merged.merge(block);
  }
  EXPECT_TRUE(merged == sequential);
}

TEST(Histogram, MergeWithDifferentEdgesThrowsNamingBothRanges) {
  Histogram a(0.0, 1.0, 10);
  a.add(0.5);
  const Histogram before = a;
  const Histogram b(0.0, 2.0, 10);
  expect_model_error([&] { a.merge(b); },
                     {"Histogram::merge", "bin edges differ", "[0, 1] in 10 bins vs [0, 2] in 10 bins", "pilot"});
  EXPECT_TRUE(a == before);  // a failed merge changes nothing
  expect_model_error([&] { a.merge(Histogram(0.0, 1.0, 11)); }, {"in 10 bins vs [0, 1] in 11 bins"});
}

TEST(Histogram, QuantilePreconditions) {
  const Histogram empty(0.0, 1.0, 4);
  expect_model_error([&] { (void)empty.quantile(0.5); }, {"no values"});
  Histogram h(0.0, 1.0, 4);
  h.add(0.3);
  expect_model_error([&] { (void)h.quantile(1.5); }, {"p must lie in [0, 1], got 1.5"});
}

// ---------------------------------------------------------------------------------------------

TEST(Wilson, MatchesNewcombeTable) {
  // Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (score, no continuity
  // correction), 95 %: 81/263, 15/148, 0/20, 1/29.
  struct Case {
    std::uint64_t k, n;
    double lower, upper;
  };
  for (const Case c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605}, Case{0, 20, 0.0, 0.1611},
                       Case{1, 29, 0.0061, 0.1718}}) {
    const auto [lower, upper] = wilson_interval(c.k, c.n, 0.95);
    EXPECT_NEAR(lower, c.lower, 5e-5) << c.k << "/" << c.n;
    EXPECT_NEAR(upper, c.upper, 5e-5) << c.k << "/" << c.n;
  }
  EXPECT_EQ(wilson_interval(0, 20, 0.95).first, 0.0);
  EXPECT_EQ(wilson_interval(20, 20, 0.95).second, 1.0);
  expect_model_error([] { (void)wilson_interval(0, 0, 0.95); }, {"no trials"});
  expect_model_error([] { (void)wilson_interval(3, 2, 0.95); }, {"3 successes exceed 2 trials"});
}

TEST(ExceedanceCounter, CountsPositiveAndThresholdsStrictly) {
  ExceedanceCounter e({1.0, 5.0});
  for (double x : {-2.0, 0.0, 0.5, 1.0, 3.0, 5.0, 8.0, 9.0}) e.add(x);
  EXPECT_EQ(e.count(), 8u);
  EXPECT_EQ(e.count_positive(), 6u);  // 0 is not > 0
  EXPECT_EQ(e.count_above(0), 4u);    // 1 is not > 1
  EXPECT_EQ(e.count_above(1), 2u);
  EXPECT_DOUBLE_EQ(e.prob_positive(), 0.75);
  EXPECT_DOUBLE_EQ(e.prob_above(1), 0.25);
  const auto [lower, upper] = e.prob_above_ci(1, 0.95);
  const auto [wl, wu] = wilson_interval(2, 8, 0.95);
  EXPECT_EQ(lower, wl);
  EXPECT_EQ(upper, wu);
  expect_model_error([&] { (void)e.count_above(2); }, {"threshold index 2 out of range (2 thresholds)"});
  expect_model_error([] { (void)ExceedanceCounter{}.prob_positive(); }, {"no values"});
  expect_model_error([] { ExceedanceCounter{{std::nan("")}}; }, {"threshold 0 is not finite"});
}

TEST(OutputStats, MergeEqualsSequentialAddAndRejectsMismatch) {
  const auto data = uniform_draws(10'000, 3);
  const OutputStats prototype(Histogram(0.0, 1.0, 20), {0.5, 0.9});
  OutputStats sequential = prototype;
  for (double x : data) sequential.add(x);
  OutputStats merged = prototype;
  for (std::size_t start = 0; start < data.size(); start += 2500) {
    OutputStats block = prototype;
    for (std::size_t i = start; i < start + 2500; ++i) block.add(data[i]);
    merged.merge(block);
  }
  EXPECT_EQ(merged.histogram(), sequential.histogram());
  EXPECT_EQ(merged.exceedance(), sequential.exceedance());
  EXPECT_NEAR(merged.moments().mean(), sequential.moments().mean(), 1e-12);
  EXPECT_EQ(merged.moments().count(), 10'000u);

  const OutputStats other_thresholds(Histogram(0.0, 1.0, 20), {0.5});
  const OutputStats before = merged;
  expect_model_error([&] { merged.merge(other_thresholds); }, {"thresholds differ (2 vs 1 thresholds)"});
  EXPECT_TRUE(merged == before);
  Histogram filled(0.0, 1.0, 20);
  filled.add(0.5);
  expect_model_error([&] { OutputStats(filled, {}); }, {"must be empty"});
}

TEST(PairComparison, CountsGreaterEqualAndDifference) {
  PairComparison c(Histogram(-10.0, 10.0, 20));
  const std::vector<std::pair<double, double>> pairs{{3, 1}, {2, 2}, {1, 4}, {5, 0}, {7, 7}, {0.5, 0.25}};
  for (const auto& [a, b] : pairs) c.add(a, b);
  EXPECT_EQ(c.count(), 6u);
  EXPECT_EQ(c.count_a_greater(), 3u);
  EXPECT_EQ(c.count_equal(), 2u);
  EXPECT_EQ(c.count_b_greater(), 1u);
  EXPECT_DOUBLE_EQ(c.prob_a_greater(), 0.5);
  // Differences 2, 0, -3, 5, 0, 0.25: mean 4.25 / 6.
  EXPECT_DOUBLE_EQ(c.difference().mean(), 4.25 / 6.0);
  EXPECT_EQ(c.difference().min(), -3.0);
  EXPECT_EQ(c.difference_histogram().count(), 6u);
  EXPECT_EQ(c.difference_histogram().max(), 5.0);
}

TEST(PairComparison, MergeEqualsSequentialAdd) {
  const auto a = normal_draws(4000, 10.0, 1.0, 1);
  const auto b = normal_draws(4000, 10.2, 1.0, 2);
  const PairComparison prototype(Histogram(-6.0, 6.0, 48));
  PairComparison sequential = prototype;
  for (std::size_t i = 0; i < a.size(); ++i) sequential.add(a[i], b[i]);
  PairComparison merged = prototype;
  for (std::size_t start = 0; start < a.size(); start += 1000) {
    PairComparison block = prototype;
    for (std::size_t i = start; i < start + 1000; ++i) block.add(a[i], b[i]);
    merged.merge(block);
  }
  EXPECT_EQ(merged.count_a_greater(), sequential.count_a_greater());
  EXPECT_EQ(merged.count_equal(), sequential.count_equal());
  EXPECT_EQ(merged.difference_histogram(), sequential.difference_histogram());
  EXPECT_NEAR(merged.difference().mean(), sequential.difference().mean(), 1e-12);
  EXPECT_NEAR(merged.difference().variance(), sequential.difference().variance(), 1e-12);
  expect_model_error([&] { merged.merge(PairComparison(Histogram(-6.0, 6.0, 24))); }, {"bin edges differ"});
}

}  // namespace
}  // namespace symbiomc
