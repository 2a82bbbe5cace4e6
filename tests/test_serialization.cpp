// Tests of the accumulators' byte serialisation (save / load over byte_stream.hpp), which carries
// state in MPI messages and checkpoint files: exact round trips, merges after a load that give
// the same bits as merges of the originals, and rejection of truncated or inconsistent data.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <boost/random/mersenne_twister.hpp>

#include "support/random.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/morris.hpp"
#include "symbiomc/stats/sobol.hpp"
#include "symbiomc/stats/stats.hpp"

namespace symbiomc {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

// A fixed, irregular sequence over about [-100, 130], with exact zeros every 97 values.
double value(std::size_t i) {
  const double x = static_cast<double>(i);
  return i % 97 == 0 ? 0.0 : 100.0 * std::sin(0.37 * x) + 0.01 * x;
}

template <class T>
std::string bytes_of(const T& x) {
  ByteWriter out;
  x.save(out);
  return out.take();
}

std::string bytes_of(const SobolEstimates& e) {
  ByteWriter out;
  save(out, e);
  return out.take();
}

// Loads with T::load and requires that every byte was read.
template <class T>
T load_all(std::string_view bytes) {
  ByteReader in(bytes, "test data");
  T x = T::load(in);
  in.expect_end();
  return x;
}

SobolEstimates load_all_estimates(std::string_view bytes) {
  ByteReader in(bytes, "test data");
  SobolEstimates e = load_sobol_estimates(in);
  in.expect_end();
  return e;
}

// load(save(x)) == x, and saving the loaded copy gives the same bytes.
template <class T>
void expect_round_trip(const T& x) {
  const std::string bytes = bytes_of(x);
  ASSERT_FALSE(bytes.empty());
  const T y = load_all<T>(bytes);
  EXPECT_TRUE(y == x);
  EXPECT_EQ(bytes_of(y), bytes);
}

// Both merges give the same bytes: the loaded copies behave exactly like the originals.
template <class T>
void expect_merge_after_load_matches(T a, const T& b) {
  T a_loaded = load_all<T>(bytes_of(a));
  const T b_loaded = load_all<T>(bytes_of(b));
  a.merge(b);
  a_loaded.merge(b_loaded);
  EXPECT_TRUE(a_loaded == a);
  EXPECT_EQ(bytes_of(a_loaded), bytes_of(a));
}

using Loader = std::function<void(ByteReader&)>;

// Every strict prefix of `bytes` throws InputError (and never crashes or reads past its end).
void expect_every_prefix_rejected(const std::string& bytes, const Loader& load) {
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    ByteReader in(std::string_view(bytes).substr(0, length), "truncated data");
    EXPECT_THROW(load(in), InputError) << "prefix of " << length << " of " << bytes.size() << " bytes";
  }
  ByteReader whole(bytes, "whole data");
  EXPECT_NO_THROW(load(whole));
  EXPECT_TRUE(whole.at_end());
}

// `bytes` is refused with an InputError whose message says "corrupt" and contains `piece`.
void expect_corrupt(const std::string& bytes, const Loader& load, const std::string& piece) {
  ByteReader in(bytes, "checkpoint test");
  try {
    load(in);
    ADD_FAILURE() << "no InputError; expected one mentioning '" << piece << "'";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("checkpoint test"), std::string::npos) << what;
    EXPECT_NE(what.find("corrupt"), std::string::npos) << what;
    EXPECT_NE(what.find(piece), std::string::npos) << what;
  }
}

const Loader load_moments = [](ByteReader& in) { (void)Moments::load(in); };
const Loader load_histogram = [](ByteReader& in) { (void)Histogram::load(in); };
const Loader load_exceedance = [](ByteReader& in) { (void)ExceedanceCounter::load(in); };
const Loader load_output_stats = [](ByteReader& in) { (void)OutputStats::load(in); };
const Loader load_pair = [](ByteReader& in) { (void)PairComparison::load(in); };
const Loader load_sobol = [](ByteReader& in) { (void)SobolAccumulator::load(in); };
const Loader load_morris = [](ByteReader& in) { (void)MorrisAccumulator::load(in); };
const Loader load_estimates = [](ByteReader& in) { (void)load_sobol_estimates(in); };

Moments filled_moments(std::size_t first, std::size_t n) {
  Moments m;
  for (std::size_t i = first; i < first + n; ++i) m.add(value(i));
  return m;
}

