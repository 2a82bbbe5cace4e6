#pragma once
// Streaming statistics of a decision between M modes (the independent baseline and the synergy
// modes) made on one output, e.g. the annual net benefit: each mode's mean, the best mode by
// expected value, each mode's probability of being best, the expected value of perfect
// information (EVPI) and the expected value of partial perfect information (EVPPI) of every
// parameter and of chosen groups of parameters. Memory is fixed by (modes, parameters, bins,
// batches), never by the number of runs; blocks merge exactly and in a fixed order.
//
// Notation: u_m = y_m when the decision maximises y, u_m = -y_m when it minimises (a cost), so
// "best" is always the largest u. EVPI and EVPPI are values of information, >= 0, in y's unit.
//
// EVPI = E[max_m u_m] - max_m E[u_m]. For the mode m* with the largest mean, it is the plain
// mean of the regret max_k u_k - u_{m*}; per-mode moments of the regret give it with a
// Student-t standard-error interval. The interval treats m* as known: the uncertainty of
// choosing m* from the same runs is not reflected (it matters only when two modes' means are
// within a few standard errors, and then EVPI is driven by exactly that closeness).
//
// EVPPI of a parameter X_j = E_{X_j}[max_m E[u_m | X_j]] - max_m E[u_m], by the one-sample
// binning method of Strong & Oakley (2013), "An efficient method for computing single-parameter
// partial expected value of perfect information", Medical Decision Making 33(6):755-766: the
// runs are cut into B equal-probability bins of v_j = F_j(x_j) and E[u_m | X_j] is replaced by
// the bin mean,
//   EVPPI_j = sum_b (n_b / n) max_m mean_b(u_m) - max_m mean(u_m).
// Only differences u_m - u_0 are summed per bin (EVPPI is unchanged by a common per-run term,
// and the differences are far smaller than the levels, so the sums round less).
// Two biases, in opposite directions:
//   - noise: a bin mean is E[u_m | bin] plus noise of sd ~ sigma sqrt(B / n), and the max of
//     noisy values is biased upwards. Where the modes are well separated in a bin the effect is
//     negligible; where they are tied within the noise it is ~ 0.4 sigma sqrt(B / n) per bin.
//     Summed over the bins near the decision boundary it behaves like ~ B / n, which the
//     delete-one-batch jackknife (given_data.hpp) removes (it removes any O(1/n) term exactly):
//     measured on the linear Gaussian decision of the tests (n = 4000, B = 128, 200 seeds), a
//     plug-in bias of +0.017 drops to +0.0007.
//     When the modes tie over the whole range of X_j (X_j irrelevant, EVPI from other
//     sources) the bias is ~ 0.4 sigma sqrt(B / n) itself and the jackknife removes only ~ 1/2
//     of it; this worst case is what EvppiEstimate::noise_bound reports (per cell
//     phi(0) sum_k sd_k / sqrt(n_b), with sd_k the within-cell sd of u_k - u_0, weighted by
//     n_b / n; exact for two modes, a union bound for more), and an estimate with
//     plug_in - noise_bound <= t se is flagged consistent_with_zero.
//   - coarseness: a bin mean averages E[u_m | x_j] over the bin, and the max of an average is
//     at most the average of the max, so EVPPI is biased downwards, ~ 1/B^2 (only the bins
//     where the best mode changes contribute). It is worst when the best mode changes in a
//     tail of X_j: in the tests (decision boundary at the 1.6 % quantile) B = 26 finds 0.0012
//     of an EVPPI of 0.0040, B = 128 finds 0.0036.
// Default: default_bins(n) ~ n^(1/3) (given_data.hpp), the rate that balances the two (B / n
// against 1/B^2) and keeps n^(2/3) runs per bin. Measured on a linear Gaussian decision
// (tests/test_decision.cpp, 200 seeds, n = 8000, B = 20): EVPPI mean within 0.0007 of the closed
// form and interval coverage 0.905-0.96, with independent and with correlated parameters.
// Override it with DecisionSetup::bins (`--decision-bins`) when the decision turns in a tail.
// Group EVPPI of k parameters bins each member into g = floor(B^(1/k)) equal-probability bins
// and uses the g^k product cells (<= B, so as many runs per cell as for one parameter). It
// needs g >= 2 and k <= MAX_GROUP_MEMBERS; larger groups are reported as not computed with the
// reason, because with 2 bins per member the coarseness bias dominates (a group of 5 with
// B = 32 would see each member only as "below or above its median"). Even 4 bins per member
// cost 3 % of a triple's EVPPI in the tests (B = 64); raise B for groups.
// Larger groups (more than MAX_GROUP_MEMBERS members, or too few bins for g >= 2) get a
// regression estimate instead, the approach of Strong, Oakley & Brennan (2014), "Estimating
// multiparameter partial expected value of perfect information from a probabilistic
// sensitivity analysis sample: a nonparametric regression approach", Medical Decision Making
// 34(3):311-326, with a metamodel additive in the members so that it streams: E[u_m - u_0 | X_G]
// is fitted by least squares on (1, t_j, t_j^3 for j in G), t_j = v_j - 1/2, from running sums
// of the Gram matrix and of the cross-products (memory (2|G|+1)(|G|+M) per batch, no per-run
// storage), and then
//   EVPPI_G = E[max(0, max_m g_m(V_G))] - max(0, max_m E[g_m(V_G)]),
// the expectation over the exact law of V_G: V_j = Phi(Z_j) with Z_G ~ N(0, R_G), R_G the
// members' normal-score correlation (DecisionSetup::normal_scores; the identity when empty),
// integrated with REGRESSION_DRAWS fixed draws, a centred Sobol' net in the independent normal
// scores (the same for every seed, batch and jackknife replicate, so they add no noise between
// replicates; their own error, measured on the tests' uniform linear model, is ~1e-4 of the
// decision's scale). What it can and cannot
// see: a conditional mean that is a sum of cubics in the members' v is fitted exactly (linear in
// a uniform member's value, and close to linear in a normal one's: x = Phi^-1(v) is odd about
// v = 1/2); interactions inside the group are missed, which biases EVPPI downwards when the
// decision turns on them (the tests: unbiased with 93-97 % coverage on a uniform linear
// model; within 0.4 % of the closed form on a correlated Gaussian group of five). Overfitting noise is O(|G| / n) and
// removed by the same jackknife. EvppiEstimate::method says which estimator gave a value.
//
// Interval: the jackknife's bias-corrected value -/+ t_{K-1} times its standard error. The
// reported EVPPI is that value clipped into [0, EVPI] (both bounds hold for the true values and
// for the plug-in estimate exactly; only the bias correction can cross them, by noise), with
// the raw corrected value and a flag kept beside it. Both ends of the interval are raised to 0
// when negative (the truth is >= 0, so this never excludes it), and the lower end is 0 when the
// estimate is consistent with zero; the upper end is not clipped at EVPI.
//
// P(best) of mode m: the fraction of runs in which m has the largest u; ties go to the lowest
// mode index (mode 0, the baseline, wins a tie: a synergy mode must be strictly better). Its
// interval is Wilson's over runs (stats.hpp): the runs of a Monte Carlo study are independent,
// P(best) is often near 0 or 1 where a batch-based t-interval (K - 1 degrees of freedom, and
// batch proportions that are all 0 or 1) is useless, and Wilson's stays inside [0, 1].

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/vector_isa.hpp"
#include "symbiomc/stats/given_data.hpp"
#include "symbiomc/stats/stats.hpp"

