#pragma once
// Shapley effects (Owen 2014, "Sobol' indices and Shapley value", SIAM/ASA JUQ 2:245-251): the
// share of Var(Y) that the Shapley value of cooperative game theory gives each input. Unlike
// Sobol' indices they stay meaningful under dependent inputs, are never negative, and sum to 1
// (Owen & Prieur 2017, SIAM/ASA JUQ 5:986-1002; Iooss & Prieur 2019, IJUQ 9(5):493-514).
//
// Estimator: the random-permutation algorithm of Song, Nelson & Staum (2016), "Shapley effects
// for global sensitivity analysis: theory and computation", SIAM/ASA JUQ 4:1060-1083,
// Algorithm 1 with random permutations, using their cost c(J) = E[Var(Y | X_-J)] (which they
// show has the same Shapley value as the closed Sobol' index Var(E[Y | X_J])). For each of M
// independent, uniformly random permutations pi, for j = 1 .. d-1 with J = {pi_1 .. pi_j}:
// N_o outer draws x_-J from the marginal law of X_-J, for each N_i inner draws of X_J from its
// law given x_-J; c^(J) = mean over outer draws of the unbiased inner sample variance. Then
// c^(D) = V^ = Var(Y) from N_v separate joint draws, the increment c^(P_j) - c^(P_{j-1}) is
// credited to pi_j, and Sh_i = (1/M) sum_pi increment_i / V^. Song et al.'s analysis of the
// variance for a fixed budget gives N_o = 1, N_i = 3 and as many permutations as the budget
// allows (also the defaults of R's sensitivity::shapleyPermRand).
//
// Why this estimator and not a given-data one (e.g. Broto, Bachoc & Depecker 2020, SIAM/ASA
// JUQ 8:693-716, nearest neighbours in a single sample):
//   - symbiomc's dependence is a Gaussian copula, under which conditional sampling is EXACT
//     and cheap: in normal-score space Z ~ N(0, R), Z_A | Z_B is Gaussian
//     (problem/correlation.hpp ConditionalNormalScores), independent inputs are just redrawn.
//     So each c^(J) is unbiased, and the estimate has no nearest-neighbour bias to tune away;
//   - permutations are i.i.d. given the seed, each from its own random stream: the increments
//     of one permutation form one i.i.d. observation, so the intervals are a plain central
//     limit over permutations (plus the delta method for V^), and the work items are
//     index-defined and mergeable, as the segmented-study skeleton wants;
//   - each permutation telescopes to V^, so the effects sum to 1 by construction;
//   - the cost is (d - 1) N_o N_i runs per permutation plus N_v: linear in d, fine for the
//     ~50 inputs of a case, where exact permutations (d! orders) or all 2^d subsets are not.
//
// Intervals: with D_pi,i the known part of pi's increment for i (the increment minus V^ when i
// comes last, L_pi,i = 1) Sh_i = mean(D_i)/V^ + mean(L_i). Its standard error combines the
// spread over permutations of Q_pi,i = D_pi,i / V^ + L_pi,i (Song et al.'s standard error)
// and, by the delta method, the error of V^ from the N_v runs (independent of the permutations):
//   se^2 = Var(Q_i) / M + mean(D_i)^2 Var(V^) / V^4,
//   Var(V^) ~ (m4 - V^2 (N_v - 3)/(N_v - 1)) / N_v, m4 the fourth central sample moment;
// the interval is Sh_i -/+ z se, z the normal quantile at (1 + level)/2.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/problem/correlation.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/stats/sobol.hpp"

namespace symbiomc {

/// Song, Nelson & Staum's recommended allocation: one outer draw, three inner.
inline constexpr std::size_t SHAPLEY_DEFAULT_OUTER = 1;
inline constexpr std::size_t SHAPLEY_DEFAULT_INNER = 3;

/// The runs of one random permutation: its order and, for j = 0 .. d-2 (J = order[0..j]),
/// `outer` draws of X_-J each with `inner` draws of X_J given X_-J, written as physical
/// parameter rows in the order (j, outer draw, inner draw). Immutable; shared by threads.
class ShapleyDesign {
 public:
  /// Per-thread scratch for permutation(): allocated once, reused.
  struct Scratch {
    std::vector<double> v, z, e, base;
    std::vector<std::size_t> free_slots;
    std::vector<bool> in_j;
    ConditionalNormalScores conditional;
  };

  /// Throws ModelError when the problem has no uncertain parameter, outer < 1 or inner < 2
  /// (an inner sample variance needs two draws).
  ShapleyDesign(const Problem& problem, std::size_t outer, std::size_t inner);

  [[nodiscard]] std::size_t dimension() const noexcept { return d_; }
  [[nodiscard]] std::size_t outer() const noexcept { return outer_; }
  [[nodiscard]] std::size_t inner() const noexcept { return inner_; }
  /// (d - 1) * outer * inner.
  [[nodiscard]] std::size_t rows_per_permutation() const noexcept { return (d_ - 1) * outer_ * inner_; }
  [[nodiscard]] Scratch make_scratch() const;

