// Tests of the sampling designs: block filling is a pure function of the block (any order, any
// thread), values lie in (0,1), mc has uniform moments, lhs is a true Latin hypercube, and qmc
// is a digitally shifted Sobol' sequence that stays stratified and beats mc on a smooth integrand.

#include "symbiomc/sampling/design.hpp"

#include <gtest/gtest.h>

#include <boost/random/sobol.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <numeric>
#include <thread>
#include <vector>

#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

constexpr std::uint64_t SEED = 20240601;
constexpr SamplingMethod ALL_METHODS[] = {SamplingMethod::mc, SamplingMethod::lhs, SamplingMethod::qmc};

std::span<double> block_view(std::vector<double>& u, const UnitDesign& design, std::uint64_t block,
                             std::size_t block_size) {
  const std::size_t offset = static_cast<std::size_t>(block * block_size) * design.dimension();
  const std::size_t size = static_cast<std::size_t>(design.points_in_block(block, block_size)) * design.dimension();
  return std::span<double>(u).subspan(offset, size);
}

/// All points, blocks filled in increasing order.
std::vector<double> fill_all(const UnitDesign& design, std::size_t block_size) {
  std::vector<double> u(static_cast<std::size_t>(design.n_points()) * design.dimension());
  for (std::uint64_t b = 0; b < design.block_count(block_size); ++b)
    design.fill_block(b, block_size, block_view(u, design, b, block_size));
  return u;
}

double at(const std::vector<double>& u, const UnitDesign& design, std::size_t i, std::size_t d) {
  return u[i * design.dimension() + d];
}

TEST(SamplingMethod, ParsesAndPrintsEachSpelling) {
  for (auto method : ALL_METHODS) {
    SamplingMethod parsed = SamplingMethod::mc;
    ASSERT_TRUE(parse_sampling_method(to_string(method), parsed)) << to_string(method);
    EXPECT_EQ(parsed, method);
  }
  EXPECT_EQ(to_string(SamplingMethod::lhs), "lhs");
}

TEST(SamplingMethod, RejectsUnknownSpelling) {
  SamplingMethod out = SamplingMethod::qmc;
  EXPECT_FALSE(parse_sampling_method("LHS", out));
  EXPECT_FALSE(parse_sampling_method("sobol", out));
  EXPECT_FALSE(parse_sampling_method("", out));
  EXPECT_EQ(out, SamplingMethod::qmc);  // untouched
}

TEST(UnitDesign, RejectsEmptyDesigns) {
  EXPECT_THROW(UnitDesign(SamplingMethod::mc, 0, 10, SEED), ModelError);
  EXPECT_THROW(UnitDesign(SamplingMethod::lhs, 3, 0, SEED), ModelError);
}

TEST(UnitDesign, RejectsLhsBeyond32BitIndices) {
  EXPECT_NO_THROW(UnitDesign(SamplingMethod::lhs, 2, UnitDesign::MAX_LHS_POINTS, SEED));
  try {
    UnitDesign design(SamplingMethod::lhs, 2, UnitDesign::MAX_LHS_POINTS + 1, SEED);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "latin hypercube sampling supports at most 4294967295 points (Kensler's permutation uses 32-bit "
              "indices), got 4294967296; use 'mc' or 'qmc', or fewer runs");
  }
}

TEST(UnitDesign, RejectsQmcBeyondBoostSobolTable) {
  EXPECT_NO_THROW(UnitDesign(SamplingMethod::qmc, UnitDesign::MAX_QMC_DIMENSION, 4, SEED));
  EXPECT_THROW(UnitDesign(SamplingMethod::qmc, UnitDesign::MAX_QMC_DIMENSION + 1, 4, SEED), ModelError);
}

