#pragma once
// Importance of each uncertain parameter for each output, from the runs of an ordinary Monte
// Carlo study (no Saltelli design), valid with correlated parameters:
//   (a) the first-order index by binning (this file),
//   (b) Borgonovo's delta (borgonovo_delta.hpp),
//   (c) standardised rank regression coefficients (rank_regression.hpp),
// bundled in ImportanceAccumulator, which takes one block of all outputs and the block's
// BlockBins (one per distinct B), so that the bin of every (parameter, run) is computed once and
// shared by every output and estimator (and by the DecisionAccumulator when it uses the same B).
//
// (a) First-order index S_j = Var(E[Y | X_j]) / Var(Y). With correlated parameters this is the
// "first-order" index in the correlated sense (it includes what X_j carries of the parameters it
// is correlated with; Owen & Prieur 2017, "On Shapley value for measuring importance of dependent
// inputs", SIAM/ASA JUQ 5:986-1002; Iooss & Prieur 2019, "Shapley effects for sensitivity
// analysis with correlated inputs", IJUQ 9:493-514), and binning estimates exactly that, since
// conditioning on X_j is conditioning on v_j. Estimator (Plischke, Borgonovo & Smith 2013,
// "Global sensitivity measures from given data", EJOR 226:536-550, sec. 3; it is the one-way
// ANOVA of y over B equal-probability bins of v_j): with n_b runs and mean m_b in bin b, overall
// mean m, SS_B = sum_b n_b (m_b - m)^2, SS_T = sum (y - m)^2, SS_W = SS_T - SS_B,
//   S_j = [SS_B / n - (B - 1) / n * SS_W / (n - B)] / [SS_T / (n - 1)].
// The subtracted term is the expected contribution of within-bin noise to the between-bin sum of
// squares (E[SS_B] = sum_b n_b (mu_b - mu)^2 + (B - 1) sigma_W^2 for a common within-bin
// variance sigma_W^2), the plug-in's upward bias ~ (B - 1)/n (1 - S_j); what is left of bias is
// O(1/n) (heteroscedastic bins, the ratio), and the delete-one-batch jackknife removes it.
// The coarseness of the bins biases S_j downwards (the variance of bin means is at most that of
// E[Y | X_j]), by O(1/B^2) for a smooth E[Y | X_j]: ~ (omega h)^2 / 12 of S_j for a conditional
// mean oscillating at angular frequency omega over bins of width h (Ishigami's 7 sin^2 x2: 3 %
// at B = 21), and the whole tail for unbounded parameters (bin means of a normal keep 98.5 % of
// its variance at B = 22, 99.6 % at B = 64). Unlike EVPPI and delta, the first-order estimate
// pays little for many bins - the within-bin correction is exact in expectation and its variance
// grows like B / n^2 - hence its own default, default_first_order_bins(n) = sqrt(n).
// The uncorrected ratio SS_B / SS_T (the correlation ratio eta^2) is reported too. Sums are of
// y - shift (a pilot mean), so that SS_T does not cancel. The estimate is not clipped to [0, 1].
// Interval: jackknife value -/+ t_{K-1} se.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/stats/borgonovo_delta.hpp"
#include "symbiomc/stats/given_data.hpp"
#include "symbiomc/stats/rank_regression.hpp"

namespace symbiomc {

/// First-order index of one parameter.
struct FirstOrderEstimate {
  double value = 0.0;        ///< jackknifed bias-corrected S_j (not clipped)
  double plug_in = 0.0;      ///< within-bin-corrected S_j on all runs
  double uncorrected = 0.0;  ///< SS_B / SS_T on all runs (eta^2, biased upwards by ~ (B - 1) / n)
  double std_error = 0.0;
  double low = 0.0;  ///< value -/+ t_{K-1} std_error
  double high = 0.0;

  friend bool operator==(const FirstOrderEstimate&, const FirstOrderEstimate&) = default;
};

/// First-order indices of one output.
struct FirstOrderOutput {
  double mean = 0.0;
  double variance = 0.0;  ///< divisor n - 1
  /// Variance <= 1e-12 max(mean^2, second moment about the shift): constant to rounding; every
  /// index is then 0 with a zero-width interval (as SobolOutputEstimates::zero_variance).
  bool zero_variance = false;
  std::vector<FirstOrderEstimate> index;  ///< [j]

  friend bool operator==(const FirstOrderOutput&, const FirstOrderOutput&) = default;
};

/// Default bins for the first-order index: ceil(sqrt(n)) within [4, 256] (n / B = sqrt(n) runs
/// per bin). The cap bounds memory (8 K d B (1 + 2 outputs) bytes: 43 MB for d = 50, 10 outputs,
/// K = 20); beyond it the coarseness bias is below 0.1 % of S_j for bounded parameters.
[[nodiscard]] std::size_t default_first_order_bins(std::uint64_t n);

/// Shape of a FirstOrderAccumulator.
struct FirstOrderSetup {
  std::size_t n_parameters = 0;
  std::size_t bins = 0;       ///< B in [2, MAX_BINS]
  std::size_t n_batches = 0;  ///< K >= 2
  std::vector<double> shift;  ///< one finite value per output, e.g. the pilot's mean

