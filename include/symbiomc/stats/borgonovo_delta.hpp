#pragma once
// Borgonovo's moment-independent importance measure (Borgonovo 2007, "A new uncertainty
// importance measure", Reliability Engineering & System Safety 92:771-784),
//   delta_j = 1/2 E_{X_j}[ integral |f_Y(y) - f_{Y|X_j}(y)| dy ],
// the expected total-variation distance between the output's distribution and its distribution
// once X_j is known, estimated from given data as in Plischke, Borgonovo & Smith (2013),
// "Global sensitivity measures from given data", EJOR 226:536-550: B equal-probability bins of
// v_j = F_j(x_j) stand for "X_j known", and fixed y-classes (edges from a pilot, chosen by the
// caller) stand for the densities:
//   plug-in delta_j = 1/2 sum_b (n_b / n) sum_h |p_{h|b} - p_h|
// with p_h the fraction of all runs in class h and p_{h|b} that within bin b of v_j. The
// classes are (-inf, e_0), [e_0, e_1), ..., [e_{E-1}, +inf): values outside the pilot's range
// still count, in the two open classes.
//
// Bias. Two sources, in opposite directions:
//   - discretisation (downwards): merging y into classes and x_j into bins can only shrink a
//     total-variation distance (data-processing inequality), so the estimand is delta of the
//     binned pair, delta_{B,H} <= delta; the gap closes as B and H grow.
//   - noise (upwards): an empirical L1 distance between a histogram and its expectation is
//     positive even when they are equal. With D = p_{h|b} - p_h and sd s_bh =
//     sqrt(p_h (1 - p_h) (1/n_b - 1/n)) (binomial; the 1/n because p_h contains bin b's runs),
//     E|D_hat| - |D| lies between 0 (|D| >> s) and s sqrt(2/pi) (D = 0), so
//       bias_bound = 1/2 sum_b (n_b/n) sum_h sqrt(2/pi) s_bh
//     bounds the noise bias (to normal-approximation accuracy); it is ~ sqrt(B H / n) / 2 and
//     reported with every estimate. Because it scales as n^(-1/2), not n^(-1), the jackknife
//     alone would remove only part of it.
// Correction (the reported value), in two steps:
//   1. analytic SIMEX (simulation-extrapolation; Cook & Stefanski 1994, "Simulation-extrapolation
//      estimation in parametric measurement error models", JASA 89:1314-1328), per term: with
//      D_hat ~ N(D, s^2), blurring |D_hat| by extra noise of variance (v - 1) s^2 has the closed
//      form T_v = w f(D_hat / w), w = s sqrt(v - 1), f(t) = E|t + Z| (folded normal mean), and
//      E T_v = E|D + N(0, v s^2)|. The quadratic through v = 2, 3, 4, extrapolated to v = 0 (no
//      noise), 6 T_2 - 8 T_3 + 3 T_4, leaves a bias of +0.50 s at D = 0, at most -0.13 s at
//      |D| ~ 1.5 s and ~ 0 beyond 3 s (against +0.80 s at D = 0 for the plug-in);
//   2. the delete-one-batch jackknife (given_data.hpp) of that corrected estimate, which removes
//      most of what is left and gives the standard error.
// Why SIMEX and not the obvious inversion (solve s f(|D| / s) = |D_hat| for |D|): both leave a
// similar bias, but the inversion has a threshold with an infinite slope, and the jackknife of
// such a non-smooth statistic underestimated the spread of its bias-corrected value by 20-40 %
// (coverage 0.80-0.90 of nominal 0.95); every T_v is smooth in the counts, and the measured
// coverage is 0.94-0.96 (tests/test_importance.cpp). The interval is value -/+ t_{K-1} se,
// with its ends raised to 0 (delta >= 0) and its lower end at 0 when the data are consistent with
// no influence (plug_in - bias_bound <= t se: what the plug-in would show for an irrelevant
// parameter). It describes the estimator's noise; the discretisation gap delta - delta_{B,H}
// is not in it (tests: 0.002-0.004 at B = H = 26 for a Gaussian model, 0.02 at B = 32 with 27
// unequal classes for Ishigami).
//
// Memory: 8 K E_o B d (E_o + 1 classes of output o) bytes for K batches, allocated per batch
// once the batch receives runs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/stats/given_data.hpp"

