#pragma once
// Morris elementary-effects screening (Morris 1991; mu* of Campolongo et al. 2007): a cheap
// ranking of factors, r(D+1) runs instead of Sobol's N(D+2). The design builds one trajectory
// from a given engine; the accumulator keeps Welford moments per (factor, output), never the effects.

#include <cstddef>
#include <span>
#include <vector>

#include <boost/random/mersenne_twister.hpp>

#include "symbiomc/base/byte_stream.hpp"

namespace symbiomc {

/// How the p grid levels are placed in the open unit interval (the driver applies inverse CDFs,
/// which must never see 0 or 1).
enum class MorrisLevelMap {
  /// Morris's grid k/(p-1), with the end levels moved to 1e-12 and 1 - 1e-12: steps are Morris's
  /// Delta = p/(2(p-1)) (up to 1e-12), comparable with SALib. For an unbounded distribution
  /// the end levels are extreme quantiles (a normal at ~7 sigma).
  clamped_grid,
  /// Cell centres (k + 0.5)/p: tame quantiles, but every step is exactly 1/2, which aliases any
  /// output periodic in half the range (Ishigami's sin^2(x2) on [-pi, pi] then shows mu* = 0).
  cell_centres,
};

/// Generates Morris trajectories on a p-level grid: a random base point, a random order of the
/// factors and random directions; each factor moves once by p/2 levels. Immutable; share by const&.
class MorrisDesign {
 public:
  /// Throws InputError if `levels` is not an even number >= 2 (Morris's Delta = p/(2(p-1)) is a
  /// whole number of levels only for even p), ModelError if n_factors is 0.
  explicit MorrisDesign(std::size_t n_factors, std::size_t levels = 4,
                        MorrisLevelMap level_map = MorrisLevelMap::clamped_grid);

  [[nodiscard]] std::size_t n_factors() const noexcept { return n_factors_; }
  [[nodiscard]] std::size_t levels() const noexcept { return levels_; }
  [[nodiscard]] MorrisLevelMap level_map() const noexcept { return level_map_; }
  /// Morris's Delta on the grid {0, 1/(p-1), ..., 1}: p/(2(p-1)).
  [[nodiscard]] double grid_delta() const noexcept;
  /// Unit-interval coordinate of grid level k in [0, p).
  [[nodiscard]] double level_value(std::size_t k) const noexcept;

  /// Writes one trajectory: `points` holds D+1 rows of D unit coordinates (row-major, all in
  /// (0, 1)); row m+1 equals row m except factor changed_factor[m], which moves by
  /// signed_step[m] = points[m+1][f] - points[m][f] (the exact difference, so it is the divisor
  /// of the elementary effect). Draws only from `engine` (seed it from (seed, stream,
  /// trajectory index)); the sequence is the same on every platform because Boost.Random's
  /// distributions are specified, unlike std::uniform_int_distribution and std::shuffle.
  /// Throws ModelError if a span has the wrong size.
  void trajectory(boost::random::mt19937_64& engine, std::span<double> points, std::span<std::size_t> changed_factor,
                  std::span<double> signed_step) const;

 private:
  std::size_t n_factors_;
  std::size_t levels_;
  MorrisLevelMap level_map_;
};

/// Elementary-effect statistics of one (factor, output).
struct MorrisEffect {
  std::size_t count = 0;           ///< elementary effects r behind the statistics
  double mu = 0.0;                 ///< mean EE (Morris 1991); signs may cancel
  double mu_star = 0.0;            ///< mean |EE| (Campolongo et al. 2007), the ranking measure
  double sigma = 0.0;              ///< standard deviation of EE, divisor r-1 (nonlinearity or interactions)
  double mu_star_std_error = 0.0;  ///< sd(|EE|)/sqrt(r): a normal-approximation error bar for mu*
};

/// Result of MorrisAccumulator::finalize. Effects are in the unit of the output per unit of the
/// factor's unit-interval (quantile) coordinate.
struct MorrisEstimates {
  std::size_t n_factors = 0;
  std::size_t n_outputs = 0;
  std::vector<MorrisEffect> effects;                      ///< [k * n_factors + j]
  std::vector<std::vector<std::size_t>> rank_by_mu_star;  ///< [k][j]: 1 = largest mu* (ties: lower index first)
  [[nodiscard]] const MorrisEffect& at(std::size_t factor, std::size_t output) const {
    return effects.at(output * n_factors + factor);
  }
};

/// Welford moments of EE and |EE| per (factor, output); Chan et al. merge. Memory O(D*K).
/// Not thread-safe; one per block, merged in block order.
class MorrisAccumulator {
 public:
  /// Throws ModelError if n_factors or n_outputs is 0.
  MorrisAccumulator(std::size_t n_factors, std::size_t n_outputs);

  /// Adds the D elementary effects of each output of one trajectory: y holds the outputs of its
  /// D+1 points, y[m * K + k] (the Model's layout); changed_factor and signed_step as written by
  /// MorrisDesign::trajectory. EE = (y[m+1] - y[m]) / signed_step[m]. Throws ModelError on a
  /// size mismatch, a factor index out of range or a zero step.
  void add(std::span<const double> y, std::span<const std::size_t> changed_factor, std::span<const double> signed_step);

  /// Adds one elementary effect, for a driver that keeps the valid steps of a trajectory in
  /// which some run failed. Throws ModelError if an index is out of range.
  void add_effect(std::size_t factor, std::size_t output, double elementary_effect);

  /// Adds `other`'s effects (same shape, else ModelError), Chan et al. 1979 pairwise update.
  void merge(const MorrisAccumulator& other);

  /// Throws ModelError if any (factor, output) has fewer than 2 effects (sigma undefined).
  [[nodiscard]] MorrisEstimates finalize() const;

  [[nodiscard]] std::size_t n_factors() const noexcept { return n_factors_; }
  [[nodiscard]] std::size_t n_outputs() const noexcept { return n_outputs_; }

  /// The exact state (shape and every Welford moment), for checkpoints and MPI messages.
  /// load(save(x)) == x bit for bit; load throws InputError on truncated data or sizes that do
  /// not match n_factors x n_outputs.
  void save(ByteWriter& out) const;
  [[nodiscard]] static MorrisAccumulator load(ByteReader& in);

  friend bool operator==(const MorrisAccumulator&, const MorrisAccumulator&) = default;

 private:
  struct Moments {
    std::size_t n = 0;
    double mean = 0.0, m2 = 0.0;          ///< of EE
    double abs_mean = 0.0, abs_m2 = 0.0;  ///< of |EE|
    friend bool operator==(const Moments&, const Moments&) = default;
  };
  static void add_to(Moments& m, double ee) noexcept;

  std::size_t n_factors_;
  std::size_t n_outputs_;
  std::vector<Moments> moments_;  ///< [k * n_factors + j]
};

}  // namespace symbiomc