TEST(UnitDesign, BlocksFollowTheIndex) {
  const UnitDesign design(SamplingMethod::mc, 3, 10, SEED);
  EXPECT_EQ(design.block_count(4), 3u);
  EXPECT_EQ(design.block_count(5), 2u);
  EXPECT_EQ(design.points_in_block(0, 4), 4u);
  EXPECT_EQ(design.points_in_block(2, 4), 2u);  // last block is partial
  EXPECT_EQ(design.points_in_block(3, 4), 0u);  // past the end
  EXPECT_THROW((void)design.block_count(0), ModelError);

  std::vector<double> u(12, -1.0);
  design.fill_block(3, 4, u);  // past the end: writes nothing
  EXPECT_TRUE(std::all_of(u.begin(), u.end(), [](double x) { return x == -1.0; }));
  design.fill_block(2, 4, u);  // 2 points * 3 dims
  EXPECT_TRUE(std::all_of(u.begin(), u.begin() + 6, [](double x) { return x > 0.0 && x < 1.0; }));
  EXPECT_TRUE(std::all_of(u.begin() + 6, u.end(), [](double x) { return x == -1.0; }));
  EXPECT_THROW(design.fill_block(0, 4, std::span<double>(u).first(11)), ModelError);
}

TEST(UnitDesign, SameInputsGiveSameNumbers) {
  for (auto method : ALL_METHODS) {
    const UnitDesign a(method, 4, 500, SEED, 2);
    const UnitDesign b(method, 4, 500, SEED, 2);
    EXPECT_EQ(fill_all(a, 64), fill_all(b, 64)) << to_string(method);
    const UnitDesign copy = a;
    EXPECT_EQ(fill_all(a, 64), fill_all(copy, 64)) << to_string(method);
  }
}

TEST(UnitDesign, SeedsAndReplicatesChangeThePoints) {
  for (auto method : ALL_METHODS) {
    const auto base = fill_all(UnitDesign(method, 4, 300, SEED, 0), 50);
    EXPECT_NE(base, fill_all(UnitDesign(method, 4, 300, SEED + 1, 0), 50)) << to_string(method);
    EXPECT_NE(base, fill_all(UnitDesign(method, 4, 300, SEED, 1), 50)) << to_string(method);
  }
}

TEST(UnitDesign, ReverseAndConcurrentFillsMatchSequential) {
  // The samplers fill blocks from TBB worker threads in any order; the numbers must not care.
  constexpr std::size_t block_size = 37;  // not a divisor of n: the last block is partial
  for (auto method : ALL_METHODS) {
    const UnitDesign design(method, 5, 1000, SEED, 1);
    const auto sequential = fill_all(design, block_size);
    const std::uint64_t blocks = design.block_count(block_size);

    std::vector<double> reverse(sequential.size(), 0.0);
    for (std::uint64_t b = blocks; b-- > 0;)
      design.fill_block(b, block_size, block_view(reverse, design, b, block_size));
    EXPECT_EQ(reverse, sequential) << to_string(method);

    constexpr unsigned n_threads = 8;
    std::vector<double> concurrent(sequential.size(), 0.0);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < n_threads; ++t) {
      threads.emplace_back([&, t] {  // thread t fills blocks t, t + 8, ... from the back
        for (std::uint64_t b = blocks; b-- > 0;)
          if (b % n_threads == t) design.fill_block(b, block_size, block_view(concurrent, design, b, block_size));
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(concurrent, sequential) << to_string(method);
  }
}

TEST(UnitDesign, ValuesStayStrictlyInsideTheUnitInterval) {
  for (auto method : ALL_METHODS) {
    for (std::uint64_t n : {1ull, 2ull, 777ull, 4096ull}) {
      const UnitDesign design(method, 7, n, SEED, 3);
      const auto u = fill_all(design, 100);
      EXPECT_TRUE(std::all_of(u.begin(), u.end(), [](double x) { return x > 0.0 && x < 1.0; }))
          << to_string(method) << " n=" << n;
    }
  }
}

TEST(McDesign, MomentsMatchTheUniformDistribution) {
  // Per coordinate: mean 1/2 with standard error sqrt(1/12 / n); variance 1/12 with standard
  // error sqrt((mu4 - sigma^4) / n) = sqrt(1 / (180 n)). Each within 5 standard errors.
  constexpr std::size_t n = 20000, dim = 6;
  const UnitDesign design(SamplingMethod::mc, dim, n, SEED);
  const auto u = fill_all(design, 256);
  const double nd = static_cast<double>(n);
  for (std::size_t d = 0; d < dim; ++d) {
    double sum = 0, sum_sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = at(u, design, i, d);
      sum += x;
      sum_sq += (x - 0.5) * (x - 0.5);
    }
    EXPECT_NEAR(sum / nd, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / nd)) << "dimension " << d;
    EXPECT_NEAR(sum_sq / nd, 1.0 / 12.0, 5.0 * std::sqrt(1.0 / (180.0 * nd))) << "dimension " << d;
  }
}