namespace symbiomc {

/// Whether the decision prefers large (net benefit) or small (cost, emissions) values.
enum class DecisionDirection : std::uint8_t { maximise = 0, minimise = 1 };

/// Groups of more members than this are estimated by regression, not by binning (see the
/// header comment).
inline constexpr std::size_t MAX_GROUP_MEMBERS = 4;

/// Fixed draws of a group's coordinates behind a regression EVPPI (see the header comment).
inline constexpr std::size_t REGRESSION_DRAWS = std::size_t{1} << 14;

/// How an EVPPI was estimated.
enum class EvppiMethod : std::uint8_t { binning = 0, regression = 1 };

/// Shape of a DecisionAccumulator; fixed before the first block, identical in every block
/// accumulator of a study.
struct DecisionSetup {
  std::size_t n_modes = 0;       ///< M >= 2 (mode 0 is the baseline)
  std::size_t n_parameters = 0;  ///< d >= 0 uncertain parameters
  std::size_t bins = 0;          ///< B in [2, MAX_BINS]: equal-probability bins per parameter (default_bins)
  std::size_t n_batches = 0;     ///< K >= 2 jackknife batches
  DecisionDirection direction = DecisionDirection::maximise;
  /// Parameter sets for group EVPPI: each non-empty, indices < d, no index twice in a group.
  std::vector<std::vector<std::size_t>> groups;
  /// Normal-score correlation of the parameters (d x d, row-major; the Gaussian copula's R),
  /// behind the regression EVPPI of groups; empty when the parameters are independent.
  std::vector<double> normal_scores;

