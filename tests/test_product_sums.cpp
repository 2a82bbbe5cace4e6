// add_product_sums (stats/product_sums.hpp), the Gram and cross-product sums of the decision
// statistics' regression EVPPI: every pair's sum equals the same lane-by-lane sum written out
// here, bit for bit, for block lengths that end inside a lane and inside a tile; the AVX2
// variant gives exactly the baseline's bits (results must not depend on the CPU); the sums add
// to what `out` held; and they agree with a long-double reference to rounding.

#include "symbiomc/stats/product_sums.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <iostream>
#include <random>
#include <vector>

namespace symbiomc {
namespace {

struct Columns {
  std::size_t n;
  std::vector<std::vector<double>> values;
  std::vector<ColumnPair> pairs;  // every (i, j), i <= j
};

Columns random_columns(std::size_t count, std::size_t n, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal(0.3, 2.0);
  Columns c{n, std::vector<std::vector<double>>(count, std::vector<double>(n)), {}};
  for (auto& column : c.values)
    for (double& x : column) x = normal(engine);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = i; j < count; ++j) c.pairs.push_back({c.values[i].data(), c.values[j].data()});
  return c;
}

// What the header promises: run r in lane r mod 8, lanes combined as ((0+1)+(2+3))+((4+5)+(6+7)).
double lane_sum(const double* a, const double* b, std::size_t n) {
  double lane[8] = {};
  for (std::size_t r = 0; r < n; ++r) lane[r % 8] += a[r] * b[r];
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

TEST(ProductSums, EveryPairIsItsLaneSumBitForBit) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{255}, std::size_t{256},
                              std::size_t{1000}, std::size_t{4099}}) {
    const Columns c = random_columns(6, n, 11 + static_cast<unsigned>(n));
    std::vector<double> out(c.pairs.size(), 0.0);
    add_product_sums(c.pairs, n, out.data(), VectorIsa::baseline);
    for (std::size_t q = 0; q < c.pairs.size(); ++q) {
      EXPECT_EQ(out[q], lane_sum(c.pairs[q].left, c.pairs[q].right, n)) << "n = " << n << ", pair " << q;
      long double exact = 0.0L;
      for (std::size_t r = 0; r < n; ++r)
        exact += static_cast<long double>(c.pairs[q].left[r]) * static_cast<long double>(c.pairs[q].right[r]);
      EXPECT_NEAR(out[q], static_cast<double>(exact), 1e-12 * (1.0 + 4.0 * static_cast<double>(n)));
    }
  }
}

// The cross products' layout: one gain column (right) against every feature (left), so that
// runs of four pairs share their right column, and a count of pairs that leaves a remainder.
TEST(ProductSums, PairsSharingTheirRightColumnAreTheirLaneSumsBitForBit) {
  for (const std::size_t n : {std::size_t{5}, std::size_t{256}, std::size_t{4099}}) {
    const Columns features = random_columns(7, n, 40 + static_cast<unsigned>(n));
    const Columns gains = random_columns(2, n, 80 + static_cast<unsigned>(n));
    std::vector<ColumnPair> pairs;
    for (const auto& gain : gains.values)
      for (const auto& feature : features.values) pairs.push_back({feature.data(), gain.data()});
    for (const VectorIsa isa : {VectorIsa::baseline, VectorIsa::avx2}) {
      std::vector<double> out(pairs.size(), 0.0);
      add_product_sums(pairs, n, out.data(), isa);
      for (std::size_t q = 0; q < pairs.size(); ++q)
        EXPECT_EQ(out[q], lane_sum(pairs[q].left, pairs[q].right, n)) << "n = " << n << ", pair " << q;
    }
  }
}

TEST(ProductSums, EveryInstructionSetGivesTheSameBits) {
  EXPECT_TRUE(can_run(VectorIsa::baseline));
#if defined(__x86_64__)
  // Every x86-64 CPU this project's CI and users run on has had AVX2 since 2013; a machine
  // without it still runs the baseline, which the comparison below then checks against itself.
  std::cout << "[ isa      ] AVX2 variant " << (can_run(VectorIsa::avx2) ? "used" : "unavailable") << "\n";
#endif
  for (const std::size_t n : {std::size_t{3}, std::size_t{513}, std::size_t{4096}, std::size_t{4103}}) {
    const Columns c = random_columns(9, n, 100 + static_cast<unsigned>(n));
    std::vector<double> baseline(c.pairs.size(), 1.5), avx2(c.pairs.size(), 1.5), chosen(c.pairs.size(), 1.5);
    add_product_sums(c.pairs, n, baseline.data(), VectorIsa::baseline);
    add_product_sums(c.pairs, n, avx2.data(), VectorIsa::avx2);
    add_product_sums(c.pairs, n, chosen.data());
    EXPECT_EQ(avx2, baseline) << "n = " << n;
    EXPECT_EQ(chosen, baseline) << "n = " << n;
  }
}

TEST(ProductSums, AddsToWhatTheOutputHeld) {
  const Columns c = random_columns(3, 300, 5);
  std::vector<double> out(c.pairs.size(), 0.0), again(c.pairs.size(), 10.0);
  add_product_sums(c.pairs, c.n, out.data());
  add_product_sums(c.pairs, c.n, again.data());
  for (std::size_t q = 0; q < out.size(); ++q) EXPECT_EQ(again[q], 10.0 + out[q]);
  std::vector<double> untouched(c.pairs.size(), 2.0);
  add_product_sums(c.pairs, 0, untouched.data());
  EXPECT_EQ(untouched, std::vector<double>(c.pairs.size(), 2.0));
}

}  // namespace
}  // namespace symbiomc