TEST(KenslerPermute, IsABijectionForAnyLength) {
  for (std::uint32_t length : {1u, 2u, 3u, 5u, 64u, 777u, 1000u, 1024u, 1025u, 4099u}) {
    for (std::uint32_t key : {0u, 1u, 0xdeadbeefu, 0x9e3779b9u}) {
      std::vector<int> hits(length, 0);
      for (std::uint32_t i = 0; i < length; ++i) {
        const std::uint32_t j = detail::kensler_permute(i, length, key);
        ASSERT_LT(j, length);
        ++hits[j];
      }
      EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }))
          << "length " << length << " key " << key;
    }
  }
}

TEST(KenslerPermute, DifferentKeysGiveDifferentPermutations) {
  std::vector<std::uint32_t> a(1000), b(1000);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    a[i] = detail::kensler_permute(i, 1000, 12345u);
    b[i] = detail::kensler_permute(i, 1000, 12346u);
  }
  EXPECT_NE(a, b);
}

/// Stratum of each point in dimension d: floor(u * n), which must be a permutation of [0, n).
std::vector<std::uint64_t> strata(const std::vector<double>& u, const UnitDesign& design, std::size_t d) {
  std::vector<std::uint64_t> out(design.n_points());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint64_t>(std::floor(at(u, design, i, d) * static_cast<double>(design.n_points())));
  return out;
}

TEST(LhsDesign, EveryStratumHoldsExactlyOnePoint) {
  // A Latin hypercube over all n points, not per block: blocks of 64 do not divide n.
  for (std::uint64_t n : {1000ull, 777ull, 1ull, 2ull}) {
    const UnitDesign design(SamplingMethod::lhs, 6, n, SEED);
    const auto u = fill_all(design, 64);
    for (std::size_t d = 0; d < design.dimension(); ++d) {
      auto s = strata(u, design, d);
      std::sort(s.begin(), s.end());
      std::vector<std::uint64_t> expected(n);
      std::iota(expected.begin(), expected.end(), 0ull);
      EXPECT_EQ(s, expected) << "n=" << n << " dimension " << d;
    }
  }
}

TEST(LhsDesign, StrataDoNotDependOnBlockSize) {
  // The permutation is global (a function of the point index); only the jitter is per block.
  const UnitDesign design(SamplingMethod::lhs, 3, 777, SEED);
  const auto small = fill_all(design, 1);
  const auto large = fill_all(design, 1000);
  for (std::size_t d = 0; d < 3; ++d) EXPECT_EQ(strata(small, design, d), strata(large, design, d));
  EXPECT_NE(small, large);
}

TEST(LhsDesign, MarginalsAreUniformAndDimensionsIndependent) {
  // One point per stratum makes each margin uniform to within 1/n by construction; what can
  // still go wrong is the jitter (position inside the stratum) and the permutations of two
  // dimensions being related. Jitter frac(u * n): mean 1/2, variance 1/12, 5 standard errors.
  // Pearson correlation between two independent random permutations: standard error
  // 1/sqrt(n - 1); allow 5.
  constexpr std::size_t n = 777, dim = 6;
  const UnitDesign design(SamplingMethod::lhs, dim, n, SEED, 4);
  const auto u = fill_all(design, 64);
  const double nd = static_cast<double>(n);
  for (std::size_t d = 0; d < dim; ++d) {
    double sum = 0, sum_sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double scaled = at(u, design, i, d) * nd;
      const double jitter = scaled - std::floor(scaled);
      sum += jitter;
      sum_sq += (jitter - 0.5) * (jitter - 0.5);
    }
    EXPECT_NEAR(sum / nd, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / nd)) << "dimension " << d;
    EXPECT_NEAR(sum_sq / nd, 1.0 / 12.0, 5.0 * std::sqrt(1.0 / (180.0 * nd))) << "dimension " << d;
  }
  for (std::size_t a = 0; a < dim; ++a) {
    for (std::size_t b = a + 1; b < dim; ++b) {
      double sxy = 0, sxx = 0, syy = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = at(u, design, i, a) - 0.5, y = at(u, design, i, b) - 0.5;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
      }
      EXPECT_LT(std::abs(sxy / std::sqrt(sxx * syy)), 5.0 / std::sqrt(nd - 1.0)) << "dimensions " << a << ", " << b;
    }
  }
}