Histogram filled_histogram(std::size_t first, std::size_t n) {
  Histogram h(-50.0, 50.0, 40);  // the sequence reaches past both ends
  for (std::size_t i = first; i < first + n; ++i) h.add(value(i));
  return h;
}

ExceedanceCounter filled_exceedance(std::size_t first, std::size_t n) {
  ExceedanceCounter c({-10.0, 0.0, 42.5});
  for (std::size_t i = first; i < first + n; ++i) c.add(value(i));
  return c;
}

// The pilot gives edges with an irregular bin scale, as in a real run.
Histogram pilot_histogram() {
  std::vector<double> pilot;
  for (std::size_t i = 0; i < 100; ++i) pilot.push_back(value(i));
  return Histogram::with_range_from_pilot(pilot, 32);
}

OutputStats filled_output_stats(std::size_t first, std::size_t n) {
  OutputStats s(pilot_histogram(), {0.5, 60.0});
  for (std::size_t i = first; i < first + n; ++i) s.add(value(i));
  return s;
}

PairComparison filled_pair(std::size_t first, std::size_t n) {
  PairComparison p(Histogram(-20.0, 20.0, 16));
  for (std::size_t i = first; i < first + n; ++i) p.add(value(i), i % 5 == 0 ? value(i) : value(i + 3));
  return p;
}

using test::open_uniform;

constexpr std::size_t SOBOL_FACTORS = 3;
constexpr std::size_t SOBOL_OUTPUTS = 2;

void sobol_model(const std::vector<double>& x, double* y) {
  y[0] = x[0] + 2.0 * x[1] + 4.0 * x[0] * x[2];
  y[1] = std::sin(6.0 * x[0]) * x[1] + 5.0;
}

// Pick-freeze rows A, B, AB_j (and BA_j) of a small closed-form model, fed through add().
SobolAccumulator filled_sobol(bool second_order, std::uint64_t seed, std::size_t n_base,
                              std::size_t d = SOBOL_FACTORS) {
  const std::size_t k = SOBOL_OUTPUTS;
  SobolAccumulator acc(d, k, second_order, {1.5, 5.0});
  boost::random::mt19937_64 engine(seed);
  std::vector<double> xa(SOBOL_FACTORS), xb(SOBOL_FACTORS), x(SOBOL_FACTORS), ya(k), yb(k), yab(d * k),
      yba(second_order ? d * k : 0);
  for (std::size_t i = 0; i < n_base; ++i) {
    for (std::size_t j = 0; j < SOBOL_FACTORS; ++j) {
      xa[j] = j < d ? open_uniform(engine) : 0.5;
      xb[j] = j < d ? open_uniform(engine) : 0.5;
    }
    sobol_model(xa, ya.data());
    sobol_model(xb, yb.data());
    for (std::size_t j = 0; j < d; ++j) {
      x = xa;
      x[j] = xb[j];
      sobol_model(x, &yab[j * k]);
      if (second_order) {
        x = xb;
        x[j] = xa[j];
        sobol_model(x, &yba[j * k]);
      }
    }
    acc.add(ya, yb, yab, yba);
  }
  return acc;
}

