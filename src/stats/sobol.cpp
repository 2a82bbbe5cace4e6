#include "symbiomc/stats/sobol.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/given_data.hpp"
#include "symbiomc/stats/stats.hpp"

// Estimators (per output, all values y already reduced by the shift c; m = pooled mean of the
// A and B rows, so a centred value is y - m, as SALib centres before estimating):
//
//   V     = 1/(2N) sum_i [(a_i - m)^2 + (b_i - m)^2]     SALib: np.var(np.r_[A, B])
//   S1_j  = 1/N sum_i (b_i - m)(ab_ij - a_i) / V         Saltelli et al. 2010, Table 2 (b)
//   ST_j  = 1/(2N) sum_i (a_i - ab_ij)^2 / V             Jansen 1999 (as listed in Saltelli et al. 2010, Table 2)
//   S2_jl = 1/N sum_i [(ba_ij - m)(ab_il - m) - (a_i - m)(b_i - m)] / V - S1_j - S1_l
//                                                        Saltelli 2002 (closed index of {j, l}; SALib's second_order)
//
// Every index is a ratio S = U / V of two sample means. Centring at m (known only at the end)
// is exact without storing samples because each numerator term is linear in m:
// u_i = r0_i + m * r1_i with
//   S1_j:  r0 = b g_j,                               r1 = -g_j                 (g_j = ab_j - a)
//   ST_j:  r0 = g_j^2 / 2,                           r1 = 0
//   S2_jl: r0 = ba_j ab_l - a b - b g_j - b g_l,    r1 = g_j - (ba_j - b)
// (the S2 term already subtracts the S1_j and S1_l numerators, so one ratio carries S2), and
// the V term is v_i = s2_i - m s1_i + m^2 with s1 = a + b, s2 = (a^2 + b^2)/2.
//
// Confidence intervals by the delta method (cf. Janon et al. 2014, "Asymptotic normality and
// efficiency of two Sobol index estimators", ESAIM: Probability and Statistics, who prove it for
// their estimators; the same argument applies to any smooth function of sample means):
// sqrt(N)(S_hat - S) -> Normal(0, Var(psi) / V^2) with the linearisation (influence)
// psi_i = u_i - S v_i, because dS = (dU - S dV)/V. The estimated
// centre m adds no first-order term: dU/dm = mean(r1) has expectation 0 (r1 is a difference of
// identically distributed outputs) and dV/dm = 0 at the sample mean.
// With m the sample mean of s1/2, mean(u) = S mean(v) exactly, so mean(psi) = 0 and
//   Var(psi) ~ mean(u^2) - 2 S mean(u v) + S^2 mean(v^2).
// Expanding these in powers of m needs only the nine sums in RatioSums per index plus five
// per output (PooledSums):
//   mean(u^2)  = <r0 r0> + 2m <r0 r1> + m^2 <r1 r1>
//   mean(u v)  = <r0 s2> + m(<r1 s2> - <r0 s1>) + m^2(<r0> - <r1 s1>) + m^3 <r1>
//   mean(v^2)  = <s2 s2> - 2m <s1 s2> + m^2 <s1 s1> + 2 m^2 <s2> - 2 m^3 <s1> + m^4
// and se(S) = sqrt(sum_i psi_i^2 / (N (N - 1))) / V, i.e. the sample variance of psi (divisor
// N - 1) over N; the interval is S +- z se, z the normal quantile at (1 + conf_level)/2 (Boost.Math).
// The shift keeps m small against the spread, so these expansions do not cancel badly.