TEST(BoostSobol, SeedJumpsToAPointAndDiscardCountsCoordinates) {
  // QuantLib's testSobolSkipping idea on Boost 1.74: seed(i) must land on the i-th point
  // (0-based, after the skipped zero point) of the sequential stream, which is what lets a
  // block start anywhere. discard(z) counts coordinates, so discard(i * dim) also gets there
  // but discard(i) does not.
  constexpr std::size_t dim = 7;
  boost::random::sobol sequential(dim);
  std::vector<std::uint64_t> point(dim);
  for (std::uint64_t i = 0; i < 1030; ++i) {
    for (auto& x : point) x = sequential();
    boost::random::sobol jumped(dim);
    jumped.seed(i);
    boost::random::sobol discarded(dim);
    discarded.discard(i * dim);
    for (std::size_t d = 0; d < dim; ++d) {
      const std::uint64_t by_seed = jumped(), by_discard = discarded();
      ASSERT_EQ(by_seed, point[d]) << "point " << i << " coordinate " << d;
      ASSERT_EQ(by_discard, point[d]) << "point " << i << " coordinate " << d;
    }
  }
  boost::random::sobol by_coordinates(dim), by_point(dim);
  by_coordinates.discard(5);
  by_point.seed(5);
  EXPECT_NE(by_coordinates(), by_point());
  // The zero point is skipped: the first point is (1/2, ..., 1/2).
  boost::random::sobol fresh(dim);
  EXPECT_EQ(fresh(), 1ull << 63);
}

/// The 52 bits that to_open_unit kept: u = (k + 1/2) * 2^-52 exactly, so k = floor(u * 2^52).
std::uint64_t kept_bits(double u) { return static_cast<std::uint64_t>(std::ldexp(u, 52)); }

TEST(QmcDesign, PointsAreADigitallyShiftedSobolSequenceWithZeroFirst) {
  // Design point i is standard Sobol' point i (the zero point first, then Boost's seed(i - 1)),
  // XOR a per-dimension key. So point i XOR point 0 recovers the unshifted Sobol' bits, for any
  // replicate and any block size (37 makes blocks start mid-sequence).
  constexpr std::size_t dim = 5, n = 300;
  boost::random::sobol sobol(dim);
  std::vector<std::uint64_t> reference(n * dim, 0);  // point 0 stays zero
  for (std::size_t k = dim; k < reference.size(); ++k) reference[k] = sobol() >> 12;
  for (std::uint64_t replicate : {0ull, 1ull, 2ull}) {
    const UnitDesign design(SamplingMethod::qmc, dim, n, SEED, replicate);
    const auto u = fill_all(design, 37);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t d = 0; d < dim; ++d) {
        ASSERT_EQ(kept_bits(at(u, design, i, d)) ^ kept_bits(at(u, design, 0, d)), reference[i * dim + d])
            << "replicate " << replicate << " point " << i << " coordinate " << d;
      }
    }
  }
}

TEST(QmcDesign, PointsDoNotDependOnBlockSize) {
  const UnitDesign design(SamplingMethod::qmc, 4, 1000, SEED, 5);
  const auto reference = fill_all(design, 1000);
  EXPECT_EQ(fill_all(design, 1), reference);
  EXPECT_EQ(fill_all(design, 7), reference);
  EXPECT_EQ(fill_all(design, 256), reference);
}

