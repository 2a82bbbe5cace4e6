#pragma once
// Streaming, mergeable statistics of Monte Carlo outputs: moments, fixed-edge histograms for
// quantiles, exceedance probabilities and paired mode comparisons. The sampler fills one set per
// index-defined block and merges them in block order, so memory is O(bins), never O(runs), and
// the same seed gives the same bits at any thread count.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"

namespace symbiomc {

// Every accumulator below has save(ByteWriter&) and a static load(ByteReader&) (byte_stream.hpp),
// for MPI messages and checkpoints: load(save(x)) == x bit for bit, so a loaded accumulator adds
// and merges exactly like the original. load throws InputError (ByteReader::fail, "corrupt or
// truncated data") on truncated input or on state that violates the class's invariants. The
// bytes carry no format version; the checkpoint header does.

/// Relative threshold below which an estimator treats an output as constant (its indices are
/// then 0, not noise divided by noise): V is the difference q - m^2 of two numbers of size
/// max(mean^2, q) (q = second moment about the shift), so rounding alone leaves |V| up to a few
/// ulp of that; 1e-12 is ~4500 ulp, far above rounding noise and far below any real spread.
/// No absolute floor: outputs carry units, and an absolute threshold would depend on them.
inline constexpr double ZERO_VARIANCE_RELATIVE = 1e-12;

/// Running count, mean, sum of squared deviations, min and max of a stream of values
/// (Welford update, Chan et al. pairwise merge). O(1) memory.
///
/// Thread-safety: none; one accumulator per block, merged afterwards on one thread.
/// Determinism: add and merge are pure functions of their operands, so merging the same
/// blocks in the same order always gives the same bits.
class Moments {
 public:
  /// Adds one value. Precondition: `x` is finite (the sampler drops failed runs before they
  /// reach a statistic; checked by assert in debug builds). O(1), no allocation.
  void add(double x) noexcept;
  /// Folds `other` into *this as if its values had been added after ours. Merging into an
  /// empty accumulator gives an exact copy of `other`. O(1), no allocation.
  void merge(const Moments& other) noexcept;
  /// The moments of values summarised elsewhere: `count` values (>= 1) with mean `mean`, sum of
  /// squared deviations from it `m2` (>= 0), smallest `min` and largest `max`. For a caller that
  /// sums a block in two passes (no division per value, unlike add) and merges the result.
  [[nodiscard]] static Moments of_summary(std::uint64_t count, double mean, double m2, double min, double max) noexcept;
  /// The moments of a block of values (at least one, finite), in two passes: the mean, then the
  /// squared deviations from it, min and max. No division per value, unlike add: for callers
  /// that have a block at hand and merge its moments. Empty x gives empty moments.
  [[nodiscard]] static Moments of_values(std::span<const double> x) noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  /// Arithmetic mean. Throws ModelError when count() == 0.
  [[nodiscard]] double mean() const;
  /// Sample variance (divisor n - 1). Throws ModelError when count() < 2.
  [[nodiscard]] double variance() const;
  /// sqrt(variance()). Throws ModelError when count() < 2.
  [[nodiscard]] double sd() const;
  /// sd() / sqrt(count()): standard error of the mean. Throws ModelError when count() < 2.
  [[nodiscard]] double standard_error() const;
  /// Smallest / largest value added. Throw ModelError when count() == 0.
  [[nodiscard]] double min() const;
  [[nodiscard]] double max() const;
  /// Two-sided Student-t confidence interval for the mean at `level` in (0, 1), e.g. 0.95:
  /// mean -/+ t_{(1+level)/2, n-1} * standard_error(). Throws ModelError when count() < 2 or
  /// `level` is outside (0, 1).
  [[nodiscard]] std::pair<double, double> ci_mean(double level) const;

  void save(ByteWriter& out) const;
  [[nodiscard]] static Moments load(ByteReader& in);

  friend bool operator==(const Moments&, const Moments&) = default;

 private:
  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;  ///< sum of squared deviations from the mean
  double min_ = 0.0;
  double max_ = 0.0;
};

/// One quantile read from a Histogram with its guaranteed error bound.
struct QuantileEstimate {
  double value = 0.0;
  /// |value - x_(k)| <= error_bound, where x_(k) is the exact sample quantile of the values
  /// added (k = max(1, ceil(p * n)), the inverse of the empirical CDF).
  double error_bound = 0.0;
};

/// Counts per bin over edges fixed at construction, plus underflow (x < lo), overflow (x > hi)
/// and the exact min and max, so that quantiles merge exactly (unlike P², which does not merge).
/// Bins are [e_i, e_{i+1}); the last bin also holds hi.
///
/// Memory O(bins), allocated only at construction. Thread-safety: none; one per block.
class Histogram {
 public:
  /// Edges lo = e_0 < e_1 < ... < e_bins = hi, equally spaced. Throws ModelError unless lo and
  /// hi are finite, lo < hi, bins >= 1 and the edges are strictly increasing in double precision.
  Histogram(double lo, double hi, std::size_t bins);