namespace symbiomc {

namespace {

IndexEstimate make_estimate(double value, double std_error, double half_width) {
  IndexEstimate e;
  e.value = value;
  e.std_error = std_error;
  e.low = value - half_width;
  e.high = value + half_width;
  e.indistinguishable_from_zero = e.low <= 0.0 && 0.0 <= e.high;
  return e;
}

IndexEstimate zero_estimate() { return make_estimate(0.0, 0.0, 0.0); }

// Ranking by ST (largest first, ties by factor index so the order is deterministic) and the
// flag for intervals that overlap the next-ranked factor's.
void rank_factors(SobolOutputEstimates& out) {
  const std::size_t d = out.total.size();
  out.factors_by_total.resize(d);
  std::iota(out.factors_by_total.begin(), out.factors_by_total.end(), std::size_t{0});
  std::stable_sort(out.factors_by_total.begin(), out.factors_by_total.end(),
                   [&](std::size_t x, std::size_t y) { return out.total[x].value > out.total[y].value; });
  out.rank_by_total.assign(d, 0);
  out.total_overlaps_next.assign(d, false);
  for (std::size_t p = 0; p < d; ++p) {
    const std::size_t j = out.factors_by_total[p];
    out.rank_by_total[j] = p + 1;
    if (p + 1 < d) {
      const IndexEstimate& here = out.total[j];
      const IndexEstimate& next = out.total[out.factors_by_total[p + 1]];
      out.total_overlaps_next[j] = std::max(here.low, next.low) <= std::min(here.high, next.high);
    }
  }
}

void check_finite(double x, const char* what) {
  if (!std::isfinite(x)) {
    throw ModelError(
        message("Sobol' finalize: ", what, " is not finite; a NaN or infinite output reached the accumulator"));
  }
}

}  // namespace

SobolAccumulator::SobolAccumulator(std::size_t n_factors, std::size_t n_outputs, bool second_order,
                                   std::vector<double> shift)
    : n_factors_(n_factors), n_outputs_(n_outputs), second_order_(second_order), shift_(std::move(shift)) {
  if (n_factors_ == 0 || n_outputs_ == 0) {
    throw ModelError(message("Sobol' accumulator: need at least one factor and one output, got ", n_factors_,
                             " factors and ", n_outputs_, " outputs"));
  }
  if (shift_.size() != n_outputs_) {
    throw ModelError(message("Sobol' accumulator: shift has ", shift_.size(), " values, expected one per output (",
                             n_outputs_, ")"));
  }
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    if (!std::isfinite(shift_[k]))
      throw ModelError(message("Sobol' accumulator: shift of output ", k, " is not finite"));
  }
  pooled_.resize(n_outputs_);
  first_.resize(n_outputs_ * n_factors_);
  total_.resize(n_outputs_ * n_factors_);
  if (second_order_) second_.resize(n_outputs_ * pair_count(n_factors_));
}

void SobolAccumulator::add_to(RatioSums& s, double r0, double r1, double s1, double s2) noexcept {
  s.r0 += r0;
  s.r1 += r1;
  s.r0r0 += r0 * r0;
  s.r0r1 += r0 * r1;
  s.r1r1 += r1 * r1;
  s.r0s2 += r0 * s2;
  s.r0s1 += r0 * s1;
  s.r1s2 += r1 * s2;
  s.r1s1 += r1 * s1;
}

void SobolAccumulator::merge_into(RatioSums& into, const RatioSums& from) noexcept {
  into.r0 += from.r0;
  into.r1 += from.r1;
  into.r0r0 += from.r0r0;
  into.r0r1 += from.r0r1;
  into.r1r1 += from.r1r1;
  into.r0s2 += from.r0s2;
  into.r0s1 += from.r0s1;
  into.r1s2 += from.r1s2;
  into.r1s1 += from.r1s1;
}

