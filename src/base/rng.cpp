#include "symbiomc/base/rng.hpp"

#include <boost/random/seed_seq.hpp>

#include <array>

namespace symbiomc {

namespace {

constexpr std::uint32_t low_word(std::uint64_t value) noexcept { return static_cast<std::uint32_t>(value); }
constexpr std::uint32_t high_word(std::uint64_t value) noexcept { return static_cast<std::uint32_t>(value >> 32); }

}  // namespace

Engine make_engine(std::uint64_t seed, Stream stream, std::uint64_t block, std::uint64_t replicate) {
  // seed_seq consumes 32-bit words (it truncates wider ones), so each 64-bit input is split in
  // two; all eight words are always present, so (seed, stream, block, replicate) -> words is
  // injective and no two streams can collide by concatenation. Boost 1.74 has no splitmix or
  // counter-based engine, and seed_seq already is the mixer the engine is designed to be
  // seeded through, so no hand-written hash is needed here.
  const auto stream_word = static_cast<std::uint64_t>(stream);
  const std::array<std::uint32_t, 8> words{low_word(seed),         high_word(seed),     low_word(stream_word),
                                           high_word(stream_word), low_word(replicate), high_word(replicate),
                                           low_word(block),        high_word(block)};
  boost::random::seed_seq sequence(words.begin(), words.end());
  return Engine(sequence);
}

}  // namespace symbiomc