  /// An empty histogram whose range is the pilot's [min, max] widened by 50 % of its span on
  /// each side, so later blocks rarely fall outside. A (near-)constant pilot, whose span is at
  /// most 1e-9 of its magnitude, gets centre -/+ 10 % of |centre| (-/+ 1 when the centre is 0).
  /// The pilot values are NOT added: the caller adds them with its block as usual. Throws
  /// ModelError when the pilot is empty or holds a non-finite value.
  [[nodiscard]] static Histogram with_range_from_pilot(std::span<const double> pilot, std::size_t bins);

  /// Adds one value. Precondition: `x` is finite (assert in debug builds). O(1) (one multiply
  /// and at most a couple of edge comparisons), no allocation.
  void add(double x) noexcept;
  /// Adds `other`'s counts. Throws ModelError, naming both ranges, when the edges differ.
  /// O(bins), no allocation.
  void merge(const Histogram& other);

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t underflow() const noexcept { return underflow_; }
  [[nodiscard]] std::uint64_t overflow() const noexcept { return overflow_; }
  [[nodiscard]] double lo() const noexcept { return lo_; }
  [[nodiscard]] double hi() const noexcept { return hi_; }
  /// bins + 1 edges, e_0 = lo, e_bins = hi.
  [[nodiscard]] std::span<const double> bin_edges() const noexcept { return *edges_; }
  /// `bins` counts, excluding underflow and overflow.
  [[nodiscard]] std::span<const std::uint64_t> bin_counts() const noexcept { return counts_; }
  /// Exact smallest / largest value added. Throw ModelError when count() == 0.
  [[nodiscard]] double min() const;
  [[nodiscard]] double max() const;

  /// The p-quantile (p in [0, 1]), interpolated linearly within the region that holds the
  /// k-th smallest value (a bin, or [min, lo) / (hi, max]), the region clipped to [min, max].
  /// quantile(0) = min(), quantile(1) = max(). Throws ModelError when count() == 0 or p is
  /// outside [0, 1]. O(bins).
  [[nodiscard]] QuantileEstimate quantile_estimate(double p) const;
  [[nodiscard]] double quantile(double p) const { return quantile_estimate(p).value; }
  /// The stated error bound reported next to quantile(p): the width of the bin holding it (or,
  /// in the underflow / overflow region, the distance from the edge to min / max), clipped to
  /// [min, max], so a constant output has bound 0.
  [[nodiscard]] double quantile_error_bound(double p) const { return quantile_estimate(p).error_bound; }

  void save(ByteWriter& out) const;
  [[nodiscard]] static Histogram load(ByteReader& in);

  /// Same edges (by value), counts, min and max.
  friend bool operator==(const Histogram& a, const Histogram& b) noexcept;

 private:
  Histogram() = default;  ///< no edges: only for load, which fills every field

  /// Shared, immutable: every block's copy of a histogram points at its prototype's edges, so a
  /// block accumulator carries only counts (half the memory and copying; issue 5).
  std::shared_ptr<const std::vector<double>> edges_;
  std::vector<std::uint64_t> counts_;
  double bins_per_unit_ = 0.0;                ///< bins / (hi - lo): first guess of the bin index
  double lo_ = 0.0, hi_ = 0.0, width_ = 0.0;  ///< edges_.front(), edges_.back(), hi - lo: add() reads no edge array
  /// 1 / bins when bins is a power of two (then i * (1 / bins) is exactly i / bins), else 0: edge()
  /// multiplies instead of dividing, two divisions per add saved at the default 2048 bins.
  double power_of_two_inverse_bins_ = 0.0;
  /// Edge i (0..bins), computed exactly as the constructor stored it.
  [[nodiscard]] double edge(std::size_t i) const noexcept;
  std::uint64_t count_ = 0;
  std::uint64_t underflow_ = 0;
  std::uint64_t overflow_ = 0;
  double min_ = 0.0;
  double max_ = 0.0;
};

/// Wilson score interval for a binomial proportion `successes / trials` at `level` in (0, 1)
/// (Wilson 1927). Used instead of the normal approximation p -/+ z sqrt(p(1-p)/n), whose interval
/// collapses to zero width at p = 0 or 1 and leaves [0, 1] near them; exceedance and failure
/// rates of interest sit exactly there. Throws ModelError when trials == 0,
/// successes > trials or `level` is outside (0, 1).
[[nodiscard]] std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials, double level);

/// Counts of values > 0 and > each user threshold, for P(output > 0) and P(output > t_i)
/// ("probability that the synergy saves money", "... saves more than 1e6 yuan/yr").
/// Memory O(thresholds), allocated at construction. Thread-safety: none; one per block.
class ExceedanceCounter {
 public:
  /// `thresholds` in the output's unit; each must be finite (ModelError otherwise).
  explicit ExceedanceCounter(std::vector<double> thresholds = {});