void SobolAccumulator::add(std::span<const double> y_a, std::span<const double> y_b, std::span<const double> y_ab,
                           std::span<const double> y_ba) {
  const std::size_t d = n_factors_;
  const std::size_t n_out = n_outputs_;
  if (y_a.size() != n_out || y_b.size() != n_out || y_ab.size() != d * n_out ||
      y_ba.size() != (second_order_ ? d * n_out : 0)) {
    throw ModelError(message("Sobol' accumulator: sample size mismatch: expected y_a, y_b of ", n_out, ", y_ab of ",
                             d * n_out, " and y_ba of ", second_order_ ? d * n_out : 0, " values, got ", y_a.size(),
                             ", ", y_b.size(), ", ", y_ab.size(), ", ", y_ba.size()));
  }
  const std::size_t n_pairs = pair_count(d);
  for (std::size_t k = 0; k < n_out; ++k) {
    const double c = shift_[k];
    const double a = y_a[k] - c;
    const double b = y_b[k] - c;
    const double s1 = a + b;
    const double s2 = 0.5 * (a * a + b * b);
    PooledSums& p = pooled_[k];
    p.s1 += s1;
    p.s2 += s2;
    p.s1s1 += s1 * s1;
    p.s1s2 += s1 * s2;
    p.s2s2 += s2 * s2;
    for (std::size_t j = 0; j < d; ++j) {
      const double g = y_ab[j * n_out + k] - y_a[k];  // shift-free difference: no rounding from c
      add_to(first_[k * d + j], b * g, -g, s1, s2);
      add_to(total_[k * d + j], 0.5 * g * g, 0.0, s1, s2);
    }
    if (!second_order_) continue;
    for (std::size_t j = 0; j + 1 < d; ++j) {
      const double g_j = y_ab[j * n_out + k] - y_a[k];
      const double ba_j = y_ba[j * n_out + k] - c;
      const double r1 = g_j - (y_ba[j * n_out + k] - y_b[k]);
      RatioSums* row = &second_[k * n_pairs + pair_index(j, j + 1, d)];
      for (std::size_t l = j + 1; l < d; ++l, ++row) {
        const double ab_l = y_ab[l * n_out + k] - c;
        const double g_l = y_ab[l * n_out + k] - y_a[k];
        add_to(*row, ba_j * ab_l - a * b - b * g_j - b * g_l, r1, s1, s2);
      }
    }
  }
  ++count_;
}

void SobolAccumulator::merge(const SobolAccumulator& other) {
  if (other.n_factors_ != n_factors_ || other.n_outputs_ != n_outputs_ || other.second_order_ != second_order_) {
    throw ModelError(message("Sobol' accumulator merge: shape mismatch (", n_factors_, " factors, ", n_outputs_,
                             " outputs, second order ", second_order_, " vs ", other.n_factors_, ", ", other.n_outputs_,
                             ", ", other.second_order_, ")"));
  }
  if (other.shift_ != shift_) {
    throw ModelError("Sobol' accumulator merge: the shifts differ; every block must use the same shift");
  }
  count_ += other.count_;
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    PooledSums& p = pooled_[k];
    const PooledSums& q = other.pooled_[k];
    p.s1 += q.s1;
    p.s2 += q.s2;
    p.s1s1 += q.s1s1;
    p.s1s2 += q.s1s2;
    p.s2s2 += q.s2s2;
  }
  for (std::size_t i = 0; i < first_.size(); ++i) merge_into(first_[i], other.first_[i]);
  for (std::size_t i = 0; i < total_.size(); ++i) merge_into(total_[i], other.total_[i]);
  for (std::size_t i = 0; i < second_.size(); ++i) merge_into(second_[i], other.second_[i]);
}

