#pragma once
// Sums of products of columns over a block of runs, sum_r a[r] * b[r], for many column pairs
// at once: the Gram matrix X'X of a regression design and its cross products X'g with the
// responses, as the decision statistics' regression EVPPI sums them per block.
//
// Why not a BLAS product: the designs are tall and narrow (a block of thousands of runs, a few
// to twenty columns), where a general product spends most of its time packing the operands;
// and without -march the build's vectors are two doubles wide. Why not a plain loop: one
// running sum is a chain of dependent additions that the compiler may not reorder without
// -ffast-math. So each pair is summed in LANES interleaved partial sums (run r goes to lane
// r mod LANES), which the compiler vectorises, over tiles of runs small enough that the tile's
// columns stay in the L1 cache, and the lanes are combined in a fixed tree order at the end.
// The result depends on the block's values and order only: the same bits on any thread.

#include <cstddef>
#include <span>

#include "symbiomc/base/vector_isa.hpp"

namespace symbiomc {

/// A pair of columns whose product is summed into out[pair index].
struct ColumnPair {
  const double* left;
  const double* right;
};

/// out[q] += sum_{r < n} pairs[q].left[r] * pairs[q].right[r], for every pair q, by the widest
/// instruction-set variant the CPU runs.
void add_product_sums(std::span<const ColumnPair> pairs, std::size_t n, double* out);

/// Same, by the variant `isa` (the baseline when the CPU cannot run it): every variant gives
/// the same bits (tests/test_product_sums.cpp).
void add_product_sums(std::span<const ColumnPair> pairs, std::size_t n, double* out, VectorIsa isa);

}  // namespace symbiomc