  friend bool operator==(const DecisionSetup&, const DecisionSetup&) = default;
};

/// One mode's summary.
struct ModeDecision {
  double mean = 0.0;      ///< mean of y (in y's unit, not sign-adjusted)
  double mean_low = 0.0;  ///< Student-t interval of the mean
  double mean_high = 0.0;
  std::uint64_t best_runs = 0;  ///< runs in which the mode is best (ties: lowest index)
  double p_best = 0.0;          ///< best_runs / runs
  double p_best_low = 0.0;      ///< Wilson interval
  double p_best_high = 0.0;

  friend bool operator==(const ModeDecision&, const ModeDecision&) = default;
};

/// EVPI with its standard-error interval (selection of the best mode not reflected).
struct EvpiEstimate {
  double value = 0.0;  ///< mean regret of the best mode, >= 0
  double std_error = 0.0;
  double low = 0.0;  ///< value -/+ t_{n-1} std_error
  double high = 0.0;

  friend bool operator==(const EvpiEstimate&, const EvpiEstimate&) = default;
};

/// EVPPI of one parameter or group.
struct EvppiEstimate {
  std::vector<std::size_t> parameters;  ///< the parameter (one) or the group's members
  bool computed = false;
  EvppiMethod method = EvppiMethod::binning;
  std::string reason;               ///< why not computed (empty when computed)
  std::size_t bins_per_member = 0;  ///< B for one parameter, floor(B^(1/k)) for a group of k; 0 by regression
  std::size_t cells = 0;            ///< bins_per_member^k; 0 by regression
  double value = 0.0;               ///< reported: raw clipped into [0, EVPI value]
  double raw = 0.0;                 ///< jackknife bias-corrected estimate, before the clip
  double plug_in = 0.0;             ///< binning estimate on all runs (always in [0, EVPI])
  bool clipped = false;             ///< value != raw
  double std_error = 0.0;           ///< jackknife standard error
  /// Upper bound of the plug-in's noise bias: what the plug-in averages when all modes tie in
  /// every cell (see the header comment).
  double noise_bound = 0.0;
  /// plug_in - noise_bound <= t se: the data cannot tell this parameter from one of no value.
  bool consistent_with_zero = false;
  double low = 0.0;   ///< max(0, raw - t se), or 0 when consistent_with_zero
  double high = 0.0;  ///< max(0, raw + t se)

  friend bool operator==(const EvppiEstimate&, const EvppiEstimate&) = default;
};

/// Result of DecisionAccumulator::finalize.
struct DecisionResult {
  DecisionDirection direction = DecisionDirection::maximise;
  std::uint64_t runs = 0;
  std::size_t batches = 0;  ///< non-empty batches behind the jackknife
  std::size_t bins = 0;
  double conf_level = 0.0;
  std::vector<ModeDecision> modes;
  std::size_t best_mode = 0;  ///< largest expected value (ties: lowest index)
  EvpiEstimate evpi;
  std::vector<EvppiEstimate> evppi;        ///< [j], one per parameter
  std::vector<EvppiEstimate> group_evppi;  ///< one per DecisionSetup::groups entry, same order

  friend bool operator==(const DecisionResult&, const DecisionResult&) = default;
};

/// A block's regression design for the regression groups of a DecisionSetup: per group, the
/// n x (2k + 1) feature matrix x = (1, t_j, t_j^3 for j in G), t_j = v_j - 1/2, and the upper
/// triangle of its Gram matrix x'x. Both depend on the inputs only, not on the decision's
/// output, so a study with several decisions on the same groups computes them once per block
/// (DecisionAccumulator::design) and hands them to every decision's add_block: the Gram product
/// is the largest per-run cost of a regression EVPPI.
class RegressionBlockDesign {
 public:
  [[nodiscard]] std::size_t n_runs() const noexcept { return n_runs_; }

