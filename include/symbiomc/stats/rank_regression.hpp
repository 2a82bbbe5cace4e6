#pragma once
// Standardised rank regression coefficients (SRRC; Iman & Conover 1979, "The use of the rank
// transform in regression", Technometrics 21:499-509; Saltelli, Tarantola, Campolongo & Ratto
// 2004, "Sensitivity analysis in practice", Wiley, sec. 1.2.4), streamed: the regression of the
// rank of y on the ranks of the parameters, every variable scaled to unit variance, so that
// SRRC_j is the change of rank(y), in its standard deviations, per standard deviation of rank(x_j)
// with the other parameters held fixed. SRRC measures monotone (not only linear) influence, and
// R^2 of the rank regression says how much of the output's rank variance such a monotone
// additive model explains (Saltelli et al.: read the SRRC only when R^2 is high, say > 0.7).
//
// Ranks without storing runs:
//   - the rank of x_j, scaled to (0, 1), is its CDF value v_j = F_j(x_j): exact, not estimated;
//   - the rank of y is approximated by a fixed reference CDF G given by the caller, e.g. the
//     empirical CDF of a pilot block (ReferenceCdf): rank(y) ~ G(y). G is a nondecreasing step
//     function, so G(y) is a monotone transform of y; the difference to the exact F_Y(y) is the
//     pilot's sampling error, O(1/sqrt(pilot size)) in the CDF, and ties (a discrete output, or
//     values beyond the pilot's range, which all get rank 0 or 1) are given mid-ranks.
// Only the cross-products are accumulated per batch (d x d for the v's, shared by all outputs,
// and d + 2 per output), about 0.5 so that the sums do not cancel; the d x d correlation system
// is solved at finalize (Eigen LDLT). Memory 8 K (d^2 + d + outputs (d + 2)) bytes.
// Interval: delete-one-batch jackknife (given_data.hpp), value -/+ t_{K-1} se.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/stats/given_data.hpp"

namespace symbiomc {

/// The empirical CDF of a pilot sample with mid-ranks: G(y) = (#{p < y} + #{p <= y}) / (2 m) for
/// the m pilot values p, in [0, 1]. O(log m) per call by binary search.
class ReferenceCdf {
 public:
  ReferenceCdf() = default;  ///< empty: only as a placeholder, calling it is a precondition violation
  /// Copies and sorts the pilot. Throws ModelError when it is empty or holds a non-finite value.
  explicit ReferenceCdf(std::span<const double> pilot);
  [[nodiscard]] double operator()(double y) const noexcept;
  [[nodiscard]] std::span<const double> sorted() const noexcept { return sorted_; }
  friend bool operator==(const ReferenceCdf&, const ReferenceCdf&) = default;

 private:
  std::vector<double> sorted_;
};

/// Shape of a RankRegressionAccumulator.
struct RankRegressionSetup {
  std::size_t n_parameters = 0;         ///< d >= 1
  std::size_t n_batches = 0;            ///< K >= 2
  std::vector<ReferenceCdf> reference;  ///< one non-empty CDF per output

  friend bool operator==(const RankRegressionSetup&, const RankRegressionSetup&) = default;
};

/// SRRC of one output.
struct RankRegressionOutput {
  bool computed = false;
  std::string reason;               ///< why not (constant rank of y, linearly dependent parameters)
  double r_squared = 0.0;           ///< of the rank regression on all runs
  std::vector<BatchEstimate> srrc;  ///< [j]; value is the jackknife's bias-corrected SRRC

  friend bool operator==(const RankRegressionOutput&, const RankRegressionOutput&) = default;
};

/// Running cross-products per batch. Determinism and save/load as DecisionAccumulator.
class RankRegressionAccumulator {
 public:
  /// Throws ModelError for an invalid setup.
  explicit RankRegressionAccumulator(RankRegressionSetup setup);

  /// `y[o * n + r]` output o in run r (finite), coordinates from `bins` (n = bins.n_runs());
  /// batch < K. Throws ModelError on a mismatch. Cost O(n (d^2 / 2 + outputs (d + log m))).
  void add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch);
  void merge(const RankRegressionAccumulator& other);
  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] const RankRegressionSetup& setup() const noexcept { return setup_; }

  /// One per output. Throws ModelError with fewer than d + 2 runs or 2 non-empty batches.
  [[nodiscard]] std::vector<RankRegressionOutput> finalize(double conf_level) const;

  void save(ByteWriter& out) const;
  [[nodiscard]] static RankRegressionAccumulator load(ByteReader& in, const RankRegressionSetup& setup);

  friend bool operator==(const RankRegressionAccumulator&, const RankRegressionAccumulator&) = default;

 private:
  struct Batch {
    std::uint64_t runs = 0;
    std::vector<double> a;   ///< [j]: sum of v_j - 1/2
    std::vector<double> aa;  ///< [j * d + l], l >= j: sum of (v_j - 1/2)(v_l - 1/2)
    std::vector<double> r;   ///< [o]: sum of G(y) - 1/2
    std::vector<double> rr;  ///< [o]: sum of (G(y) - 1/2)^2
    std::vector<double> ar;  ///< [o * d + j]: sum of (v_j - 1/2)(G(y) - 1/2)
    friend bool operator==(const Batch&, const Batch&) = default;
  };
  void allocate(Batch& batch) const;
  void accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const;
  static void merge_batch(Batch& into, const Batch& from);

  RankRegressionSetup setup_;
  std::vector<Batch> batches_;
};

}  // namespace symbiomc
