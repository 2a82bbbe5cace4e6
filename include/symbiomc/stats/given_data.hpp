#pragma once
// Shared pieces of the "given data" estimators (decision.hpp, importance.hpp, borgonovo_delta.hpp,
// rank_regression.hpp): they all work on the runs of an ordinary Monte Carlo study, without a
// dedicated design, through each parameter's marginal uniform coordinate v_j = F_j(x_j).
//
// Why v and not x: conditioning on x_j is conditioning on v_j (F_j is monotone), also when the
// parameters are correlated through a Gaussian copula, and v_j is uniform on (0, 1) whatever F_j
// is. So B equal-probability bins of x_j are simply [b/B, (b+1)/B) in v_j, with no sorting and no
// stored runs, and the rank of x_j (for rank regression) is v_j itself.
//
// Confidence intervals come from the delete-one-batch jackknife: the driver tags every block
// with an index-defined batch id (e.g. block index mod K), the accumulators keep their sums per
// batch, and an estimate is recomputed K times, each time without one batch.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "symbiomc/base/vector_isa.hpp"

namespace symbiomc {

/// Largest number of bins a BlockBins (and every accumulator built on it) accepts: bin indices
/// are stored as 16-bit integers, a quarter of the memory of a size_t per (parameter, run).
inline constexpr std::size_t MAX_BINS = 65535;

/// Equal-probability bin b = min(B - 1, floor(v B)) of every parameter's uniform coordinate for
/// one block of runs, computed once and shared by every accumulator and output that uses B bins
/// (EVPPI of each mode, first-order indices and delta of each output).
///
/// Holds a view of `v`: the block's coordinates must outlive the BlockBins (group EVPPI reads
/// them again, at its own resolution).
class BlockBins {
 public:
  /// `v[j * n_runs + r]` is parameter j's coordinate in run r, in [0, 1] (v = F_j(x_j); 0 and 1
  /// can occur when a CDF rounds in a far tail, and fall into the first and last bin). Throws
  /// ModelError when v.size() != n_parameters * n_runs, bins is outside [2, MAX_BINS] or a
  /// coordinate is outside [0, 1] or NaN. Cost O(d n), one allocation.
  BlockBins(std::span<const double> v, std::size_t n_runs, std::size_t n_parameters, std::size_t bins);
  /// Same, writing the bins into `storage` (whatever it holds; its memory is reused, not
  /// zeroed): a study bins every block, and a fresh allocation per block was a large part of
  /// the cost. release() gives the storage back for the next block. `isa`: the binning loop's
  /// variant (base/vector_isa.hpp), the baseline when the CPU cannot run it; the bins are the
  /// same from every variant (tests/test_decision.cpp).
  BlockBins(std::span<const double> v, std::size_t n_runs, std::size_t n_parameters, std::size_t bins,
            std::vector<std::uint16_t> storage, VectorIsa isa = widest_vector_isa());
  [[nodiscard]] std::vector<std::uint16_t> release() && noexcept { return std::move(index_); }

  [[nodiscard]] std::size_t n_runs() const noexcept { return n_runs_; }
  [[nodiscard]] std::size_t n_parameters() const noexcept { return n_parameters_; }
  [[nodiscard]] std::size_t bins() const noexcept { return bins_; }
  /// Bin of parameter j in each of the n_runs runs. Precondition: j < n_parameters().
  [[nodiscard]] std::span<const std::uint16_t> of(std::size_t j) const noexcept {
    return {index_.data() + j * n_runs_, n_runs_};
  }
  /// Parameter j's coordinates in each run (the view given to the constructor).
  [[nodiscard]] std::span<const double> coordinates(std::size_t j) const noexcept {
    return v_.subspan(j * n_runs_, n_runs_);
  }