 private:
  friend class DecisionAccumulator;
  struct Group {
    std::vector<std::size_t> members;
    std::vector<double> features;  ///< n x p, column by column: (1, t, t^3) of every run
    std::vector<double> gram;      ///< upper triangle of features' features, row by row
  };
  std::size_t n_runs_ = 0;
  std::vector<Group> groups_;
};

/// The fixed integration rule behind the regression EVPPI of a setup's regression groups: per
/// group, the metamodel's features (1, t, t^3) at REGRESSION_DRAWS draws of the group's
/// coordinates under the copula (see the header comment). It depends on the groups and the
/// copula only, not on the output, so a study finalising several decisions on the same groups
/// builds it once (DecisionAccumulator::regression_rule) and hands it to every finalize.
class RegressionRule {
 private:
  friend class DecisionAccumulator;
  std::vector<std::vector<std::size_t>> members_;
  std::vector<double> normal_scores_;
  /// Per regression group, REGRESSION_DRAWS x (2k + 1) column-major: plain doubles rather than
  /// an Eigen matrix, so that this header (the report and the program include it) does not
  /// pull Eigen into every source that includes it; decision.cpp maps them.
  std::vector<std::vector<double>> features_;
};

/// Running per-batch sums for DecisionResult. Per batch: Moments of y and of the regret for
/// every mode, best-mode counts, and for every EVPPI cell (B per parameter, g^k per group) a
/// run count and the M - 1 sums of u_m - u_0 and of their squares. Memory ~ 8 K C (2M - 1)
/// bytes for C = d B + group cells, with batches allocated only once they receive runs (a
/// block accumulator holds one): 7 MB for d = 50, B = 100, M = 5, K = 20.
///
/// Determinism: add_block computes the block's contribution from zero and merges it, so
/// adding blocks to one accumulator gives the same bits as merging per-block accumulators in
/// the same order, and save/load round-trips bit for bit. Not thread-safe: one per block.
class DecisionAccumulator {
 public:
  /// Throws ModelError for an invalid setup (M < 2, K < 2, bins outside [2, MAX_BINS], a bad group).
  explicit DecisionAccumulator(DecisionSetup setup);

  /// One batch's sums (see the class comment).
  struct Batch {
    std::uint64_t runs = 0;
    std::vector<Moments> value;            ///< [m]: y_m
    std::vector<Moments> regret;           ///< [m]: max_k u_k - u_m
    std::vector<std::uint64_t> best;       ///< [m]
    std::vector<std::uint64_t> cell_runs;  ///< [cell]
    std::vector<double> cell_gain;         ///< [cell * (M - 1) + m - 1]: sum of u_m - u_0
    std::vector<double> cell_gain_sq;      ///< likewise, sum of (u_m - u_0)^2
    /// Regression groups, one after the other: the Gram matrix's upper triangle of
    /// x = (1, v_j for j in G), then per mode m >= 1 the sums of x (u_m - u_0).
    std::vector<double> regression;
    friend bool operator==(const Batch&, const Batch&) = default;
  };

  /// Memory a block's update reuses from block to block (its sizes are fixed by the setup and
  /// the block size): the block's own sums, all zero between blocks, and per-run scratch.
  /// Not part of the accumulator's state: never saved, and equal whatever it holds. A study
  /// gives every block a fresh accumulator and passes each thread's Workspace to add_block, so
  /// that a block allocates and zeroes nothing; any decision's Workspace serves any other's.
  struct Workspace {
    Batch block;
    std::vector<double> gain, best_u, regret, gain_columns;
    std::vector<std::uint16_t> group_cell;  ///< a binned group's cell of each run
    VectorIsa isa = widest_vector_isa();    ///< the cell loop's variant (tests set the baseline)
    friend bool operator==(const Workspace&, const Workspace&) noexcept { return true; }
  };

  /// Adds a block of n runs from batch `batch` (< K): `y[m * n + r]` is mode m's output in run r
  /// (finite: failed runs are the driver's to drop, from y and v alike), `bins` the block's
  /// BlockBins at this accumulator's B (n = bins.n_runs()). Throws ModelError on a shape
  /// mismatch or a non-finite y. Cost O(n (M + d M + group members)).
  void add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch);
  /// Same, with the block's regression design computed by design(bins) of an accumulator with
  /// the same groups (any decision's: it does not depend on the output). Throws ModelError when
  /// the design's groups or run count differ from this accumulator's and the block's.
  void add_block(std::span<const double> y, const BlockBins& bins, const RegressionBlockDesign& design,
                 std::size_t batch);
  /// Same, with the caller's Workspace instead of this accumulator's own.
  void add_block(std::span<const double> y, const BlockBins& bins, const RegressionBlockDesign& design,
                 std::size_t batch, Workspace& work);
  /// The regression groups' design of a block (empty when no group is regressed). Cost
  /// O(n p^2 / 2) per regression group of p = 2k + 1 features.
  [[nodiscard]] RegressionBlockDesign design(const BlockBins& bins) const;
  /// Same, into `out`, reusing its memory (a study passes the same object block after block).
  void design(const BlockBins& bins, RegressionBlockDesign& out) const;
  /// Same, binning `v` (v[j * n + r], see BlockBins) itself.
  void add_block(std::span<const double> y, std::span<const double> v, std::size_t n_runs, std::size_t batch);

