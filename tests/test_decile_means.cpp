// DecileMeansAccumulator (stats/decile_means.hpp), the data of the probabilistic tornado: the
// mean of each mode's output over the runs in a parameter's lowest and highest decile against
// a closed form, the decile boundaries, exact merges and save/load, and shape errors. The
// study-level tests (closed form through the CLI, bit-identical for any thread count and across
// a resume) are in tests/test_decision_cli.cpp.

#include "symbiomc/stats/decile_means.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

/// n runs of two parameters (v0, v1 uniform) and two modes: y0 = 2 + 5 v0 (v1 irrelevant), y1 = -v1.
struct Runs {
  std::vector<double> y, v;
  std::size_t n;
};

Runs make_runs(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Runs r{std::vector<double>(2 * n), std::vector<double>(2 * n), n};
  for (std::size_t i = 0; i < n; ++i) {
    r.v[i] = u(rng);
    r.v[n + i] = u(rng);
    r.y[i] = 2.0 + 5.0 * r.v[i];
    r.y[n + i] = -r.v[n + i];
  }
  return r;
}

TEST(DecileMeans, LinearOutputHasTheClosedFormMeanInEachExtremeDecile) {
  const Runs r = make_runs(200000, 1);
  DecileMeansAccumulator a(2, 2);
  a.add_block(r.y, r.v, r.n);
  const std::vector<DecileMeans> t = a.finalize(0.95);
  ASSERT_EQ(t.size(), 4u);
  // [mode * parameters + j]. Mode 0, parameter 0: 2 + 5 E[v | v < 0.1] = 2.25, and 2 + 5 * 0.95 = 6.75.
  for (const auto& [d, expected] : {std::pair{&t[0].lowest, 2.25}, std::pair{&t[0].highest, 6.75}}) {
    EXPECT_LE(d->low, expected);
    EXPECT_GE(d->high, expected);
    EXPECT_NEAR(d->mean, expected, 4.0 * (d->high - d->mean) / 1.96);
  }
  // Mode 0 in parameter 1's deciles: the overall mean 4.5; mode 1 in parameter 1's: -0.05 and -0.95.
  EXPECT_NEAR(t[1].lowest.mean, 4.5, 0.05);
  EXPECT_NEAR(t[3].lowest.mean, -0.05, 0.001);
  EXPECT_NEAR(t[3].highest.mean, -0.95, 0.001);
  EXPECT_EQ(t[0].lowest.runs + t[0].highest.runs, t[2].lowest.runs + t[2].highest.runs);  // the same runs per parameter
}

TEST(DecileMeans, BoundariesAreBelowATenthAndFromNineTenthsOn) {
  // Coordinates 0.1 (not lowest), 0.0999..., 0.9 (highest), 0.8999... (neither).
  const std::vector<double> v = {0.1, std::nextafter(0.1, 0.0), 0.9, std::nextafter(0.9, 0.0)};
  const std::vector<double> y = {1.0, 2.0, 3.0, 4.0};
  DecileMeansAccumulator a(1, 1);
  a.add_block(y, v, 4);
  const DecileMeans t = a.finalize(0.95).front();
  EXPECT_EQ(t.lowest.runs, 1u);
  EXPECT_EQ(t.lowest.mean, 2.0);
  EXPECT_TRUE(std::isnan(t.lowest.low));  // one run: no interval
  EXPECT_EQ(t.highest.runs, 1u);
  EXPECT_EQ(t.highest.mean, 3.0);
  // No run in a decile: NaN, with zero runs.
  DecileMeansAccumulator empty(1, 1);
  const DecileMeans none = empty.finalize(0.95).front();
  EXPECT_EQ(none.lowest.runs, 0u);
  EXPECT_TRUE(std::isnan(none.lowest.mean));
}

TEST(DecileMeans, MergingBlocksEqualsMergingTheirAccumulatorsAndSaveLoadRoundTrips) {
  const Runs first = make_runs(1000, 2), second = make_runs(700, 3);
  DecileMeansAccumulator total(2, 2), a(2, 2), b(2, 2);
  a.add_block(first.y, first.v, first.n);
  b.add_block(second.y, second.v, second.n);
  total.merge(a);
  total.merge(b);
  DecileMeansAccumulator again(2, 2);
  again.merge(a);
  again.merge(b);
  EXPECT_TRUE(again == total);
  ByteWriter out;
  total.save(out);
  ByteReader in(out.bytes(), "test");
  EXPECT_TRUE(DecileMeansAccumulator::load(in, 2, 2) == total);
  ByteReader wrong(out.bytes(), "test");
  EXPECT_THROW((void)DecileMeansAccumulator::load(wrong, 3, 2), InputError);
}

TEST(DecileMeans, ShapeMismatchesAreModelErrors) {
  DecileMeansAccumulator a(2, 2);
  EXPECT_THROW(a.add_block(std::vector<double>(3), std::vector<double>(4), 2), ModelError);
  EXPECT_THROW(a.merge(DecileMeansAccumulator(1, 2)), ModelError);
}

}  // namespace
}  // namespace symbiomc
