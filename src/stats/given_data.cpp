#include "symbiomc/stats/given_data.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <boost/math/distributions/students_t.hpp>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// Bins x[0, n) into out as equal_probability_bin does, in 32 bits (x bins <= MAX_BINS < 2^31),
/// when every x is in [0, 1]; returns false, out unspecified, otherwise. Two branch-free loops
/// the compiler vectorises: this runs for every parameter of every run of a study. In [0, 1]
/// (as x >= 0 && x <= 1 says, -0 included, NaN not) exactly when the bit pattern is at most
/// that of 1.0 or is -0's: integer tests, which the compiler vectorises, unlike the
/// floating-point comparisons.
[[gnu::always_inline]] inline bool bin_chunk(const double* x, std::size_t n, std::size_t bins, std::uint16_t* out) {
  constexpr std::uint64_t ONE = 0x3FF0000000000000, NEGATIVE_ZERO = 0x8000000000000000;
  std::uint64_t out_of_range = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(x[i]);
    out_of_range |= static_cast<std::uint64_t>(bits > ONE) & static_cast<std::uint64_t>(bits != NEGATIVE_ZERO);
  }
  if (out_of_range != 0) return false;
  const double scale = static_cast<double>(bins);
  const auto last = static_cast<std::int32_t>(bins - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<std::int32_t>(x[i] * scale);
    out[i] = static_cast<std::uint16_t>(b < last ? b : last);
  }
  return true;
}

bool bin_chunk_baseline(const double* x, std::size_t n, std::size_t bins, std::uint16_t* out) {
  return bin_chunk(x, n, bins, out);
}

#if SYMBIOMC_AVX2_VARIANTS
// The same bins (integer conversions: no rounding to differ), four coordinates per vector.
SYMBIOMC_TARGET_AVX2 bool bin_chunk_avx2(const double* x, std::size_t n, std::size_t bins, std::uint16_t* out) {
  return bin_chunk(x, n, bins, out);
}
#endif

}  // namespace

BlockBins::BlockBins(std::span<const double> v, std::size_t n_runs, std::size_t n_parameters, std::size_t bins)
    : BlockBins(v, n_runs, n_parameters, bins, {}) {}

BlockBins::BlockBins(std::span<const double> v, std::size_t n_runs, std::size_t n_parameters, std::size_t bins,
                     std::vector<std::uint16_t> storage, VectorIsa isa)
    : v_(v), n_runs_(n_runs), n_parameters_(n_parameters), bins_(bins), index_(std::move(storage)) {
  if (bins < 2 || bins > MAX_BINS) {
    throw ModelError(message("binning of the parameters: expected 2 to ", MAX_BINS, " bins, got ", bins));
  }
  // Division instead of a product: n_runs and n_parameters come from the caller and could overflow.
  if (n_parameters != 0 && (v.size() % n_parameters != 0 || v.size() / n_parameters != n_runs)) {
    throw ModelError(
        message("binning of the parameters: expected ", n_parameters, " x ", n_runs, " coordinates, got ", v.size()));
  }
  if (n_parameters == 0 && !v.empty()) {
    throw ModelError(message("binning of the parameters: no parameters but ", v.size(), " coordinates"));
  }
  // In chunks that stay in the L1 cache, check, then bin (binning an unchecked NaN would be
  // undefined behaviour); a chunk with a coordinate outside [0, 1] names its first one, which
  // is the block's first since the chunks before it were clean.
  index_.resize(v.size());
  auto bin = &bin_chunk_baseline;
#if SYMBIOMC_AVX2_VARIANTS
  if (isa == VectorIsa::avx2 && can_run(VectorIsa::avx2)) bin = &bin_chunk_avx2;
#endif
  (void)isa;
  constexpr std::size_t CHUNK = 2048;
  for (std::size_t first = 0; first < v.size(); first += CHUNK) {
    const std::size_t size = std::min(CHUNK, v.size() - first);
    if (bin(v.data() + first, size, bins, index_.data() + first)) continue;
    for (std::size_t i = first; i < first + size; ++i) {
      if (!(v[i] >= 0.0 && v[i] <= 1.0)) {
        throw ModelError(message("binning of the parameters: coordinate of parameter ", i / n_runs, " in run ",
                                 i % n_runs, " is ", v[i], "; expected F(x) in [0, 1]"));
      }
    }
  }
}

std::size_t integer_root(std::size_t n, std::size_t k) noexcept {
  if (k == 1 || n < 2) return std::max<std::size_t>(n, 1);
  // g^k <= n, tested by repeated division so that nothing overflows.
  auto fits = [&](std::size_t g) {
    std::size_t rest = n;
    for (std::size_t i = 0; i < k; ++i) {
      if (rest < g) return false;
      rest /= g;
    }
    return true;
  };
  std::size_t g = 1;
  while (fits(g + 1)) ++g;  // at most n^(1/k) steps, and k >= 2 here
  return g;
}

std::size_t default_bins(std::uint64_t n) {
  const double x = static_cast<double>(n);
  const double exponent = 2.0 / (7.0 + std::tanh((1500.0 - x) / 500.0));
  const double b = std::ceil(std::pow(std::max(x, 1.0), exponent));
  return static_cast<std::size_t>(std::clamp(b, 4.0, 256.0));
}

void check_conf_level(double conf_level) {
  if (!(conf_level > 0.0 && conf_level < 1.0)) {
    throw InputError(message("confidence level: expected a number in (0, 1), got ", conf_level));
  }
}

BatchEstimate jackknife(double plug_in, std::span<const double> leave_one_out,
                        std::span<const std::uint64_t> batch_runs, double conf_level) {
  check_conf_level(conf_level);
  const std::size_t g = leave_one_out.size();
  if (g < 2 || batch_runs.size() != g) {
    throw ModelError(message("jackknife: need at least 2 batches with one estimate each, got ", g, " estimates and ",
                             batch_runs.size(), " batch sizes"));
  }
  std::uint64_t total = 0;
  for (const std::uint64_t m : batch_runs) total += m;
  const double n = static_cast<double>(total);
  double corrected = static_cast<double>(g) * plug_in;
  for (std::size_t k = 0; k < g; ++k) {
    if (batch_runs[k] == 0 || batch_runs[k] == total) {
      throw ModelError("jackknife: every batch must hold some but not all of the runs");
    }
    corrected -= (1.0 - static_cast<double>(batch_runs[k]) / n) * leave_one_out[k];
  }
  double variance = 0.0;
  for (std::size_t k = 0; k < g; ++k) {
    const double h = n / static_cast<double>(batch_runs[k]);
    const double pseudo = h * plug_in - (h - 1.0) * leave_one_out[k];
    variance += (pseudo - corrected) * (pseudo - corrected) / (h - 1.0);
  }
  variance /= static_cast<double>(g);
  const double t = boost::math::quantile(
      boost::math::complement(boost::math::students_t(static_cast<double>(g - 1)), 0.5 * (1.0 - conf_level)));
  BatchEstimate e;
  e.value = corrected;
  e.plug_in = plug_in;
  e.std_error = std::sqrt(variance);
  e.low = corrected - t * e.std_error;
  e.high = corrected + t * e.std_error;
  return e;
}

}  // namespace symbiomc
