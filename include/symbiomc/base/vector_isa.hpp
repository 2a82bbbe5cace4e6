#pragma once
// Instruction-set variants of a few hot statistics loops. The build targets the x86-64
// baseline (SSE2: two doubles per vector) so that one binary runs anywhere; a loop that pays
// for wider vectors is compiled a second time for AVX2 (SYMBIOMC_TARGET_AVX2) and chosen at
// run time by can_run(). The variants must give the same bits: they do only IEEE multiplies
// and adds in the same order per lane, and AVX2 does not include fused multiply-add, so the
// compiler cannot contract them (tests/test_product_sums.cpp and test_decision.cpp check it).

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SYMBIOMC_AVX2_VARIANTS 1
#define SYMBIOMC_TARGET_AVX2 [[gnu::target("avx2")]]
#else
#define SYMBIOMC_AVX2_VARIANTS 0
#define SYMBIOMC_TARGET_AVX2
#endif

namespace symbiomc {

enum class VectorIsa : unsigned char { baseline, avx2 };

/// Whether this build has the variant and this CPU can run it (the baseline always).
[[nodiscard]] inline bool can_run(VectorIsa isa) noexcept {
  if (isa == VectorIsa::baseline) return true;
#if SYMBIOMC_AVX2_VARIANTS
  return __builtin_cpu_supports("avx2") != 0;
#else
  return false;
#endif
}

/// The widest variant this CPU runs.
[[nodiscard]] inline VectorIsa widest_vector_isa() noexcept {
  // The CPU does not change while the program runs: asked once.
  static const VectorIsa widest = can_run(VectorIsa::avx2) ? VectorIsa::avx2 : VectorIsa::baseline;
  return widest;
}

}  // namespace symbiomc
