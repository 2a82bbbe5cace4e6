#pragma once
// Streaming Sobol' indices from a pick-freeze (Saltelli) design. The driver feeds f(A), f(B),
// f(AB_j) (and f(BA_j)) per base sample; only sums are kept, so memory is O(factors x outputs)
// whatever N, blocks merge in a fixed order, and confidence intervals need no stored samples.

#include <cstddef>
#include <span>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/pair_index.hpp"

namespace symbiomc {

/// How the confidence intervals of a SobolEstimates were obtained.
enum class IntervalMethod {
  delta_method,  ///< asymptotic normality of a ratio of means (pseudo-random sampling)
  replicate_t,   ///< Student-t over independent randomised-QMC replicates
};

/// One Sobol' index of one output with its confidence interval.
struct IndexEstimate {
  double value = 0.0;                        ///< point estimate as estimated: never clipped to [0, 1]
  double std_error = 0.0;                    ///< standard error behind the interval (0 for a zero-variance output)
  double low = 0.0;                          ///< lower end of the confidence interval
  double high = 0.0;                         ///< upper end of the confidence interval
  bool indistinguishable_from_zero = false;  ///< low <= 0 <= high

  friend bool operator==(const IndexEstimate&, const IndexEstimate&) = default;
};

/// All indices of one output.
struct SobolOutputEstimates {
  double mean = 0.0;      ///< mean over the A and B rows, in the output's unit
  double variance = 0.0;  ///< V pooled over the A and B rows, divisor 2N (SALib: np.var(np.r_[A, B]))
  /// V <= 1e-12 * max(mean^2, second moment about the shift): the output is constant to
  /// rounding, every index is reported as 0 with a zero-width interval (SALib gives 0, not NaN).
  bool zero_variance = false;
  std::vector<IndexEstimate> first;           ///< S1 per factor
  std::vector<IndexEstimate> total;           ///< ST per factor
  std::vector<IndexEstimate> second;          ///< S2 per pair_index(j, l); empty unless second order
  double sum_first = 0.0;                     ///< sum of S1; 1 - sum_first is the share of interactions
  std::vector<std::size_t> rank_by_total;     ///< [j]: rank of factor j by ST, 1 = most influential
  std::vector<std::size_t> factors_by_total;  ///< factor indices, largest ST first (ties: lower index first)
  /// [j]: the ST interval of factor j overlaps that of the factor ranked just below it, so
  /// their order is not resolved at this sample size; false for the last-ranked factor.
  std::vector<bool> total_overlaps_next;

  friend bool operator==(const SobolOutputEstimates&, const SobolOutputEstimates&) = default;
};

/// Result of SobolAccumulator::finalize or combine_replicates.
struct SobolEstimates {
  std::size_t n_factors = 0;
  std::size_t n_outputs = 0;
  bool second_order = false;
  std::size_t n_base = 0;   ///< base samples N behind the point estimates
  double conf_level = 0.0;  ///< e.g. 0.95
  IntervalMethod interval = IntervalMethod::delta_method;
  std::size_t n_replicates = 0;               ///< R for replicate_t, 0 otherwise
  std::vector<SobolOutputEstimates> outputs;  ///< one per output

  friend bool operator==(const SobolEstimates&, const SobolEstimates&) = default;
};

/// Every field of `e`, bit for bit, for checkpoints and MPI messages (byte_stream.hpp).
void save(ByteWriter& out, const SobolEstimates& e);
/// Reads what save(ByteWriter&, const SobolEstimates&) wrote. Throws InputError on truncated
/// data or inconsistent shapes (per output: n_factors first and total indices and ranks,
/// pair_count(n_factors) second-order indices when second_order, else none; at most n_outputs
/// outputs, since an estimate taken before 2 base samples has none).
[[nodiscard]] SobolEstimates load_sobol_estimates(ByteReader& in);

/// Running sums for first-order (Saltelli et al. 2010), total (Jansen 1999) and optionally
/// second-order (Saltelli 2002) indices of every (factor, output), plus the sums the
/// delta-method intervals need. Memory: 2*9*D*K (+ 9*D(D-1)/2*K) doubles, independent of N.
/// Not thread-safe; use one per block and merge in block order.
class SobolAccumulator {
 public:
  /// `shift[k]` (e.g. a pilot mean of output k) is subtracted from every value of output k
  /// before it enters a sum, so that sums of squares do not cancel; the estimates do not depend
  /// on it except through rounding. Precondition for full precision: shift within a few
  /// standard deviations of the mean. The sums are raw moments about the shift, and the
  /// standard errors lose about 4*log10(|mean - shift| / sd) digits (a shift 600 sd off leaves
  /// the point estimates at ~1e-9 but the standard errors at a few %). Throws ModelError if
  /// n_factors or n_outputs is 0 or shift.size() != n_outputs.
  SobolAccumulator(std::size_t n_factors, std::size_t n_outputs, bool second_order, std::vector<double> shift);