SobolEstimates SobolAccumulator::finalize(double conf_level) const {
  check_conf_level(conf_level);
  if (count_ < 2) {
    throw ModelError(message("Sobol' finalize: need at least 2 base samples, got ", count_));
  }
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + 0.5 * conf_level);
  const double n = static_cast<double>(count_);
  const std::size_t d = n_factors_;
  const std::size_t n_pairs = pair_count(d);

  SobolEstimates result;
  result.n_factors = d;
  result.n_outputs = n_outputs_;
  result.second_order = second_order_;
  result.n_base = count_;
  result.conf_level = conf_level;
  result.interval = IntervalMethod::delta_method;
  result.outputs.resize(n_outputs_);

  for (std::size_t k = 0; k < n_outputs_; ++k) {
    const PooledSums& p = pooled_[k];
    const double m = p.s1 / (2.0 * n);  // pooled mean of the shifted A and B values
    const double q = p.s2 / n;          // pooled second moment about the shift
    const double v = q - m * m;
    check_finite(v, "the variance");
    const double mean_v2 = p.s2s2 / n - 2.0 * m * p.s1s2 / n + m * m * p.s1s1 / n + 2.0 * m * m * p.s2 / n -
                           2.0 * m * m * m * p.s1 / n + m * m * m * m;

    SobolOutputEstimates& out = result.outputs[k];
    out.mean = shift_[k] + m;
    out.variance = v;
    out.zero_variance = !(v > ZERO_VARIANCE_RELATIVE * std::max(out.mean * out.mean, q));

    // One ratio U/V with U's term r0 + m r1; see the derivation at the top of this file.
    auto estimate = [&](const RatioSums& s) {
      if (out.zero_variance) return zero_estimate();
      const double numerator = s.r0 / n + m * s.r1 / n;
      const double value = numerator / v;
      const double mean_u2 = s.r0r0 / n + 2.0 * m * s.r0r1 / n + m * m * s.r1r1 / n;
      const double mean_uv =
          s.r0s2 / n + m * (s.r1s2 - s.r0s1) / n + m * m * (s.r0 - s.r1s1) / n + m * m * m * s.r1 / n;
      const double var_psi = std::max(0.0, mean_u2 - 2.0 * value * mean_uv + value * value * mean_v2);
      const double se = std::sqrt(var_psi / (n - 1.0)) / v;
      check_finite(value, "an index");
      check_finite(se, "a standard error");
      return make_estimate(value, se, z * se);
    };

    out.first.resize(d);
    out.total.resize(d);
    for (std::size_t j = 0; j < d; ++j) {
      out.first[j] = estimate(first_[k * d + j]);
      out.total[j] = estimate(total_[k * d + j]);
      out.sum_first += out.first[j].value;
    }
    if (second_order_) {
      out.second.resize(n_pairs);
      for (std::size_t i = 0; i < n_pairs; ++i) out.second[i] = estimate(second_[k * n_pairs + i]);
    }
    rank_factors(out);
  }
  return result;
}