namespace symbiomc {

/// Edges e_0 < ... < e_{E-1} at the pilot's k/H quantiles (k = 0..H, k/H as in
/// Histogram::quantile's inverse empirical CDF), duplicates dropped (a discrete output gets fewer
/// classes). Equal-probability classes put the same expected count in every class, which keeps
/// the noise bias of every term alike. Throws ModelError when the pilot is empty, holds a
/// non-finite value or classes < 1. A constant pilot gives one edge (classes "below", "at or
/// above").
[[nodiscard]] std::vector<double> equal_probability_edges(std::span<const double> pilot, std::size_t classes);

/// Default number of y-classes H for B bins of v: H = B within [4, 64]. The noise bias grows
/// like sqrt(B H / n) and the discretisation gap shrinks as either grows; H ~ B treats the two
/// variables alike.
[[nodiscard]] std::size_t default_delta_classes(std::size_t bins);

/// One delta estimate.
struct DeltaEstimate {
  double value = 0.0;       ///< reported: the jackknifed SIMEX estimate, raised to 0 when negative
  double raw = 0.0;         ///< the jackknifed SIMEX estimate before that
  double corrected = 0.0;   ///< SIMEX-corrected estimate on all runs (before the jackknife)
  double plug_in = 0.0;     ///< plain histogram estimate on all runs
  double bias_bound = 0.0;  ///< upper bound of the plug-in's noise bias (see the header comment)
  double std_error = 0.0;   ///< jackknife standard error
  /// plug_in - bias_bound <= t se: the data cannot tell this parameter from one of no influence.
  bool consistent_with_zero = false;
  double low = 0.0;   ///< max(0, raw - t se), or 0 when consistent_with_zero
  double high = 0.0;  ///< max(0, raw + t se)

  friend bool operator==(const DeltaEstimate&, const DeltaEstimate&) = default;
};

/// Shape of a DeltaAccumulator.
struct DeltaSetup {
  std::size_t n_parameters = 0;
  std::size_t bins = 0;       ///< B in [2, MAX_BINS]
  std::size_t n_batches = 0;  ///< K >= 2
  /// Per output: strictly increasing finite class edges (at least one), e.g. equal_probability_edges.
  std::vector<std::vector<double>> y_edges;

  friend bool operator==(const DeltaSetup&, const DeltaSetup&) = default;
};

/// Counts per (batch, output, parameter, bin, class). Outputs share the block's BlockBins; the
/// class of a run is found once per output (binary search) and reused for every parameter.
/// Determinism and save/load as DecisionAccumulator (decision.hpp).
class DeltaAccumulator {
 public:
  /// Throws ModelError for an invalid setup.
  explicit DeltaAccumulator(DeltaSetup setup);

  /// `y[o * n + r]`: output o in run r (finite), n = bins.n_runs(); batch < K. Throws ModelError
  /// on a shape mismatch or a non-finite value. Cost O(n (outputs log E + outputs d)).
  void add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch);
  void merge(const DeltaAccumulator& other);
  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] const DeltaSetup& setup() const noexcept { return setup_; }

  /// [output][parameter]. Throws ModelError with fewer than 2 non-empty batches, InputError for
  /// a bad conf_level. Cost O(outputs d (K + 1) B H) folded-normal evaluations (three per
  /// term): about 3 s for 10 outputs, d = 50, K = 20, B = H = 47 (n = 10^5); call it once.
  [[nodiscard]] std::vector<std::vector<DeltaEstimate>> finalize(double conf_level) const;

  void save(ByteWriter& out) const;
  [[nodiscard]] static DeltaAccumulator load(ByteReader& in, const DeltaSetup& setup);

  friend bool operator==(const DeltaAccumulator&, const DeltaAccumulator&) = default;

 private:
  struct Batch {
    std::uint64_t runs = 0;
    std::vector<std::uint64_t> counts;  ///< [offset_[o] + (j B + b) C_o + h]
    friend bool operator==(const Batch&, const Batch&) = default;
  };
  void accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const;
  static void merge_batch(Batch& into, const Batch& from);

  DeltaSetup setup_;
  std::vector<std::size_t> offset_;  ///< [o]: first count of output o; [outputs]: total
  std::vector<Batch> batches_;
};

/// The three estimates of delta from one (parameter, output) table of counts N[b * classes + h]:
/// plug-in, SIMEX-corrected, and the plug-in's noise-bias bound. Exposed for tests.
struct DeltaTerms {
  double plug_in = 0.0;
  double corrected = 0.0;
  double bias_bound = 0.0;
};
[[nodiscard]] DeltaTerms delta_from_counts(std::span<const std::uint64_t> counts, std::size_t bins,
                                           std::size_t classes);

}  // namespace symbiomc