  /// Adds one base sample i. Sizes: y_a, y_b: K = n_outputs; y_ab: D*K with y_ab[j*K + k] the
  /// output k of row AB_i^(j) (A_i with factor j's columns from B_i); y_ba: D*K likewise for
  /// BA_i^(j) when second order, else empty. Values must be finite (failed runs are the
  /// driver's to drop, whole base samples at a time). Throws ModelError on a size mismatch.
  /// Cost O(D*K), or O(D^2*K) with second order; no allocation.
  void add(std::span<const double> y_a, std::span<const double> y_b, std::span<const double> y_ab,
           std::span<const double> y_ba);

  /// Adds the sums of `other` (same shape and shift, else ModelError). The result depends on
  /// the order of merges only through rounding; merge blocks in a fixed order for bit-identical output.
  void merge(const SobolAccumulator& other);

  /// Base samples added so far.
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t n_factors() const noexcept { return n_factors_; }
  [[nodiscard]] std::size_t n_outputs() const noexcept { return n_outputs_; }
  [[nodiscard]] bool second_order() const noexcept { return second_order_; }
  [[nodiscard]] const std::vector<double>& shift() const noexcept { return shift_; }

  /// Point estimates with delta-method intervals at `conf_level` (in (0, 1), else InputError).
  /// Throws ModelError when count() < 2 or when a sum is not finite (a NaN reached add).
  [[nodiscard]] SobolEstimates finalize(double conf_level) const;

  /// The exact state (shape, shift, count and every running sum), for checkpoints and MPI
  /// messages. load(save(x)) == x bit for bit; load throws InputError on truncated data or
  /// sizes that do not match the shape.
  void save(ByteWriter& out) const;
  [[nodiscard]] static SobolAccumulator load(ByteReader& in);

  friend bool operator==(const SobolAccumulator&, const SobolAccumulator&) = default;

 private:
  /// Sums for one index whose per-sample numerator term, centred at the pooled mean m, is
  /// r0 + m*r1; s1 = a + b and s2 = (a^2 + b^2)/2 are the per-sample terms of V (see sobol.cpp).
  struct RatioSums {
    double r0 = 0, r1 = 0, r0r0 = 0, r0r1 = 0, r1r1 = 0, r0s2 = 0, r0s1 = 0, r1s2 = 0, r1s1 = 0;
    friend bool operator==(const RatioSums&, const RatioSums&) = default;
  };
  /// Sums of the V terms of one output.
  struct PooledSums {
    double s1 = 0, s2 = 0, s1s1 = 0, s1s2 = 0, s2s2 = 0;
    friend bool operator==(const PooledSums&, const PooledSums&) = default;
  };

  static void add_to(RatioSums& sums, double r0, double r1, double s1, double s2) noexcept;
  static void merge_into(RatioSums& into, const RatioSums& from) noexcept;

  std::size_t n_factors_;
  std::size_t n_outputs_;
  bool second_order_;
  std::vector<double> shift_;
  std::size_t count_ = 0;
  std::vector<PooledSums> pooled_;  ///< [k]
  std::vector<RatioSums> first_;    ///< [k*D + j]
  std::vector<RatioSums> total_;    ///< [k*D + j]
  std::vector<RatioSums> second_;   ///< [k*P + pair_index(j, l)], P = pair_count(D)
};

/// Randomised QMC: R independent replicates (e.g. R random digital shifts of a Sobol' sequence)
/// each finalized on its own, plus `pooled` = all replicates merged. The point estimates are
/// pooled's; each interval is pooled.value +- t(R-1) * s / sqrt(R), s the standard deviation of
/// the R replicate values, because a QMC estimate has no CLT error bar of its own (QuantLib's
/// allowsErrorEstimate = 0; Owen's randomised QMC). Throws ModelError if R < 2 or shapes differ,
/// InputError if conf_level is not in (0, 1).
[[nodiscard]] SobolEstimates combine_replicates(std::span<const SobolEstimates> replicates,
                                                const SobolEstimates& pooled, double conf_level);

}  // namespace symbiomc