  /// Counts `x` (strict inequalities: x > 0, x > t_i). O(thresholds), no allocation.
  void add(double x) noexcept;
  /// Adds `other`'s counts. Throws ModelError when the thresholds differ.
  void merge(const ExceedanceCounter& other);

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t count_positive() const noexcept { return positive_; }
  [[nodiscard]] std::span<const double> thresholds() const noexcept { return thresholds_; }
  /// Values > thresholds()[i]. Throws ModelError when i is out of range.
  [[nodiscard]] std::uint64_t count_above(std::size_t i) const;

  /// Fraction of values > 0, and its Wilson interval. Throw ModelError when count() == 0.
  [[nodiscard]] double prob_positive() const;
  [[nodiscard]] std::pair<double, double> prob_positive_ci(double level) const;
  /// Fraction of values > thresholds()[i], and its Wilson interval. Throw ModelError when
  /// count() == 0 or i is out of range.
  [[nodiscard]] double prob_above(std::size_t i) const;
  [[nodiscard]] std::pair<double, double> prob_above_ci(std::size_t i, double level) const;

  void save(ByteWriter& out) const;
  [[nodiscard]] static ExceedanceCounter load(ByteReader& in);

  friend bool operator==(const ExceedanceCounter&, const ExceedanceCounter&) = default;

 private:
  std::vector<double> thresholds_;
  std::vector<std::uint64_t> above_;
  std::uint64_t count_ = 0;
  std::uint64_t positive_ = 0;
};

/// Everything reported for one output: moments, histogram (quantiles) and exceedances.
class OutputStats {
 public:
  /// `histogram` supplies the edges (e.g. from Histogram::with_range_from_pilot) and must be
  /// empty; throws ModelError otherwise, or for a non-finite threshold.
  OutputStats(Histogram histogram, std::vector<double> thresholds);

  /// Precondition: `x` finite. No allocation.
  void add(double x) noexcept;
  /// Throws ModelError when the histogram edges or thresholds differ.
  void merge(const OutputStats& other);

  [[nodiscard]] const Moments& moments() const noexcept { return moments_; }
  [[nodiscard]] const Histogram& histogram() const noexcept { return histogram_; }
  [[nodiscard]] const ExceedanceCounter& exceedance() const noexcept { return exceedance_; }

  void save(ByteWriter& out) const;
  [[nodiscard]] static OutputStats load(ByteReader& in);

  friend bool operator==(const OutputStats&, const OutputStats&) = default;

 private:
  /// Filled parts, as read by load (which checks that their counts agree).
  OutputStats(Moments moments, Histogram histogram, ExceedanceCounter exceedance);

  Moments moments_;
  Histogram histogram_;
  ExceedanceCounter exceedance_;
};

/// Paired outputs a, b of the same run in two modes (common random numbers, e.g. a synergy mode
/// against the independent baseline): counts of a > b and a == b, and the distribution of a - b.
/// Pairing is the point: Var(a - b) is far smaller than Var(a) + Var(b) when a and b share inputs.
class PairComparison {
 public:
  /// `difference_histogram` supplies the edges for a - b and must be empty (ModelError otherwise).
  explicit PairComparison(Histogram difference_histogram);

  /// Precondition: `a`, `b` and a - b finite. No allocation.
  void add(double a, double b) noexcept;
  /// Throws ModelError when the difference histograms' edges differ.
  void merge(const PairComparison& other);

  [[nodiscard]] std::uint64_t count() const noexcept { return difference_.count(); }
  [[nodiscard]] std::uint64_t count_a_greater() const noexcept { return a_greater_; }
  [[nodiscard]] std::uint64_t count_equal() const noexcept { return equal_; }
  [[nodiscard]] std::uint64_t count_b_greater() const noexcept { return count() - a_greater_ - equal_; }
  /// Fraction of runs with a > b, and its Wilson interval. Throw ModelError when count() == 0.
  [[nodiscard]] double prob_a_greater() const;
  [[nodiscard]] std::pair<double, double> prob_a_greater_ci(double level) const;
  /// Moments and histogram of a - b.
  [[nodiscard]] const Moments& difference() const noexcept { return difference_; }
  [[nodiscard]] const Histogram& difference_histogram() const noexcept { return difference_histogram_; }

  void save(ByteWriter& out) const;
  [[nodiscard]] static PairComparison load(ByteReader& in);

  friend bool operator==(const PairComparison&, const PairComparison&) = default;

 private:
  /// Filled parts, as read by load.
  PairComparison(Moments difference, Histogram difference_histogram, std::uint64_t a_greater, std::uint64_t equal);

  Moments difference_;
  Histogram difference_histogram_;
  std::uint64_t a_greater_ = 0;
  std::uint64_t equal_ = 0;
};

}  // namespace symbiomc
