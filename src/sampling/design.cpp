#include "symbiomc/sampling/design.hpp"

#include <boost/random/sobol.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "symbiomc/base/error.hpp"
#include "symbiomc/base/rng.hpp"

namespace symbiomc {

// What Boost 1.74's Sobol' engine does, read from boost/random/sobol.hpp,
// detail/gray_coded_qrng.hpp and detail/qrng_base.hpp:
// - boost::random::sobol is sobol_engine<uint_least64_t, 64>: 64-bit direction numbers whose
//   leading bit is the first binary digit, min() == 0 and max() == 2^64 - 1 (low_bits_mask_t<64>),
//   so a coordinate is value / 2^64 and all 64 bits are generated.
// - The engine skips the zero point: after construction (seed()) its state is Gray code 1, the
//   point (1/2, ..., 1/2). seed(s) sets the state to Gray code s + 1 by XOR-ing direction numbers
//   (O(64 * dim)), so seed(s) jumps to the s-th point *after* zero, i.e. standard Sobol' index s + 1.
// - discard(z) counts coordinates, not points (qrng_base::discard splits z into z / dim vectors
//   and z % dim elements), so discard(i) is not a jump to point i when dim > 1.
// The design keeps the zero point as its point 0 and maps design point i >= 1 to seed(i - 1):
// then the first 2^k points are a full (0,k,1)-net in every coordinate, which dropping zero
// would break (Owen 2022, "On dropping the first Sobol' point"). After the random shift the
// zero point is just the shift key, an ordinary point inside (0,1).
static_assert(boost::random::sobol::min() == 0 &&
                  boost::random::sobol::max() == std::numeric_limits<std::uint64_t>::max(),
              "the digital shift and to_open_unit assume 64 generated bits per coordinate");
static_assert(boost::random::default_sobol_table::max_dimension == UnitDesign::MAX_QMC_DIMENSION);

namespace detail {

struct SobolPrototype {
  explicit SobolPrototype(std::size_t dim) : engine(dim) {}
  boost::random::sobol engine;  ///< at point 0 after construction; copied per fill, never mutated
};

// Hand-written because no library offers an O(1)-memory random permutation of [0, n) that can
// be evaluated at one index: std::shuffle and Boost need the whole n-element array, which would
// make a Latin hypercube O(n * dim) in memory and serial. Constants and structure are Kensler's
// Listing 3. Each step is a bijection on the low bits masked by w (odd multipliers, xor-shifts
// to the right within w, xors with the key), so the loop is a bijection on [0, 2^k) and
// cycle-walking (repeat while >= length) restricts it to a bijection on [0, length). The final
// rotation by the key is part of Kensler's design.
std::uint32_t kensler_permute(std::uint32_t i, std::uint32_t length, std::uint32_t key) noexcept {
  std::uint32_t w = length - 1;
  w |= w >> 1;
  w |= w >> 2;
  w |= w >> 4;
  w |= w >> 8;
  w |= w >> 16;
  do {
    i ^= key;
    i *= 0xe170893du;
    i ^= key >> 16;
    i ^= (i & w) >> 4;
    i ^= key >> 8;
    i *= 0x0929eb3fu;
    i ^= key >> 23;
    i ^= (i & w) >> 1;
    i *= 1u | key >> 27;
    i *= 0x6935fa69u;
    i ^= (i & w) >> 11;
    i *= 0x74dcb303u;
    i ^= (i & w) >> 2;
    i *= 0x9e501cc3u;
    i ^= (i & w) >> 2;
    i *= 0xc860a3dfu;
    i &= w;
    i ^= i >> 5;
  } while (i >= length);
  return (i + key) % length;
}

}  // namespace detail

std::string_view to_string(SamplingMethod method) noexcept {
  switch (method) {
    case SamplingMethod::mc:
      return "mc";
    case SamplingMethod::lhs:
      return "lhs";
    case SamplingMethod::qmc:
      return "qmc";
  }
  return "mc";
}

bool parse_sampling_method(std::string_view text, SamplingMethod& out) noexcept {
  for (auto method : {SamplingMethod::mc, SamplingMethod::lhs, SamplingMethod::qmc}) {
    if (text == to_string(method)) {
      out = method;
      return true;
    }
  }
  return false;
}

UnitDesign::UnitDesign(SamplingMethod method, std::size_t dim, std::uint64_t n_points, std::uint64_t seed,
                       std::uint64_t replicate)
    : method_(method), dim_(dim), n_points_(n_points), seed_(seed), replicate_(replicate) {
  if (dim == 0) throw ModelError("a sampling design needs at least one dimension (no uncertain parameter?)");
  if (n_points == 0) throw ModelError(message("a '", to_string(method), "' design needs at least one point"));
  switch (method) {
    case SamplingMethod::mc:
      break;
    case SamplingMethod::lhs: {
      if (n_points > MAX_LHS_POINTS) {
        throw ModelError(message("latin hypercube sampling supports at most ", MAX_LHS_POINTS,
                                 " points (Kensler's permutation uses 32-bit indices), got ", n_points,
                                 "; use 'mc' or 'qmc', or fewer runs"));
      }
      // Jitter resolution: the stratum index (< 2^bw) plus a jitter of m bits plus the half
      // bit must fit a double's 53-bit significand so (stratum + jitter) is exact, and two
      // more bits of margin keep u = (stratum + jitter) / n and u * n on the right side of the
      // stratum edges after rounding. So every point lies strictly inside its own stratum and
      // below 1; with n < 2^32 a stratum still has >= 2^18 jitter levels.
      lhs_jitter_bits_ = 50u - static_cast<unsigned>(std::bit_width(n_points));
      Engine engine = make_engine(seed, Stream::lhs_permutation, 0, replicate);
      lhs_keys_.resize(dim);
      for (auto& key : lhs_keys_) key = static_cast<std::uint32_t>(engine() >> 32);
      break;
    }
    case SamplingMethod::qmc: {
      if (dim > MAX_QMC_DIMENSION) {
        throw ModelError(message("Sobol' quasi-Monte Carlo supports at most ", MAX_QMC_DIMENSION,
                                 " dimensions (Boost's direction-number table), got ", dim, "; use 'mc' or 'lhs'"));
      }
      Engine engine = make_engine(seed, Stream::qmc_shift, 0, replicate);
      qmc_shift_.resize(dim);
      for (auto& key : qmc_shift_) key = engine();
      sobol_ = std::make_shared<const detail::SobolPrototype>(dim);
      break;
    }
  }
}

std::uint64_t UnitDesign::block_count(std::size_t block_size) const {
  if (block_size == 0) throw ModelError("block size must be at least 1");
  return n_points_ / block_size + (n_points_ % block_size != 0 ? 1 : 0);
}

std::uint64_t UnitDesign::points_in_block(std::uint64_t block, std::size_t block_size) const {
  if (block >= block_count(block_size)) return 0;
  // block < ceil(n / B) implies block * B <= n - 1: no overflow.
  const std::uint64_t first = block * block_size;
  return std::min<std::uint64_t>(block_size, n_points_ - first);
}

void UnitDesign::fill_block(std::uint64_t block, std::size_t block_size, std::span<double> u) const {
  const std::uint64_t count = points_in_block(block, block_size);
  if (count == 0) return;
  if (u.size() / dim_ < count) {
    throw ModelError(message("fill_block: block ", block, " holds ", count, " points of dimension ", dim_,
                             " but the output has room for ", u.size(), " values"));
  }
  const std::uint64_t first = block * block_size;
  switch (method_) {
    case SamplingMethod::mc:
      fill_mc(block, count, u);
      break;
    case SamplingMethod::lhs:
      fill_lhs(block, first, count, u);
      break;
    case SamplingMethod::qmc:
      fill_qmc(first, count, u);
      break;
  }
}

void UnitDesign::fill_mc(std::uint64_t block, std::uint64_t count, std::span<double> u) const {
  Engine engine = make_engine(seed_, Stream::sampling, block, replicate_);
  const std::size_t values = static_cast<std::size_t>(count) * dim_;
  for (std::size_t k = 0; k < values; ++k) u[k] = next_open_unit(engine);
}

void UnitDesign::fill_lhs(std::uint64_t block, std::uint64_t first, std::uint64_t count, std::span<double> u) const {
  // McKay, Beckman & Conover (1979): u[i][d] = (pi_d(i) + v) / n with pi_d a random
  // permutation per dimension and v uniform in the cell. The permutations are global over all
  // n points (evaluated at i, not stored), so the union of all blocks is one Latin hypercube;
  // only the jitter comes from the block's engine.
  Engine engine = make_engine(seed_, Stream::lhs_jitter, block, replicate_);
  const auto length = static_cast<std::uint32_t>(n_points_);
  const auto n = static_cast<double>(n_points_);
  const unsigned shift = 64u - lhs_jitter_bits_;
  const double jitter_unit = std::ldexp(1.0, -static_cast<int>(lhs_jitter_bits_));
  std::size_t k = 0;
  for (std::uint64_t r = 0; r < count; ++r) {
    const auto i = static_cast<std::uint32_t>(first + r);
    for (std::size_t d = 0; d < dim_; ++d) {
      const std::uint32_t stratum = detail::kensler_permute(i, length, lhs_keys_[d]);
      const double jitter = (static_cast<double>(engine() >> shift) + 0.5) * jitter_unit;
      u[k++] = (static_cast<double>(stratum) + jitter) / n;
    }
  }
}

void UnitDesign::fill_qmc(std::uint64_t first, std::uint64_t count, std::span<double> u) const {
  // Random digital shift (L'Ecuyer & Lemieux 2002, "Recent advances in randomized quasi-Monte
  // Carlo methods", sec. on digital nets; QuantLib's RandomizedLDS shifts modulo 1 instead):
  // XOR-ing a fixed random key into every point keeps the digital-net structure, so each shifted
  // replicate is still stratified, while each point becomes uniform on (0,1)^dim, which makes
  // the replicate mean unbiased and gives error bars from replicate-to-replicate spread.
  boost::random::sobol engine = sobol_->engine;  // per-call copy: the shared prototype stays const
  bool positioned = false;
  std::size_t k = 0;
  for (std::uint64_t r = 0; r < count; ++r) {
    const std::uint64_t i = first + r;
    if (i == 0) {
      for (std::size_t d = 0; d < dim_; ++d, ++k) u[k] = to_open_unit(qmc_shift_[d]);
      continue;
    }
    if (!positioned) {
      engine.seed(i - 1);  // jump to standard Sobol' index i (see the note at the top)
      positioned = true;
    }
    for (std::size_t d = 0; d < dim_; ++d, ++k) u[k] = to_open_unit(engine() ^ qmc_shift_[d]);
  }
}

}  // namespace symbiomc