  /// Draws one uniformly random permutation into `order` (d entries) and its rows into `x`
  /// (rows_per_permutation() x d, row-major), drawing from `engine` only: seed it from
  /// (seed, Stream::shapley_permutation, permutation index). The same engine state gives the
  /// same rows on every platform (Boost.Random's integer distribution, Boost.Math quantiles).
  void permutation(Engine& engine, std::span<std::size_t> order, std::span<double> x, Scratch& scratch) const;

 private:
  /// x_-J: every parameter outside J from its marginal law (members through the copula).
  void draw_outer(Engine& engine, Scratch& s) const;
  /// x_J given x_-J into `row` (a copy of s.base).
  void draw_inner(Engine& engine, Scratch& s, std::span<double> row) const;

  const Problem& problem_;
  std::size_t d_, outer_, inner_;
  std::vector<std::size_t> slot_of_;  ///< parameter -> copula slot, or NO_SLOT when independent
};

/// One output's Shapley effects.
struct ShapleyOutputEstimates {
  double mean = 0.0;                ///< of Y over the N_v variance runs
  double variance = 0.0;            ///< V^, divisor N_v - 1
  double variance_std_error = 0.0;  ///< sqrt(Var(V^)) as above
  /// V^ <= 1e-12 mean^2 (or 0): the output is constant to rounding; every effect is reported
  /// as 0 with a zero-width interval, and sum_effects is 0.
  bool zero_variance = false;
  std::vector<IndexEstimate> effects;  ///< [input]; value as estimated, never clipped to [0, 1]
  double sum_effects = 0.0;            ///< 1 up to rounding (the increments telescope to V^)
  std::vector<std::size_t> rank;       ///< [input] 1 = largest effect
  std::vector<std::size_t> by_effect;  ///< inputs, largest effect first
  std::vector<bool> overlaps_next;     ///< [input] its interval overlaps the next-ranked one's
};

/// All outputs' Shapley effects of one mode. `outputs` is empty when fewer than 2 permutations
/// or fewer than 2 variance runs were kept.
struct ShapleyEstimates {
  std::size_t n_inputs = 0;
  std::size_t n_outputs = 0;
  std::uint64_t permutations = 0;   ///< M used
  std::uint64_t variance_runs = 0;  ///< N_v used
  double conf_level = 0.95;
  std::vector<ShapleyOutputEstimates> outputs;
};

/// Streaming sums of the random-permutation estimator for one mode's outputs: O(d x outputs)
/// memory whatever M, mergeable in a fixed order (the same bits for the same order), and
/// serialisable (save/load round-trip bit for bit).
class ShapleyAccumulator {
 public:
  /// Throws ModelError when n_inputs == 0, outer < 1 or inner < 2.
  ShapleyAccumulator(std::size_t n_inputs, std::size_t n_outputs, std::size_t outer, std::size_t inner);

  /// One permutation: `order` (d inputs) and `y`, (d-1) outer inner rows of n_outputs values
  /// in ShapleyDesign's row order. Throws ModelError on a shape mismatch.
  void add_permutation(std::span<const std::size_t> order, std::span<const double> y);
  /// One joint draw's outputs (n_outputs values), for V^. Throws ModelError on a shape mismatch.
  void add_variance_run(std::span<const double> y);
  /// Folds `later` in as if its permutations and runs had been added after ours. Throws
  /// ModelError on a shape mismatch.
  void merge(const ShapleyAccumulator& later);

  [[nodiscard]] std::uint64_t permutations() const noexcept { return permutations_; }
  [[nodiscard]] std::uint64_t variance_runs() const noexcept { return variance_.empty() ? 0 : variance_.front().n; }
  /// The effects with `conf_level` intervals (in (0, 1), else ModelError).
  [[nodiscard]] ShapleyEstimates finalize(double conf_level) const;

  void save(ByteWriter& out) const;
  [[nodiscard]] static ShapleyAccumulator load(ByteReader& in);

 private:
  /// Count, mean and central moment sums M2..M4 (Pebay 2008's one-pass, mergeable updates).
  struct CentralMoments {
    std::uint64_t n = 0;
    double mean = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0;
    void merge(const CentralMoments& b) noexcept;
  };
  [[nodiscard]] ShapleyOutputEstimates output_estimates(std::size_t o, double z) const;

  std::size_t d_, k_, outer_, inner_;
  std::uint64_t permutations_ = 0;
  std::vector<double> sum_, sum_sq_, sum_last_;  ///< [o * d + i]: sum D, sum D^2, sum of D where i came last
  std::vector<std::uint64_t> last_;              ///< [i]: permutations in which i came last
  std::vector<CentralMoments> variance_;         ///< [o]
};

}  // namespace symbiomc