// Trajectories of a small closed-form model, fed through add().
MorrisAccumulator filled_morris(std::uint64_t seed, std::size_t trajectories) {
  const std::size_t d = 3, k = 2;
  const MorrisDesign design(d);
  MorrisAccumulator acc(d, k);
  std::vector<double> points((d + 1) * d), step(d), y((d + 1) * k), x(d);
  std::vector<std::size_t> changed(d);
  for (std::size_t t = 0; t < trajectories; ++t) {
    boost::random::mt19937_64 engine(seed * 1000003 + t);
    design.trajectory(engine, points, changed, step);
    for (std::size_t m = 0; m <= d; ++m) {
      x.assign(points.begin() + static_cast<std::ptrdiff_t>(m * d),
               points.begin() + static_cast<std::ptrdiff_t>((m + 1) * d));
      sobol_model(x, &y[m * k]);
    }
    acc.add(y, changed, step);
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(Serialization, MomentsRoundTrip) {
  const Moments m = filled_moments(0, 3000);
  ASSERT_EQ(m.count(), 3000u);
  expect_round_trip(m);
  expect_round_trip(Moments{});
  const Moments loaded = load_all<Moments>(bytes_of(m));
  EXPECT_EQ(loaded.mean(), m.mean());
  EXPECT_EQ(loaded.variance(), m.variance());
  EXPECT_EQ(loaded.min(), m.min());
  EXPECT_EQ(loaded.max(), m.max());
  EXPECT_EQ(bytes_of(m).size(), 8u + 4u * 8u);  // count and four doubles, nothing else
}

TEST(Serialization, HistogramRoundTrip) {
  for (const Histogram& h : {filled_histogram(0, 4000), pilot_histogram(), Histogram(-1.0, 1.0, 1)}) {
    expect_round_trip(h);
  }
  const Histogram h = filled_histogram(0, 4000);
  ASSERT_GT(h.underflow(), 0u);
  ASSERT_GT(h.overflow(), 0u);
  Histogram loaded = load_all<Histogram>(bytes_of(h));
  EXPECT_EQ(loaded.quantile_estimate(0.37).value, h.quantile_estimate(0.37).value);
  EXPECT_EQ(loaded.quantile_error_bound(0.9), h.quantile_error_bound(0.9));
  // Adding after the load bins exactly as the original does (the bin scale is stored raw).
  Histogram original = pilot_histogram();
  Histogram copy = load_all<Histogram>(bytes_of(original));
  for (std::size_t i = 0; i < 3000; ++i) {
    original.add(value(i));
    copy.add(value(i));
  }
  EXPECT_TRUE(copy == original);
}

TEST(Serialization, ExceedanceCounterRoundTrip) {
  const ExceedanceCounter c = filled_exceedance(0, 3000);
  ASSERT_GT(c.count_above(2), 0u);
  ASSERT_LT(c.count_above(2), c.count());
  expect_round_trip(c);
  expect_round_trip(ExceedanceCounter{});
  EXPECT_EQ(load_all<ExceedanceCounter>(bytes_of(c)).prob_above(1), c.prob_above(1));
}

TEST(Serialization, OutputStatsRoundTrip) {
  const OutputStats s = filled_output_stats(0, 3000);
  ASSERT_EQ(s.moments().count(), 3000u);
  expect_round_trip(s);
  expect_round_trip(OutputStats(Histogram(0.0, 1.0, 3), {}));
  const OutputStats loaded = load_all<OutputStats>(bytes_of(s));
  EXPECT_EQ(loaded.histogram().quantile(0.5), s.histogram().quantile(0.5));
  EXPECT_EQ(loaded.exceedance().count_above(1), s.exceedance().count_above(1));
}

TEST(Serialization, PairComparisonRoundTrip) {
  const PairComparison p = filled_pair(0, 3000);
  ASSERT_GT(p.count_equal(), 0u);
  ASSERT_GT(p.count_a_greater(), 0u);
  ASSERT_GT(p.count_b_greater(), 0u);
  expect_round_trip(p);
  const PairComparison loaded = load_all<PairComparison>(bytes_of(p));
  EXPECT_EQ(loaded.count_equal(), p.count_equal());
  EXPECT_EQ(loaded.difference().sd(), p.difference().sd());
}

TEST(Serialization, SobolAccumulatorRoundTrip) {
  for (const bool second_order : {false, true}) {
    const SobolAccumulator acc = filled_sobol(second_order, 11, 2000);
    ASSERT_EQ(acc.count(), 2000u);
    expect_round_trip(acc);
    const SobolAccumulator loaded = load_all<SobolAccumulator>(bytes_of(acc));
    EXPECT_EQ(loaded.second_order(), second_order);
    EXPECT_EQ(loaded.shift(), acc.shift());
    EXPECT_EQ(bytes_of(loaded.finalize(0.95)), bytes_of(acc.finalize(0.95)));
    EXPECT_TRUE(loaded.finalize(0.95) == acc.finalize(0.95));
  }
  expect_round_trip(SobolAccumulator(1, 1, false, {0.0}));
  // An accumulator differing in one sum is not equal: operator== compares the sums.
  EXPECT_FALSE(filled_sobol(true, 11, 2000) == filled_sobol(true, 11, 1999));
}

TEST(Serialization, MorrisAccumulatorRoundTrip) {
  const MorrisAccumulator acc = filled_morris(3, 500);
  expect_round_trip(acc);
  expect_round_trip(MorrisAccumulator(2, 3));
  const MorrisAccumulator loaded = load_all<MorrisAccumulator>(bytes_of(acc));
  const MorrisEstimates a = acc.finalize(), b = loaded.finalize();
  ASSERT_EQ(a.effects.size(), b.effects.size());
  for (std::size_t i = 0; i < a.effects.size(); ++i) {
    EXPECT_EQ(b.effects[i].count, a.effects[i].count);
    EXPECT_EQ(b.effects[i].mu_star, a.effects[i].mu_star);
    EXPECT_EQ(b.effects[i].sigma, a.effects[i].sigma);
  }
  EXPECT_FALSE(filled_morris(3, 500) == filled_morris(3, 499));
}

TEST(Serialization, SobolEstimatesRoundTrip) {
  const SobolEstimates delta = filled_sobol(true, 5, 3000).finalize(0.95);
  ASSERT_EQ(delta.outputs.size(), SOBOL_OUTPUTS);
  ASSERT_EQ(delta.outputs[0].second.size(), pair_count(SOBOL_FACTORS));

  std::vector<SobolEstimates> replicates;
  SobolAccumulator pooled(SOBOL_FACTORS, SOBOL_OUTPUTS, false, {1.5, 5.0});
  for (std::uint64_t r = 0; r < 4; ++r) {
    const SobolAccumulator acc = filled_sobol(false, 100 + r, 500);
    replicates.push_back(acc.finalize(0.9));
    pooled.merge(acc);
  }
  const SobolEstimates replicated = combine_replicates(replicates, pooled.finalize(0.9), 0.9);
  ASSERT_EQ(replicated.interval, IntervalMethod::replicate_t);

  // What the sensitivity driver reports before 2 base samples: a shape but no outputs.
  SobolEstimates early;
  early.n_factors = 4;
  early.n_outputs = 2;
  early.conf_level = 0.95;

  for (const SobolEstimates& e : {delta, replicated, early, SobolEstimates{}}) {
    const std::string bytes = bytes_of(e);
    const SobolEstimates loaded = load_all_estimates(bytes);
    EXPECT_TRUE(loaded == e);
    EXPECT_EQ(bytes_of(loaded), bytes);
  }
  const SobolEstimates loaded = load_all_estimates(bytes_of(replicated));
  EXPECT_EQ(loaded.n_replicates, 4u);
  EXPECT_EQ(loaded.outputs[1].factors_by_total, replicated.outputs[1].factors_by_total);
  EXPECT_EQ(loaded.outputs[1].total_overlaps_next, replicated.outputs[1].total_overlaps_next);
  // The comparison sees every field.
  SobolEstimates changed = delta;
  changed.outputs[1].total_overlaps_next[0] = !changed.outputs[1].total_overlaps_next[0];
  EXPECT_FALSE(changed == delta);
  EXPECT_NE(bytes_of(changed), bytes_of(delta));
}

// ---------------------------------------------------------------------------------------------
// Merges after a load

TEST(Serialization, MergeAfterLoadGivesTheSameBits) {
  expect_merge_after_load_matches(filled_moments(0, 1500), filled_moments(1500, 2100));
  expect_merge_after_load_matches(filled_histogram(0, 1500), filled_histogram(1500, 2100));
  expect_merge_after_load_matches(Histogram(-50.0, 50.0, 40), filled_histogram(1500, 2100));
  expect_merge_after_load_matches(filled_exceedance(0, 1500), filled_exceedance(1500, 2100));
  expect_merge_after_load_matches(filled_output_stats(0, 1500), filled_output_stats(1500, 2100));
  expect_merge_after_load_matches(filled_pair(0, 1500), filled_pair(1500, 2100));
  expect_merge_after_load_matches(filled_sobol(true, 1, 700), filled_sobol(true, 2, 900));
  expect_merge_after_load_matches(filled_sobol(false, 1, 700), filled_sobol(false, 2, 900));
  expect_merge_after_load_matches(filled_morris(1, 200), filled_morris(2, 300));
}

TEST(Serialization, MergedSobolEstimatesMatchAfterLoad) {
  SobolAccumulator a = filled_sobol(true, 1, 700);
  const SobolAccumulator b = filled_sobol(true, 2, 900);
  SobolAccumulator a_loaded = load_all<SobolAccumulator>(bytes_of(a));
  a_loaded.merge(load_all<SobolAccumulator>(bytes_of(b)));
  a.merge(b);
  EXPECT_EQ(bytes_of(a_loaded.finalize(0.95)), bytes_of(a.finalize(0.95)));
}

// ---------------------------------------------------------------------------------------------
// Truncated input

TEST(Serialization, EveryTruncatedHistogramIsRejected) {
  Histogram h(-1.0, 1.0, 4);
  for (std::size_t i = 0; i < 50; ++i) h.add(value(i) / 80.0);
  expect_every_prefix_rejected(bytes_of(h), load_histogram);
}

TEST(Serialization, EveryTruncatedSobolAccumulatorIsRejected) {
  expect_every_prefix_rejected(bytes_of(filled_sobol(true, 4, 30, 2)), load_sobol);
  expect_every_prefix_rejected(bytes_of(filled_sobol(false, 4, 30, 2)), load_sobol);
}

TEST(Serialization, EveryTruncatedAccumulatorIsRejected) {
  expect_every_prefix_rejected(bytes_of(filled_moments(0, 10)), load_moments);
  expect_every_prefix_rejected(bytes_of(filled_exceedance(0, 10)), load_exceedance);
  OutputStats s(Histogram(-1.0, 1.0, 2), {0.25});
  for (std::size_t i = 0; i < 10; ++i) s.add(value(i) / 100.0);
  expect_every_prefix_rejected(bytes_of(s), load_output_stats);
  PairComparison p(Histogram(-1.0, 1.0, 2));
  for (std::size_t i = 0; i < 10; ++i) p.add(value(i) / 100.0, 0.1);
  expect_every_prefix_rejected(bytes_of(p), load_pair);
  expect_every_prefix_rejected(bytes_of(filled_morris(1, 5)), load_morris);
  expect_every_prefix_rejected(bytes_of(filled_sobol(true, 4, 30, 2).finalize(0.95)), load_estimates);
}

// ---------------------------------------------------------------------------------------------
// Inconsistent data

TEST(Serialization, CorruptHistogramEdgesAreRejected) {
  Histogram h(0.0, 10.0, 5);
  for (std::size_t i = 0; i < 40; ++i) h.add(static_cast<double>(i % 10) + 0.5);
  const std::string good = bytes_of(h);
  ASSERT_TRUE(load_all<Histogram>(good) == h);
  // The bytes open with the edge count, then the edges: copy edge 1 over edge 2.
  std::string equal_edges = good;
  std::memcpy(equal_edges.data() + 8 + 2 * 8, good.data() + 8 + 1 * 8, 8);
  expect_corrupt(equal_edges, load_histogram, "strictly increasing histogram edges");
  std::string nan_edge = good;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::memcpy(nan_edge.data() + 8 + 3 * 8, &nan, 8);
  expect_corrupt(nan_edge, load_histogram, "strictly increasing histogram edges");
  std::string decreasing = good;
  const double below = -1.0;
  std::memcpy(decreasing.data() + 8 + 5 * 8, &below, 8);  // the last edge, hi, below lo
  expect_corrupt(decreasing, load_histogram, "strictly increasing histogram edges");
}

// The Histogram layout, written by hand so that one field at a time can be made inconsistent.
struct HistogramFields {
  std::vector<double> edges{0.0, 1.0, 2.0};
  std::vector<std::uint64_t> counts{3, 4};
  double bins_per_unit = 1.0;
  std::uint64_t count = 9, underflow = 1, overflow = 1;
  double min = -0.5, max = 2.5;
  [[nodiscard]] std::string bytes() const {
    ByteWriter out;
    out.f64s(edges);
    out.u64s(counts);
    out.f64(bins_per_unit);
    out.u64(count);
    out.u64(underflow);
    out.u64(overflow);
    out.f64(min);
    out.f64(max);
    return out.take();
  }
};

TEST(Serialization, InconsistentHistogramIsRejected) {
  const HistogramFields good;
  const Histogram h = load_all<Histogram>(good.bytes());  // the hand-written layout is valid
  EXPECT_EQ(h.count(), 9u);
  EXPECT_EQ(h.bin_counts()[1], 4u);

  HistogramFields f = good;
  f.edges = {0.0};
  f.counts = {};
  expect_corrupt(f.bytes(), load_histogram, "at least 2");
  f = good;
  f.counts = {3, 4, 0};
  expect_corrupt(f.bytes(), load_histogram, "one histogram count per bin");
  f = good;
  f.bins_per_unit = 0.0;
  expect_corrupt(f.bytes(), load_histogram, "bin scale");
  f = good;
  f.count = 10;
  expect_corrupt(f.bytes(), load_histogram, "sum of its bins");
  f = good;
  f.counts = {std::numeric_limits<std::uint64_t>::max(), 9};  // wraps around to the count
  f.underflow = 0;
  f.overflow = 1;
  f.min = 0.5;
  expect_corrupt(f.bytes(), load_histogram, "sum of its bins");
  f = good;
  f.min = 0.5;  // above lo although one value underflowed
  expect_corrupt(f.bytes(), load_histogram, "underflow and overflow");
  f = good;
  f.min = 3.0;  // min > max
  expect_corrupt(f.bytes(), load_histogram, "min and max");
  f = good;
  f.counts = {0, 0};
  f.count = f.underflow = f.overflow = 0;
  f.min = 1.0;  // empty, yet a min
  expect_corrupt(f.bytes(), load_histogram, "min and max");
}

TEST(Serialization, InconsistentMomentsAndExceedanceAreRejected) {
  auto moments = [](std::uint64_t count, double mean, double m2, double min, double max) {
    ByteWriter out;
    out.u64(count);
    for (const double x : {mean, m2, min, max}) out.f64(x);
    return out.take();
  };
  EXPECT_TRUE(load_all<Moments>(moments(2, 1.0, 2.0, 0.0, 2.0)).count() == 2);
  expect_corrupt(moments(0, 1.0, 0.0, 0.0, 0.0), load_moments, "moments");
  expect_corrupt(moments(2, 1.0, 2.0, 2.0, 0.0), load_moments, "moments");
  expect_corrupt(moments(2, 1.0, -2.0, 0.0, 2.0), load_moments, "moments");

  auto exceedance = [](std::vector<double> thresholds, std::vector<std::uint64_t> above, std::uint64_t count,
                       std::uint64_t positive) {
    ByteWriter out;
    out.f64s(thresholds);
    out.u64s(above);
    out.u64(count);
    out.u64(positive);
    return out.take();
  };
  EXPECT_EQ(load_all<ExceedanceCounter>(exceedance({1.0, 2.0}, {3, 2}, 5, 4)).count_above(1), 2u);
  expect_corrupt(exceedance({1.0, 2.0}, {3}, 5, 4), load_exceedance, "one exceedance count per threshold");
  expect_corrupt(exceedance({1.0, std::nan("")}, {3, 2}, 5, 4), load_exceedance, "finite exceedance thresholds");
  expect_corrupt(exceedance({1.0, 2.0}, {3, 2}, 5, 6), load_exceedance, "no larger than the number of values");
  expect_corrupt(exceedance({1.0, 2.0}, {3, 7}, 5, 4), load_exceedance, "no larger than the number of values");
}

TEST(Serialization, InconsistentAggregatesAreRejected) {
  // OutputStats whose moments saw one value more than its histogram.
  const OutputStats s = filled_output_stats(0, 100);
  ByteWriter out;
  filled_moments(0, 101).save(out);
  s.histogram().save(out);
  s.exceedance().save(out);
  expect_corrupt(out.take(), load_output_stats, "the same number of values");

  // PairComparison with more a > b and a == b pairs than pairs.
  const PairComparison p = filled_pair(0, 100);
  ByteWriter pair;
  p.difference().save(pair);
  p.difference_histogram().save(pair);
  pair.u64(60);
  pair.u64(41);
  expect_corrupt(pair.take(), load_pair, "counts agree");
}

// The SobolAccumulator layout with zero sums, written by hand.
std::string sobol_bytes(std::uint64_t d, std::uint64_t k, bool second_order, const std::vector<double>& shift,
                        std::size_t pooled, std::size_t first, std::size_t total, std::size_t second) {
  ByteWriter out;
  out.u64(d);
  out.u64(k);
  out.boolean(second_order);
  out.f64s(shift);
  out.u64(0);
  for (const std::size_t n : {pooled, first, total, second}) out.f64s(std::vector<double>(n, 0.0));
  return out.take();
}

TEST(Serialization, InconsistentSobolAccumulatorIsRejected) {
  // D = 3, K = 2, second order: 5K pooled sums, 9DK first and total sums, 9 D(D-1)/2 K second.
  const SobolAccumulator ok = load_all<SobolAccumulator>(sobol_bytes(3, 2, true, {0.0, 1.0}, 10, 54, 54, 54));
  EXPECT_TRUE(ok == SobolAccumulator(3, 2, true, {0.0, 1.0}));
  const std::string shape = "at least one factor and one finite shift per output";
  expect_corrupt(sobol_bytes(0, 2, true, {0.0, 1.0}, 10, 0, 0, 0), load_sobol, shape);
  expect_corrupt(sobol_bytes(3, 0, true, {}, 0, 0, 0, 0), load_sobol, shape);
  expect_corrupt(sobol_bytes(3, 2, true, {0.0}, 10, 54, 54, 54), load_sobol, shape);
  expect_corrupt(sobol_bytes(3, 2, true, {0.0, std::numeric_limits<double>::infinity()}, 10, 54, 54, 54), load_sobol,
                 shape);
  const std::string sums = "Sobol' sums sized";
  expect_corrupt(sobol_bytes(3, 2, true, {0.0, 1.0}, 9, 54, 54, 54), load_sobol, sums);
  expect_corrupt(sobol_bytes(3, 2, true, {0.0, 1.0}, 10, 45, 54, 54), load_sobol, sums);
  expect_corrupt(sobol_bytes(3, 2, true, {0.0, 1.0}, 10, 54, 63, 54), load_sobol, sums);
  expect_corrupt(sobol_bytes(3, 2, true, {0.0, 1.0}, 10, 54, 54, 0), load_sobol, sums);
  expect_corrupt(sobol_bytes(3, 2, false, {0.0, 1.0}, 10, 54, 54, 54), load_sobol, sums);
  // D = 2^63 + 4: 9 K D wraps around to 72 modulo 2^64, so a check by multiplication would pass.
  expect_corrupt(sobol_bytes((std::uint64_t{1} << 63) + 4, 2, false, {0.0, 1.0}, 10, 72, 72, 0), load_sobol, sums);
}

TEST(Serialization, InconsistentMorrisAccumulatorIsRejected) {
  auto morris = [](std::uint64_t d, std::uint64_t k, std::vector<std::uint64_t> counts, std::vector<double> sums) {
    ByteWriter out;
    out.u64(d);
    out.u64(k);
    out.u64s(counts);
    out.f64s(sums);
    return out.take();
  };
  EXPECT_TRUE(load_all<MorrisAccumulator>(morris(2, 1, {0, 0}, std::vector<double>(8, 0.0))) ==
              MorrisAccumulator(2, 1));
  const std::string shape = "n_factors x n_outputs moments";
  expect_corrupt(morris(0, 1, {}, {}), load_morris, shape);
  expect_corrupt(morris(2, 0, {}, {}), load_morris, shape);
  expect_corrupt(morris(2, 2, {0, 0}, std::vector<double>(8, 0.0)), load_morris, shape);
  expect_corrupt(morris(2, 1, {0, 0}, std::vector<double>(7, 0.0)), load_morris, shape);
  expect_corrupt(morris(2, 1, {0, 0}, {0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0}), load_morris, "all-zero moments");
}

TEST(Serialization, InconsistentSobolEstimatesAreRejected) {
  const SobolEstimates good = filled_sobol(true, 5, 200).finalize(0.95);
  auto corrupt = [&](const std::function<void(SobolEstimates&)>& change, const std::string& piece) {
    SobolEstimates e = good;
    change(e);
    expect_corrupt(bytes_of(e), load_estimates, piece);  // save writes whatever it is given
  };
  corrupt([](SobolEstimates& e) { e.interval = static_cast<IntervalMethod>(7); }, "interval method");
  corrupt([](SobolEstimates& e) { e.n_outputs = 1; }, "at most n_outputs");
  corrupt([](SobolEstimates& e) { e.outputs[1].first.pop_back(); }, "one index estimate per factor");
  corrupt([](SobolEstimates& e) { e.outputs[0].second.clear(); }, "one index estimate per factor");
  corrupt([](SobolEstimates& e) { e.second_order = false; }, "one index estimate per factor");
  corrupt([](SobolEstimates& e) { e.outputs[0].rank_by_total[2] = 0; }, "rank");
  corrupt([](SobolEstimates& e) { e.outputs[0].factors_by_total[0] = SOBOL_FACTORS; }, "factor indices");
  corrupt([](SobolEstimates& e) { e.outputs[1].total_overlaps_next.push_back(true); }, "overlap flag");
}

}  // namespace
}  // namespace symbiomc
