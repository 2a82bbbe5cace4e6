#pragma once
// Random numbers drawn by the tests themselves (not by the engine under test): Boost.Random's
// engines and distributions only, because std::normal_distribution, std::shuffle and the like
// are free to differ between standard libraries, and a test's draws must be the same
// everywhere for a fixed seed to mean a fixed test.

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace symbiomc::test {

/// The tests' engine: a fixed seed gives the same stream on every platform.
using TestEngine = boost::random::mt19937_64;

/// 64 random bits to a double strictly inside (0, 1): (k + 1/2) * 2^-52, k the top 52 bits, so
/// the extremes are 2^-53 and 1 - 2^-53 and inverse CDFs never see 0 or 1. Why not 53 bits:
/// k + 1/2 would need 54 significant bits, and k = 2^53 - 1 rounds to exactly 1.0. (Kept apart
/// from symbiomc::to_open_unit on purpose: what the tests feed the code under test must not
/// change when that code does.)
constexpr double open_unit(std::uint64_t bits) noexcept { return (static_cast<double>(bits >> 12) + 0.5) * 0x1p-52; }

/// The next uniform in (0, 1) from a 64-bit engine (one call).
template <typename Engine>
double open_uniform(Engine& engine) {
  static_assert(sizeof(engine()) == sizeof(std::uint64_t), "open_uniform expects 64 random bits per call");
  return open_unit(engine());
}

/// Fisher-Yates with Boost's uniform_int_distribution: unlike std::shuffle, the same order for
/// a given engine state on every standard library.
template <typename T>
void shuffle(std::vector<T>& items, TestEngine& engine) {
  for (std::size_t i = items.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(items[i - 1], items[pick(engine)]);
  }
}

}  // namespace symbiomc::test