SobolEstimates combine_replicates(std::span<const SobolEstimates> replicates, const SobolEstimates& pooled,
                                  double conf_level) {
  check_conf_level(conf_level);
  const std::size_t r = replicates.size();
  if (r < 2) {
    throw ModelError(message("combine_replicates: need at least 2 replicates for a t-interval, got ", r));
  }
  for (std::size_t i = 0; i < r; ++i) {
    const SobolEstimates& x = replicates[i];
    if (x.n_factors != pooled.n_factors || x.n_outputs != pooled.n_outputs || x.second_order != pooled.second_order ||
        x.outputs.size() != pooled.outputs.size()) {
      throw ModelError(
          message("combine_replicates: replicate ", i, " has a different shape from the pooled estimates"));
    }
  }
  // Student-t at R - 1 degrees of freedom: the replicates are i.i.d. but few (typically 10-30),
  // so the normal quantile would understate the width.
  const double t = boost::math::quantile(boost::math::students_t_distribution<double>(static_cast<double>(r - 1)),
                                         0.5 + 0.5 * conf_level);
  const double rd = static_cast<double>(r);

  SobolEstimates result = pooled;
  result.conf_level = conf_level;
  result.interval = IntervalMethod::replicate_t;
  result.n_replicates = r;

  // Sample standard deviation (Welford, two quantities at most ~30 long) of one index over the
  // replicates; `pick` selects the index.
  auto replicate_se = [&](auto pick) {
    double mean = 0.0, m2 = 0.0;
    for (std::size_t i = 0; i < r; ++i) {
      const double x = pick(replicates[i]);
      const double delta = x - mean;
      mean += delta / static_cast<double>(i + 1);
      m2 += delta * (x - mean);
    }
    return std::sqrt(m2 / (rd - 1.0) / rd);
  };

  for (std::size_t k = 0; k < result.outputs.size(); ++k) {
    SobolOutputEstimates& out = result.outputs[k];
    auto redo = [&](std::vector<IndexEstimate>& list, auto member) {
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (out.zero_variance) {
          list[i] = zero_estimate();
          continue;
        }
        const double se = replicate_se([&](const SobolEstimates& e) { return (e.outputs[k].*member)[i].value; });
        list[i] = make_estimate(list[i].value, se, t * se);
      }
    };
    redo(out.first, &SobolOutputEstimates::first);
    redo(out.total, &SobolOutputEstimates::total);
    if (result.second_order) {
      for (std::size_t i = 0; i < r; ++i) {
        if (replicates[i].outputs[k].second.size() != out.second.size()) {
          throw ModelError(message("combine_replicates: replicate ", i, " lacks second-order indices"));
        }
      }
      redo(out.second, &SobolOutputEstimates::second);
    }
    rank_factors(out);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Serialisation (byte_stream.hpp)

namespace {

// RatioSums and PooledSums hold doubles only (static_assert in save), so a vector of them is
// copied to and from a flat array of doubles byte for byte.
template <class Sums>
std::vector<double> flatten(const std::vector<Sums>& sums) {
  static_assert(std::is_trivially_copyable_v<Sums> && sizeof(Sums) % sizeof(double) == 0);
  std::vector<double> flat(sums.size() * (sizeof(Sums) / sizeof(double)));
  if (!flat.empty()) std::memcpy(flat.data(), sums.data(), flat.size() * sizeof(double));
  return flat;
}

// Precondition (checked by the caller): flat.size() == sums.size() * doubles per struct. The cast
// to void* tells GCC the copy is meant: Sums is trivially copyable, only its default constructor isn't trivial.
template <class Sums>
void unflatten(const std::vector<double>& flat, std::vector<Sums>& sums) {
  static_assert(std::is_trivially_copyable_v<Sums>);
  if (!flat.empty()) std::memcpy(static_cast<void*>(sums.data()), flat.data(), flat.size() * sizeof(double));
}

// v.size() == width * rows, tested without computing the product (rows comes from the input).
bool has_rows(const std::vector<double>& v, std::size_t width, std::uint64_t rows) {
  return v.size() % width == 0 && v.size() / width == rows;
}

void save_list(ByteWriter& out, const std::vector<IndexEstimate>& list) {
  out.u64(list.size());
  for (const IndexEstimate& e : list) {
    out.f64(e.value);
    out.f64(e.std_error);
    out.f64(e.low);
    out.f64(e.high);
    out.boolean(e.indistinguishable_from_zero);
  }
}

// No reserve: `size` comes from the input, and a truncated input fails at its first missing read.
std::vector<IndexEstimate> load_list(ByteReader& in, std::uint64_t size) {
  if (in.u64() != size) in.fail("one index estimate per factor (per factor pair for second order)");
  std::vector<IndexEstimate> list;
  for (std::uint64_t i = 0; i < size; ++i) {
    IndexEstimate e;
    e.value = in.f64();
    e.std_error = in.f64();
    e.low = in.f64();
    e.high = in.f64();
    e.indistinguishable_from_zero = in.boolean();
    list.push_back(e);
  }
  return list;
}

void save_indices(ByteWriter& out, const std::vector<std::size_t>& v) {
  out.u64s(std::vector<std::uint64_t>(v.begin(), v.end()));
}

// `size` values, each in [lo, hi].
std::vector<std::size_t> load_indices(ByteReader& in, std::uint64_t size, std::uint64_t lo, std::uint64_t hi,
                                      const char* what) {
  const std::vector<std::uint64_t> raw = in.u64s();
  if (raw.size() != size || !std::all_of(raw.begin(), raw.end(), [&](std::uint64_t x) { return lo <= x && x <= hi; })) {
    in.fail(what);
  }
  return {raw.begin(), raw.end()};
}

void save_output(ByteWriter& out, const SobolOutputEstimates& o) {
  out.f64(o.mean);
  out.f64(o.variance);
  out.boolean(o.zero_variance);
  save_list(out, o.first);
  save_list(out, o.total);
  save_list(out, o.second);
  out.f64(o.sum_first);
  save_indices(out, o.rank_by_total);
  save_indices(out, o.factors_by_total);
  out.u64(o.total_overlaps_next.size());
  for (const bool overlaps : o.total_overlaps_next) out.boolean(overlaps);
}

SobolOutputEstimates load_output(ByteReader& in, std::uint64_t d, bool second_order) {
  SobolOutputEstimates o;
  o.mean = in.f64();
  o.variance = in.f64();
  o.zero_variance = in.boolean();
  o.first = load_list(in, d);
  o.total = load_list(in, d);
  o.second = load_list(in, second_order ? pair_count(d) : 0);
  o.sum_first = in.f64();
  o.rank_by_total = load_indices(in, d, 1, d, "one rank in [1, n_factors] per factor");
  o.factors_by_total = load_indices(in, d, 0, d - 1, "n_factors factor indices below n_factors");
  if (in.u64() != d) in.fail("one overlap flag per factor");
  for (std::uint64_t j = 0; j < d; ++j) o.total_overlaps_next.push_back(in.boolean());
  return o;
}

}  // namespace

void SobolAccumulator::save(ByteWriter& out) const {
  // Raw running sums: they are the whole state; the estimates are recomputed from them.
  static_assert(sizeof(RatioSums) == 9 * sizeof(double) && sizeof(PooledSums) == 5 * sizeof(double),
                "the sums changed: update SobolAccumulator::save and load");
  out.u64(n_factors_);
  out.u64(n_outputs_);
  out.boolean(second_order_);
  out.f64s(shift_);
  out.u64(count_);
  out.f64s(flatten(pooled_));
  out.f64s(flatten(first_));
  out.f64s(flatten(total_));
  out.f64s(flatten(second_));
}

SobolAccumulator SobolAccumulator::load(ByteReader& in) {
  const std::uint64_t d = in.u64();
  const std::uint64_t k = in.u64();
  const bool second_order = in.boolean();
  std::vector<double> shift = in.f64s();
  if (d == 0 || k == 0 || shift.size() != k ||
      !std::all_of(shift.begin(), shift.end(), [](double c) { return std::isfinite(c); })) {
    in.fail("a Sobol' accumulator with at least one factor and one finite shift per output");
  }
  const std::uint64_t count = in.u64();
  const std::vector<double> pooled = in.f64s();
  const std::vector<double> first = in.f64s();
  const std::vector<double> total = in.f64s();
  const std::vector<double> second = in.f64s();
  const std::size_t ratio = 9 * shift.size();
  // pair_count(d) is evaluated only once d is known to be bounded by the size of `first`.
  if (!has_rows(pooled, 5, k) || !has_rows(first, ratio, d) || !has_rows(total, ratio, d) ||
      !has_rows(second, ratio, second_order ? pair_count(d) : 0)) {
    in.fail("Sobol' sums sized to the accumulator's factors, outputs and order");
  }
  SobolAccumulator acc(d, k, second_order, std::move(shift));
  acc.count_ = count;
  unflatten(pooled, acc.pooled_);
  unflatten(first, acc.first_);
  unflatten(total, acc.total_);
  unflatten(second, acc.second_);
  return acc;
}

void save(ByteWriter& out, const SobolEstimates& e) {
  // Every field raw: the estimates are results, compared bit for bit after a resume.
  out.u64(e.n_factors);
  out.u64(e.n_outputs);
  out.boolean(e.second_order);
  out.u64(e.n_base);
  out.f64(e.conf_level);
  out.u64(static_cast<std::uint64_t>(e.interval));
  out.u64(e.n_replicates);
  out.u64(e.outputs.size());
  for (const SobolOutputEstimates& o : e.outputs) save_output(out, o);
}

SobolEstimates load_sobol_estimates(ByteReader& in) {
  SobolEstimates e;
  e.n_factors = in.u64();
  e.n_outputs = in.u64();
  e.second_order = in.boolean();
  e.n_base = in.u64();
  e.conf_level = in.f64();
  const std::uint64_t interval = in.u64();
  if (interval > static_cast<std::uint64_t>(IntervalMethod::replicate_t)) in.fail("an interval method (0 or 1)");
  e.interval = static_cast<IntervalMethod>(interval);
  e.n_replicates = in.u64();
  const std::uint64_t n = in.count_at_most(e.n_outputs, "at most n_outputs sets of output estimates");
  for (std::uint64_t k = 0; k < n; ++k) e.outputs.push_back(load_output(in, e.n_factors, e.second_order));
  return e;
}

}  // namespace symbiomc