  friend bool operator==(const FirstOrderSetup&, const FirstOrderSetup&) = default;
};

/// Per (batch, parameter, bin): a run count shared by the outputs and, per output, the sums of
/// y - shift and of its square. Memory 8 K d B (1 + 2 outputs) bytes. Determinism and save/load
/// as DecisionAccumulator.
class FirstOrderAccumulator {
 public:
  explicit FirstOrderAccumulator(FirstOrderSetup setup);
  /// `y[o * n + r]` output o in run r (finite), n = bins.n_runs(); batch < K. Cost O(n d outputs).
  void add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch);
  void merge(const FirstOrderAccumulator& other);
  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] const FirstOrderSetup& setup() const noexcept { return setup_; }
  /// One per output. Throws ModelError with fewer than B + 2 runs or 2 non-empty batches.
  [[nodiscard]] std::vector<FirstOrderOutput> finalize(double conf_level) const;
  void save(ByteWriter& out) const;
  [[nodiscard]] static FirstOrderAccumulator load(ByteReader& in, const FirstOrderSetup& setup);
  friend bool operator==(const FirstOrderAccumulator&, const FirstOrderAccumulator&) = default;

 private:
  struct Batch {
    std::uint64_t runs = 0;
    std::vector<std::uint64_t> cell_runs;  ///< [j B + b]
    std::vector<double> sum;               ///< [o d B + j B + b]: sum of y - shift
    std::vector<double> sum_sq;            ///< likewise, of (y - shift)^2
    friend bool operator==(const Batch&, const Batch&) = default;
  };
  void allocate(Batch& batch) const;
  void accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const;
  static void merge_batch(Batch& into, const Batch& from);

  FirstOrderSetup setup_;
  std::vector<Batch> batches_;
};

/// What the importance estimators need to know of one output before the first block.
struct ImportanceOutputSetup {
  double shift = 0.0;           ///< for the first-order sums, e.g. the pilot mean
  std::vector<double> y_edges;  ///< delta's class edges (equal_probability_edges)
  ReferenceCdf rank_reference;  ///< SRRC's stand-in for the output's CDF

  friend bool operator==(const ImportanceOutputSetup&, const ImportanceOutputSetup&) = default;
};

/// Everything from one pilot block of the output: shift = pilot mean, y_edges =
/// equal_probability_edges(pilot, classes), rank_reference = ReferenceCdf(pilot). Throws
/// ModelError when the pilot is empty or not finite.
[[nodiscard]] ImportanceOutputSetup importance_output_from_pilot(std::span<const double> pilot, std::size_t classes);

/// Shape of an ImportanceAccumulator.
struct ImportanceSetup {
  std::size_t n_parameters = 0;      ///< d >= 1
  std::size_t first_order_bins = 0;  ///< B of the first-order index (default_first_order_bins)
  std::size_t delta_bins = 0;        ///< B of delta (default_bins)
  std::size_t n_batches = 0;         ///< K >= 2
  std::vector<ImportanceOutputSetup> outputs;

  friend bool operator==(const ImportanceSetup&, const ImportanceSetup&) = default;
};

/// All importance measures of one output.
struct ImportanceOutput {
  FirstOrderOutput first_order;
  std::vector<DeltaEstimate> delta;  ///< [j]
  RankRegressionOutput rank_regression;

  friend bool operator==(const ImportanceOutput&, const ImportanceOutput&) = default;
};

/// Result of ImportanceAccumulator::finalize.
struct ImportanceResult {
  std::uint64_t runs = 0;
  std::size_t first_order_bins = 0;
  std::size_t delta_bins = 0;
  double conf_level = 0.0;
  std::vector<ImportanceOutput> outputs;

  friend bool operator==(const ImportanceResult&, const ImportanceResult&) = default;
};

/// (a), (b) and (c) for every output, fed together.
class ImportanceAccumulator {
 public:
  /// Throws ModelError for an invalid setup (see the three accumulators).
  explicit ImportanceAccumulator(const ImportanceSetup& setup);
  /// `y[o * n + r]`: output o in run r (finite); the block's bins at first_order_bins and at
  /// delta_bins (the same object when they are equal); SRRC reads the coordinates of either.
  void add_block(std::span<const double> y, const BlockBins& first_order_bins, const BlockBins& delta_bins,
                 std::size_t batch);
  /// Same, binning `v` (v[j * n + r]) itself, once per distinct B.
  void add_block(std::span<const double> y, std::span<const double> v, std::size_t n_runs, std::size_t batch);
  void merge(const ImportanceAccumulator& other);
  [[nodiscard]] std::uint64_t count() const noexcept { return first_order_.count(); }
  [[nodiscard]] const ImportanceSetup& setup() const noexcept { return setup_; }
  [[nodiscard]] ImportanceResult finalize(double conf_level) const;
  void save(ByteWriter& out) const;
  [[nodiscard]] static ImportanceAccumulator load(ByteReader& in, const ImportanceSetup& setup);
  friend bool operator==(const ImportanceAccumulator&, const ImportanceAccumulator&) = default;

 private:
  ImportanceAccumulator(ImportanceSetup setup, FirstOrderAccumulator first_order, DeltaAccumulator delta,
                        RankRegressionAccumulator rank_regression);

  ImportanceSetup setup_;
  FirstOrderAccumulator first_order_;
  DeltaAccumulator delta_;
  RankRegressionAccumulator rank_regression_;
};

}  // namespace symbiomc