TEST(QmcDesign, ShiftedReplicatesStayStratified) {
  // The first 2^k Sobol' points (zero included) put exactly one point in each of the 2^k
  // intervals [j 2^-k, (j + 1) 2^-k) of every coordinate; a digital shift permutes those
  // intervals, so every randomised replicate keeps the property, for every k up to log2(n).
  constexpr std::size_t dim = 10;
  constexpr unsigned log2_n = 10;
  for (std::uint64_t replicate = 0; replicate < 8; ++replicate) {
    const UnitDesign design(SamplingMethod::qmc, dim, 1ull << log2_n, SEED, replicate);
    const auto u = fill_all(design, 100);
    for (unsigned k = 1; k <= log2_n; ++k) {
      const std::size_t cells = std::size_t{1} << k;
      for (std::size_t d = 0; d < dim; ++d) {
        std::vector<int> hits(cells, 0);
        for (std::size_t i = 0; i < cells; ++i)
          ++hits[static_cast<std::size_t>(std::ldexp(at(u, design, i, d), static_cast<int>(k)))];
        EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }))
            << "replicate " << replicate << " k=" << k << " dimension " << d;
      }
    }
  }
}

/// Integrand with a known mean: f(x) = prod_d (1 + (x_d - 1/2)), whose integral over the unit
/// cube is exactly 1 (each factor integrates to 1) and whose variance is (13/12)^5 - 1 ~ 0.49.
double product_integrand(std::span<const double> x) {
  double f = 1.0;
  for (double xd : x) f *= 1.0 + (xd - 0.5);
  return f;
}

/// Mean absolute error of the design estimate of the integral over `replicates` replicates,
/// and the mean of the estimates.
std::pair<double, double> replicate_errors(SamplingMethod method, std::size_t dim, std::uint64_t n,
                                           std::uint64_t replicates) {
  double sum_abs_error = 0, sum_estimates = 0;
  for (std::uint64_t r = 0; r < replicates; ++r) {
    const UnitDesign design(method, dim, n, SEED, r);
    const auto u = fill_all(design, 1000);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += product_integrand(std::span<const double>(u).subspan(i * dim, dim));
    const double estimate = sum / static_cast<double>(n);
    sum_abs_error += std::abs(estimate - 1.0);
    sum_estimates += estimate;
  }
  const auto rd = static_cast<double>(replicates);
  return {sum_abs_error / rd, sum_estimates / rd};
}

TEST(QmcDesign, ErrorFallsFasterThanMonteCarlo) {
  // Expected rates on this smooth, bounded-variation integrand: mc error ~ sigma n^-1/2
  // (sigma ~ 0.70, so ~ 4.4e-3 mean absolute error at n = 2^14), randomly shifted Sobol' ~
  // n^-1 (up to log factors). At n = 2^14 in d = 5 that must be at least 10 times smaller.
  // Also: each shifted replicate is unbiased, so the mean of 16 replicate estimates must lie
  // within 5 standard errors (from the replicate spread, bounded here by the mean absolute
  // error * sqrt(pi/2)) of the truth.
  constexpr std::size_t dim = 5;
  constexpr std::uint64_t n = 1ull << 14, replicates = 16;
  const auto [mc_error, mc_mean] = replicate_errors(SamplingMethod::mc, dim, n, replicates);
  const auto [lhs_error, lhs_mean] = replicate_errors(SamplingMethod::lhs, dim, n, replicates);
  const auto [qmc_error, qmc_mean] = replicate_errors(SamplingMethod::qmc, dim, n, replicates);
  std::cout << "mean |error| over " << replicates << " replicates, n = " << n << ", d = " << dim << ": mc " << mc_error
            << ", lhs " << lhs_error << ", qmc " << qmc_error << " (mc/qmc = " << mc_error / qmc_error << ")\n";
  EXPECT_GE(mc_error, 10.0 * qmc_error);
  const double sqrt_half_pi = std::sqrt(std::acos(-1.0) / 2.0);
  EXPECT_NEAR(qmc_mean, 1.0, 5.0 * sqrt_half_pi * qmc_error / std::sqrt(static_cast<double>(replicates)));
  EXPECT_NEAR(mc_mean, 1.0, 5.0 * sqrt_half_pi * mc_error / std::sqrt(static_cast<double>(replicates)));
}

}  // namespace
}  // namespace symbiomc