  /// The vector variant of the per-run cell loop (base/vector_isa.hpp); by default the widest
  /// the CPU runs (a caller's Workspace carries its own). Every variant gives the same bits: a
  /// test sets each and compares.
  void use_vector_isa(VectorIsa isa) noexcept { work_.isa = can_run(isa) ? isa : VectorIsa::baseline; }

  /// Adds `other`'s sums, batch by batch. Throws ModelError when the setups differ.
  void merge(const DecisionAccumulator& other);

  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] const DecisionSetup& setup() const noexcept { return setup_; }

  /// Throws ModelError when fewer than 2 runs or fewer than 2 non-empty batches were added,
  /// InputError when conf_level is not in (0, 1). Cost O(K (d B + group cells) M).
  [[nodiscard]] DecisionResult finalize(double conf_level) const;
  /// Same, with the regression rule built by regression_rule() of an accumulator with the same
  /// groups and copula (any decision's of the study). Throws ModelError when it is another's.
  [[nodiscard]] DecisionResult finalize(double conf_level, const RegressionRule& rule) const;
  /// The regression groups' integration rule. Cost O(REGRESSION_DRAWS k^2) per regression group.
  [[nodiscard]] RegressionRule regression_rule() const;

  /// The setup and every non-empty batch's state. load checks that the saved setup equals
  /// `setup` and throws InputError (ByteReader::fail) on any mismatch or truncation.
  void save(ByteWriter& out) const;
  [[nodiscard]] static DecisionAccumulator load(ByteReader& in, const DecisionSetup& setup);

  friend bool operator==(const DecisionAccumulator&, const DecisionAccumulator&) = default;

 private:
  /// A group's place in the cell arrays (members empty when it is not binned), or in the
  /// regression sums (regression_members empty when it is not regressed).
  struct GroupLayout {
    std::vector<std::size_t> members;
    std::vector<std::size_t> regression_members;
    std::size_t regression_first = 0;  ///< offset in Batch::regression
    std::size_t bins_per_member = 0;
    std::size_t first_cell = 0;
    std::size_t cells = 0;
    std::string reason;
    friend bool operator==(const GroupLayout&, const GroupLayout&) = default;
  };

  void allocate(Batch& batch) const;
  /// Whether `batch` has this accumulator's sizes (a Workspace may come from another decision).
  [[nodiscard]] bool shaped_like_this(const Batch& batch) const noexcept;
  void accumulate(Batch& into, std::span<const double> y, const BlockBins& bins, const RegressionBlockDesign& design,
                  Workspace& work) const;
  void merge_batch(Batch& into, const Batch& from) const;
  /// merge_batch(into, from), leaving `from` allocated and all zero, in one pass over it.
  void merge_and_clear(Batch& into, Batch& from) const;
  /// Both of them (From = const Batch, or Batch when Clear), defined in decision.cpp.
  template <bool Clear, class From>
  void merge_batch_impl(Batch& into, From& from) const;
  /// EVPPI plug-in of the cells [first, first + cells) of pooled sums.
  double evppi_of(std::span<const std::uint64_t> runs, std::span<const double> gain, std::size_t first,
                  std::size_t cells) const;
  /// The plug-in's expected value for a parameter of no value whose cells tie (see EvppiEstimate).
  double noise_bound_of(const Batch& pooled, std::size_t first, std::size_t cells) const;

  DecisionSetup setup_;
  std::vector<GroupLayout> groups_;
  /// EVPPI of a regression group from a batch's (or pooled) sums, integrated over the
  /// metamodel's `features` at REGRESSION_DRAWS draws of the group's coordinates
  /// (REGRESSION_DRAWS x (2k + 1)); 0 when the Gram matrix is singular.
  double regression_evppi_of(const GroupLayout& group, std::span<const double> sums,
                             std::span<const double> features) const;
  /// The group's fixed draws of V_G - 1/2 (see the header comment), row-major.
  std::vector<double> regression_draws(const GroupLayout& group) const;
  /// A regression group's EVPPI with its jackknife interval (t: the interval's Student-t factor).
  EvppiEstimate regression_estimate(const GroupLayout& group, std::span<const double> features, const Batch& pooled,
                                    std::span<const std::size_t> present, std::span<const std::uint64_t> present_runs,
                                    double evpi, double conf_level, double t) const;

  std::size_t cells_ = 0;            ///< d B + computed groups' cells
  std::size_t regression_size_ = 0;  ///< length of Batch::regression
  std::vector<Batch> batches_;       ///< [K]; empty vectors until a batch receives runs
  Workspace work_;
};

}  // namespace symbiomc
