#include "symbiomc/stats/product_sums.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace symbiomc {

namespace {

constexpr std::size_t LANES = 8;
// 256 runs of ~20 columns is 40 KiB: a tile's columns stay in L1 while every pair reads them.
constexpr std::size_t TILE = 256;
static_assert(TILE % LANES == 0, "a tile must end on a lane boundary, so that run r is always in lane r mod LANES");

using Lanes = std::array<double, LANES>;

double combine(const Lanes& lane) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// The kernel, inlined into each instruction-set variant below (base/vector_isa.hpp: the same
// bits from every variant; wider vectors only do more lanes at once).
[[gnu::always_inline]] inline void sum_pairs(std::span<const ColumnPair> pairs, std::size_t n, double* out) {
  std::vector<Lanes> sums(pairs.size(), Lanes{});
  for (std::size_t first = 0; first < n; first += TILE) {
    const std::size_t last = std::min(n, first + TILE);
    const std::size_t whole = first + (last - first) / LANES * LANES;
    for (std::size_t q = 0; q < pairs.size(); ++q) {
      const double* a = pairs[q].left;
      const double* b = pairs[q].right;
      Lanes lane = sums[q];
      for (std::size_t r = first; r < whole; r += LANES)
        for (std::size_t l = 0; l < LANES; ++l) lane[l] += a[r + l] * b[r + l];
      for (std::size_t r = whole; r < last; ++r) lane[r % LANES] += a[r] * b[r];
      sums[q] = lane;
    }
  }
  for (std::size_t q = 0; q < pairs.size(); ++q) out[q] += combine(sums[q]);
}

void sum_pairs_baseline(std::span<const ColumnPair> pairs, std::size_t n, double* out) { sum_pairs(pairs, n, out); }

#if SYMBIOMC_AVX2_VARIANTS
SYMBIOMC_TARGET_AVX2 void sum_pairs_avx2(std::span<const ColumnPair> pairs, std::size_t n, double* out) {
  sum_pairs(pairs, n, out);
}
#endif

}  // namespace

void add_product_sums(std::span<const ColumnPair> pairs, std::size_t n, double* out, VectorIsa isa) {
#if SYMBIOMC_AVX2_VARIANTS
  if (isa == VectorIsa::avx2 && can_run(VectorIsa::avx2)) {
    sum_pairs_avx2(pairs, n, out);
    return;
  }
#endif
  (void)isa;
  sum_pairs_baseline(pairs, n, out);
}

void add_product_sums(std::span<const ColumnPair> pairs, std::size_t n, double* out) {
  add_product_sums(pairs, n, out, widest_vector_isa());
}

}  // namespace symbiomc
