#pragma once
// The data of a probabilistic tornado: for every (mode, parameter), the mean of an output over
// the runs in which the parameter's marginal uniform v = F(x) lies in its lowest decile
// (v < 0.1) and over those in which it lies in its highest (v >= 0.9), each with its run count
// and a Student-t interval (Moments::ci_mean; the runs of a decile are a random subset of
// independent runs). Unlike a one-at-a-time tornado, every other parameter keeps its
// distribution, so the bars show what each parameter's extremes do to the expected outcome.
// Memory is fixed by (modes, parameters); blocks merge exactly and in a fixed order.
//
// Why its own counters, not the decision's EVPPI bins: those hold sums of differences between
// modes (decision.hpp), not each mode's level, and their bin count B need not be a multiple of 10.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/stats/stats.hpp"

namespace symbiomc {

/// Coordinates below this are the lowest decile; at or above DECILE_HIGH, the highest.
inline constexpr double DECILE_LOW = 0.1;
inline constexpr double DECILE_HIGH = 0.9;

/// One decile's mean of the output. Without runs, runs = 0 and the rest is NaN; with one run,
/// the interval is NaN.
struct DecileMean {
  std::uint64_t runs = 0;
  double mean = 0.0;
  double low = 0.0;  ///< Student-t interval of the mean
  double high = 0.0;

  friend bool operator==(const DecileMean&, const DecileMean&) = default;
};

/// The two extreme deciles of one parameter for one mode.
struct DecileMeans {
  DecileMean lowest;   ///< v < DECILE_LOW
  DecileMean highest;  ///< v >= DECILE_HIGH

  friend bool operator==(const DecileMeans&, const DecileMeans&) = default;
};

/// The runs of a block whose coordinate lies in each parameter's lowest and highest decile:
/// what every decision's tornado of the same block needs, computed once (branch-free: which
/// decile a run falls in is random, and a branch on it would be mispredicted often).
class BlockDeciles {
 public:
  /// `v[j * n + r]`: parameter j's coordinate in run r. Throws ModelError when v.size() is not
  /// n_parameters * n or n >= 2^32. Cost O(d n).
  BlockDeciles(std::span<const double> v, std::size_t n, std::size_t n_parameters);
  /// Same, writing the lists into `storage` (whatever it holds; its memory is reused): a study
  /// does this for every block. release() gives the storage back for the next block.
  BlockDeciles(std::span<const double> v, std::size_t n, std::size_t n_parameters, std::vector<std::uint32_t> storage);
  [[nodiscard]] std::vector<std::uint32_t> release() && noexcept { return std::move(runs_); }

  [[nodiscard]] std::size_t n_runs() const noexcept { return n_runs_; }
  [[nodiscard]] std::size_t n_parameters() const noexcept { return n_parameters_; }
  /// Runs (ascending) with v_j < DECILE_LOW (decile 0) or v_j >= DECILE_HIGH (decile 1).
  [[nodiscard]] std::span<const std::uint32_t> runs(std::size_t j, std::size_t decile) const noexcept {
    const std::size_t cell = 2 * j + decile;
    return {runs_.data() + cell * n_runs_, counts_[cell]};
  }

 private:
  std::size_t n_runs_;
  std::size_t n_parameters_;
  std::vector<std::uint32_t> runs_;  ///< [(2 j + decile) * n + i], the first counts_[2 j + decile] set
  std::vector<std::size_t> counts_;
};

/// Running moments of the output in each parameter's extreme deciles, per mode.
///
/// Determinism: add_block sums a block's runs per (parameter, decile, mode) in two passes in run
/// order and merges that block's moments into this accumulator's; the study
/// gives each block a fresh one and merges them in block order, so the bits depend on the blocks
/// only, and save/load round-trips bit for bit. Not thread-safe: one per block.
class DecileMeansAccumulator {
 public:
  DecileMeansAccumulator(std::size_t n_modes, std::size_t n_parameters);

  /// Adds n runs: `y[m * n + r]` is mode m's output in run r (finite), `v[j * n + r]` parameter
  /// j's coordinate in run r. Throws ModelError on a shape mismatch. Cost O(n d), plus O(M) per
  /// run and parameter in an extreme decile (a fifth of them).
  void add_block(std::span<const double> y, std::span<const double> v, std::size_t n);
  /// Same, with the block's deciles computed once for every output of the block. Throws
  /// ModelError on a shape mismatch.
  void add_block(std::span<const double> y, const BlockDeciles& deciles);
  /// Folds `other` in as if its runs had been added after ours. Throws ModelError when the shapes differ.
  void merge(const DecileMeansAccumulator& other);

  [[nodiscard]] std::size_t n_modes() const noexcept { return n_modes_; }
  [[nodiscard]] std::size_t n_parameters() const noexcept { return n_parameters_; }

  /// [m * n_parameters + j]. InputError when conf_level is not in (0, 1).
  [[nodiscard]] std::vector<DecileMeans> finalize(double conf_level) const;

  /// The shape, then every moment. load checks the shape and throws InputError (ByteReader::fail)
  /// on a mismatch or truncation.
  void save(ByteWriter& out) const;
  [[nodiscard]] static DecileMeansAccumulator load(ByteReader& in, std::size_t n_modes, std::size_t n_parameters);

  friend bool operator==(const DecileMeansAccumulator&, const DecileMeansAccumulator&) = default;

 private:
  std::size_t n_modes_;
  std::size_t n_parameters_;
  std::vector<Moments> lowest_;   ///< [m * d + j]
  std::vector<Moments> highest_;  ///< [m * d + j]
};

}  // namespace symbiomc