 private:
  std::span<const double> v_;
  std::size_t n_runs_;
  std::size_t n_parameters_;
  std::size_t bins_;
  std::vector<std::uint16_t> index_;  ///< [j * n_runs + r]
};

/// Bin of a coordinate v in [0, 1] among `bins` equal-probability bins: min(bins - 1, floor(v bins)).
[[nodiscard]] inline std::size_t equal_probability_bin(double v, std::size_t bins) noexcept {
  const auto b = static_cast<std::size_t>(v * static_cast<double>(bins));
  return b < bins ? b : bins - 1;
}

/// Largest integer g >= 1 with g^k <= n (exact, no floating-point root). Precondition: k >= 1.
[[nodiscard]] std::size_t integer_root(std::size_t n, std::size_t k) noexcept;

/// Default number of equal-probability bins of v for `n` runs, for EVPPI and delta (the
/// first-order index has its own, default_first_order_bins in importance.hpp): B(n) = ceil(n^(2 / (7 + tanh((1500 - n)
/// / 500)))), clamped to [4, 256] - the partition-size rule of Plischke, Borgonovo & Smith (2013), "Global sensitivity
/// measures from given data", EJOR 226:536-550 (their code's default), which grows like n^(1/4)
/// below ~1000 runs and like n^(1/3) above ~2500 runs, without their cap of 48 so that long runs
/// keep refining the bins. n^(1/3) is the rate that balances the two biases of a binned
/// estimate (noise in the bin means, ~ B/n, against the coarseness of the bins, ~ 1/B^2); see
/// decision.hpp and tests/test_decision.cpp for the measurements behind this choice.
/// n is the number of runs the study will have when it ends (the bins are fixed before the first
/// block). Examples: 1000 -> 6, 10^4 -> 22, 10^5 -> 47, 10^6 -> 100, 10^7 -> 216.
[[nodiscard]] std::size_t default_bins(std::uint64_t n);

/// A quantity estimated from all runs, with its delete-one-batch jackknife bias correction and
/// confidence interval.
struct BatchEstimate {
  /// Reported estimate: the jackknife's bias-corrected value (see jackknife()), unless the
  /// estimator documents a clip.
  double value = 0.0;
  double plug_in = 0.0;    ///< the estimator applied to all runs at once
  double std_error = 0.0;  ///< jackknife standard error
  double low = 0.0;        ///< lower end of the confidence interval
  double high = 0.0;       ///< upper end of the confidence interval

  friend bool operator==(const BatchEstimate&, const BatchEstimate&) = default;
};

/// Delete-one-group jackknife over g >= 2 batches of possibly unequal size (Busing, Meijer &
/// van der Leeden 1999, "Delete-m jackknife for unequal m", Statistics and Computing 9:3-8,
/// which reduces to the ordinary grouped jackknife of Quenouille 1956 / Miller 1974, "The
/// jackknife - a review", Biometrika 61:1-15, when the batches are equal). With n runs,
/// m_k runs in batch k, h_k = n / m_k, the estimate on all runs t and without batch k t_k:
///   bias-corrected   t_J = g t - sum_k (1 - m_k / n) t_k
///   pseudo-values    p_k = h_k t - (h_k - 1) t_k
///   variance         s^2 = (1/g) sum_k (p_k - t_J)^2 / (h_k - 1)
/// and the interval t_J -/+ t_{g-1} s (Student-t at g - 1 degrees of freedom: g is typically
/// 10-30, and the pseudo-values behave like g roughly independent means). The jackknife removes
/// the O(1/n) part of a plug-in estimator's bias (Efron & Stein 1981, "The jackknife estimate of
/// variance", Ann. Statist. 9:586-596, show its variance estimate is conservative in
/// expectation). `leave_one_out[k]` and `batch_runs[k]` describe the non-empty batches only.
/// Throws ModelError when fewer than 2 batches are given, the sizes differ or a batch is empty
/// or holds every run; InputError when conf_level is not in (0, 1).
[[nodiscard]] BatchEstimate jackknife(double plug_in, std::span<const double> leave_one_out,
                                      std::span<const std::uint64_t> batch_runs, double conf_level);

/// Throws InputError("confidence level: expected a number in (0, 1), got x") unless 0 < x < 1.
void check_conf_level(double conf_level);

}  // namespace symbiomc
