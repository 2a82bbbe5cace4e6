#pragma once
// Reproducible random streams. Every random number in symbiomc is a pure function of
// (master seed, stream, replicate, block index, draw), never of the clock or a thread, so a
// run is bit-identical at any TBB thread count (STYLE (c)9-10; OpenMC's named streams).

#include <boost/random/mersenne_twister.hpp>

#include <cstdint>
#include <type_traits>

namespace symbiomc {

/// The independent random streams of a run (OpenMC's STREAM_*). The numeric values are part of
/// the seed derivation: renumbering one changes every result drawn from it, so never reorder;
/// only append.
enum class Stream : std::uint64_t {
  sampling = 1,             ///< i.i.d. uniforms of the plain Monte Carlo design
  lhs_jitter = 2,           ///< position of a Latin-hypercube point inside its stratum
  lhs_permutation = 3,      ///< keys of the per-dimension Latin-hypercube permutations
  qmc_shift = 4,            ///< random digital shifts of the Sobol' sequence
  saltelli_base = 5,        ///< base points of a Saltelli design drawn by Monte Carlo
  morris = 6,               ///< Morris trajectories (starting points and step orders)
  bootstrap = 7,            ///< resampling for bootstrap confidence intervals
  shapley_permutation = 8,  ///< Shapley effects: one permutation and all its conditional draws, per permutation
  shapley_variance = 9,     ///< Shapley effects: the joint draws behind Var(Y), per block
  // 10 was the regression EVPPI's fixed Latin-hypercube draws, now a Sobol' net that draws no
  // random numbers: retired, never to be reused.
};

/// The engine behind every stream: Boost.Random's 64-bit Mersenne Twister.
using Engine = boost::random::mt19937_64;
// Boost 1.74's min()/max() are not constexpr; word_size == 64 means outputs span all of [0, 2^64).
static_assert(Engine::word_size == 64 && std::is_same_v<Engine::result_type, std::uint64_t>,
              "to_open_unit expects 64 random bits per engine call");

/// A fresh engine for one (seed, stream, block, replicate). The eight 32-bit halves of the four
/// words go through boost::random::seed_seq, whose mixing spreads them over the whole 312-word
/// state, so neighbouring blocks (or seeds) give unrelated sequences even though the inputs
/// differ in one bit. `replicate` separates independent repetitions of a whole design (e.g.
/// randomised-QMC replicates); leave it 0 otherwise.
/// Pure function of its arguments; cost ~ a few microseconds, so call once per block, not per draw.
[[nodiscard]] Engine make_engine(std::uint64_t seed, Stream stream, std::uint64_t block, std::uint64_t replicate = 0);

/// Maps 64 random bits to a double strictly inside (0, 1): (k + 1/2) * 2^-52 where k is the top
/// 52 bits. Why 52 and not 53: with k < 2^53, k + 1/2 needs 54 significant bits and rounds, so
/// k = 2^53 - 1 would give exactly 1.0; with 52 bits every value is exact, the range is
/// [2^-53, 1 - 2^-53] and the map is symmetric about 1/2, so inverse CDFs never see 0 or 1.
[[nodiscard]] constexpr double to_open_unit(std::uint64_t bits) noexcept {
  constexpr double TWO_POW_MINUS_52 = 1.0 / 4503599627370496.0;  // 2^-52, exact
  return (static_cast<double>(bits >> 12) + 0.5) * TWO_POW_MINUS_52;
}

/// The next uniform in (0, 1) from `engine` (one engine call).
[[nodiscard]] inline double next_open_unit(Engine& engine) { return to_open_unit(engine()); }

}  // namespace symbiomc
