#pragma once
// Sampling designs: n points in the open unit hypercube (0,1)^dim, produced block by block so
// that samplers can fill fixed, index-defined blocks in parallel and still get bit-identical
// numbers at any thread count. Plain Monte Carlo, Latin hypercube and randomised Sobol' QMC.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace symbiomc {

/// How the points of a design are placed.
enum class SamplingMethod : std::uint8_t {
  mc,   ///< i.i.d. uniforms; error ~ n^-1/2, CLT error bars from batches
  lhs,  ///< Latin hypercube: each 1-D margin stratified into n cells, one point per cell
  qmc,  ///< Sobol' sequence with a random digital shift; error ~ n^-1 for smooth integrands
};

/// The spelling used on the command line and in reports: "mc", "lhs", "qmc".
[[nodiscard]] std::string_view to_string(SamplingMethod method) noexcept;
/// Parses the spelling above; returns false (and leaves `out` alone) when `text` is none of them.
[[nodiscard]] bool parse_sampling_method(std::string_view text, SamplingMethod& out) noexcept;

namespace detail {

/// Element `i` of a pseudo-random permutation of [0, length) selected by `key` (Kensler 2013,
/// "Correlated Multi-Jittered Sampling", Pixar Technical Memo 13-01, Listing 3). O(1) memory,
/// expected < 2 rounds of cycle-walking. Preconditions: length >= 1, i < length.
[[nodiscard]] std::uint32_t kensler_permute(std::uint32_t i, std::uint32_t length, std::uint32_t key) noexcept;

struct SobolPrototype;  // a constructed boost::random::sobol, kept out of this header

}  // namespace detail

/// A design of `n_points` points in (0,1)^dim for one (seed, replicate). Built once, then const;
/// cheap to copy (the Sobol' direction numbers are shared, immutable).
///
/// Points are addressed by blocks: block b of size B holds points [b*B, min(n, (b+1)*B)).
/// mc and lhs draw their randomness from an engine per block (make_engine(seed, stream, b,
/// replicate)), so their numbers depend on B: keep B fixed in a run's configuration. qmc
/// points do not depend on B.
class UnitDesign {
 public:
  /// Dimensions of Boost's Sobol' table (Joe & Kuo 2008 polynomials below 2^16).
  static constexpr std::size_t MAX_QMC_DIMENSION = 3667;
  /// Kensler's permutation works on 32-bit indices.
  static constexpr std::uint64_t MAX_LHS_POINTS = 0xFFFFFFFFull;

  /// Throws ModelError when dim == 0, n_points == 0, lhs with n_points > MAX_LHS_POINTS or qmc
  /// with dim > MAX_QMC_DIMENSION. Different `replicate` values give independent
  /// randomisations of the same design (for replicate-based confidence intervals).
  UnitDesign(SamplingMethod method, std::size_t dim, std::uint64_t n_points, std::uint64_t seed,
             std::uint64_t replicate = 0);

  [[nodiscard]] SamplingMethod method() const noexcept { return method_; }
  [[nodiscard]] std::size_t dimension() const noexcept { return dim_; }
  [[nodiscard]] std::uint64_t n_points() const noexcept { return n_points_; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] std::uint64_t replicate() const noexcept { return replicate_; }

  /// Number of blocks of size `block_size` that cover the design (the last may be partial).
  [[nodiscard]] std::uint64_t block_count(std::size_t block_size) const;
  /// Number of points in block `block` (0 past the end).
  [[nodiscard]] std::uint64_t points_in_block(std::uint64_t block, std::size_t block_size) const;

  /// Writes points [block*block_size, min(n_points, (block+1)*block_size)) row-major into `u`:
  /// u[(i - first)*dim + d], every value strictly inside (0, 1). A pure function of (design,
  /// block, block_size): safe to call concurrently on one const object and in any block order.
  /// Throws ModelError when block_size == 0 or u.size() < points_in_block(...) * dim.
  /// Cost O(points * dim) per call, plus O(64 * dim) for qmc to jump to the block's first point.
  void fill_block(std::uint64_t block, std::size_t block_size, std::span<double> u) const;

 private:
  void fill_mc(std::uint64_t block, std::uint64_t count, std::span<double> u) const;
  void fill_lhs(std::uint64_t block, std::uint64_t first, std::uint64_t count, std::span<double> u) const;
  void fill_qmc(std::uint64_t first, std::uint64_t count, std::span<double> u) const;

  SamplingMethod method_;
  std::size_t dim_;
  std::uint64_t n_points_;
  std::uint64_t seed_;
  std::uint64_t replicate_;
  std::vector<std::uint32_t> lhs_keys_;   ///< lhs: permutation key per dimension
  unsigned lhs_jitter_bits_ = 0;          ///< lhs: resolution of the jitter inside a stratum
  std::vector<std::uint64_t> qmc_shift_;  ///< qmc: digital-shift key per dimension
  std::shared_ptr<const detail::SobolPrototype> sobol_;
};

}  // namespace symbiomc
