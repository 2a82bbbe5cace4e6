#include "symbiomc/stats/stats.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// 1 / bins when that and i * (1 / bins) are exact for every edge index i, else 0.
double power_of_two_inverse_bins(std::size_t bins) noexcept {
  constexpr std::size_t EXACT_INTEGERS = std::size_t{1} << std::numeric_limits<double>::digits;
  if (bins == 0 || bins >= EXACT_INTEGERS || (bins & (bins - 1)) != 0) return 0.0;
  return 1.0 / static_cast<double>(bins);
}

// A pilot whose span is at most this fraction of its magnitude is treated as constant: widening
// such a span by 50 % would give bins narrower than a few ulps of the values, and edges that are
// no longer strictly increasing.
constexpr double CONSTANT_PILOT_RELATIVE_SPAN = 1e-9;
// Half-width of the range around a constant pilot, as a fraction of |centre|. Any range holding
// the constant is right (quantiles are clipped to the exact [min, max], so a truly constant output
// reads back exactly, with bound 0); 10 % leaves room for an output that varies only after the pilot.
constexpr double CONSTANT_PILOT_RELATIVE_HALF_WIDTH = 0.1;
// Below this |centre| a relative half-width would be subnormal or zero, which cannot hold distinct
// edges; an absolute half-width of 1 (in the output's unit) is used instead.
constexpr double CONSTANT_PILOT_MIN_CENTRE = 1e-200;

void require_level(double level, const char* where) {
  if (!(level > 0.0 && level < 1.0)) {
    throw ModelError(message(where, ": confidence level must lie in (0, 1), got ", level));
  }
}

// Compatibility checks run before any member is changed, so a failed merge of an aggregate leaves
// it untouched.
void require_same_edges(const Histogram& a, const Histogram& b, const char* where) {
  const auto ea = a.bin_edges();
  const auto eb = b.bin_edges();
  if (ea.data() != eb.data() && !std::equal(ea.begin(), ea.end(), eb.begin(), eb.end())) {
    throw ModelError(message(where, ": histogram bin edges differ: [", a.lo(), ", ", a.hi(), "] in ", ea.size() - 1,
                             " bins vs [", b.lo(), ", ", b.hi(), "] in ", eb.size() - 1,
                             " bins; accumulators to be merged must share the edges fixed from the pilot block"));
  }
}

void require_same_thresholds(const ExceedanceCounter& a, const ExceedanceCounter& b, const char* where) {
  const auto ta = a.thresholds();
  const auto tb = b.thresholds();
  if (!std::equal(ta.begin(), ta.end(), tb.begin(), tb.end())) {
    throw ModelError(message(where, ": exceedance thresholds differ (", ta.size(), " vs ", tb.size(),
                             " thresholds); accumulators to be merged must be built with the same thresholds"));
  }
}

double fraction(std::uint64_t part, std::uint64_t whole, const char* where) {
  if (whole == 0) throw ModelError(message(where, ": no values added, the probability is undefined"));
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Moments

// Welford, B. P. (1962), "Note on a method for calculating corrected sums of squares and
// products", Technometrics 4(3):419-420. Updating the mean and the sum of squared deviations
// avoids the cancellation of sum(x^2) - n mean^2 when the mean is large against the spread
// (savings in yuan/yr around 1e7 with a spread of 1e4).
void Moments::add(double x) noexcept {
  assert(std::isfinite(x));
  ++count_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
  if (count_ == 1) {
    min_ = x;
    max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
}

// Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979), "Updating formulae and a pairwise algorithm
// for computing sample variances", Stanford report STAN-CS-79-773 (also The American Statistician
// 37(3):242-247, 1983): M2 = M2_a + M2_b + delta^2 n_a n_b / n. The mean is combined in the
// weighted form (n_a mean_a + n_b mean_b) / n rather than mean_a + delta n_b / n, which is less
// accurate when n_a and n_b are both large and similar - the block-merge case here.
void Moments::merge(const Moments& other) noexcept {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    // Exact copy: the general formula would round mean_b * n_b / n_b.
    *this = other;
    return;
  }
  const double na = static_cast<double>(count_);
  const double nb = static_cast<double>(other.count_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ = (na * mean_ + nb * other.mean_) / n;
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

Moments Moments::of_summary(std::uint64_t count, double mean, double m2, double min, double max) noexcept {
  assert(count >= 1 && m2 >= 0.0 && min <= mean && mean <= max);
  Moments m;
  m.count_ = count;
  m.mean_ = mean;
  m.m2_ = m2;
  m.min_ = min;
  m.max_ = max;
  return m;
}

Moments Moments::of_values(std::span<const double> x) noexcept {
  if (x.empty()) return {};
  // Each pass in LANES interleaved partial sums (value i in lane i mod LANES), combined in a
  // fixed order: a single running sum is a chain of dependent additions the compiler may not
  // vectorise without -ffast-math. The result depends on the values and their order only.
  // The whole groups of LANES values go through two SSE2 vectors of 2 doubles (lanes 0-1 and
  // 2-3), written out: as arrays of lanes the second pass stayed scalar (the compiler did not
  // vectorise its minimum and maximum), and this is a decision's most frequent call (the
  // tornado's deciles). The last size mod LANES values go to their lanes one by one.
  constexpr std::size_t LANES = 4;
  using Pair [[gnu::vector_size(2 * sizeof(double))]] = double;
  const std::size_t size = x.size(), whole = size / LANES * LANES;
  auto load = [&](std::size_t i) {
    Pair v;
    std::memcpy(&v, x.data() + i, sizeof v);
    return v;
  };
  auto spill = [](Pair low, Pair high, double(&lane)[LANES]) {
    std::memcpy(lane, &low, sizeof low);
    std::memcpy(lane + 2, &high, sizeof high);
  };
  auto combine = [](const double(&lane)[LANES]) { return (lane[0] + lane[1]) + (lane[2] + lane[3]); };
  double sums[LANES];
  {
    Pair low{}, high{};
    for (std::size_t i = 0; i < whole; i += LANES) {
      low += load(i);
      high += load(i + 2);
    }
    spill(low, high, sums);
  }
  for (std::size_t i = whole; i < size; ++i) sums[i % LANES] += x[i];
  const auto n = static_cast<double>(size);
  const double mean = combine(sums) / n;
  // The corrected two-pass algorithm (Chan, Golub & LeVeque 1983, cited at merge): the sum of
  // the deviations, zero in exact arithmetic, corrects the rounding of the first pass's mean.
  double squares[LANES], deviations[LANES], lo[LANES], hi[LANES];
  {
    struct Pass {
      Pair deviation{}, square{}, least, greatest;
    };
    const Pair first = {x[0], x[0]};
    Pass low{{}, {}, first, first}, high = low;
    auto add = [mean](Pass& p, Pair v) {
      const Pair e = v - mean;
      p.deviation += e;
      p.square += e * e;
      p.least = v < p.least ? v : p.least;
      p.greatest = v > p.greatest ? v : p.greatest;
    };
    for (std::size_t i = 0; i < whole; i += LANES) {
      add(low, load(i));
      add(high, load(i + 2));
    }
    spill(low.deviation, high.deviation, deviations);
    spill(low.square, high.square, squares);
    spill(low.least, high.least, lo);
    spill(low.greatest, high.greatest, hi);
  }
  for (std::size_t i = whole; i < size; ++i) {
    const std::size_t l = i % LANES;
    const double e = x[i] - mean;
    deviations[l] += e;
    squares[l] += e * e;
    lo[l] = x[i] < lo[l] ? x[i] : lo[l];
    hi[l] = x[i] > hi[l] ? x[i] : hi[l];
  }
  const double deviation = combine(deviations);
  const double m2 = std::max(0.0, combine(squares) - deviation * deviation / n);
  const double min = *std::min_element(lo, lo + LANES), max = *std::max_element(hi, hi + LANES);
  // The rounded mean of equal values can fall outside [min, max] by an ulp.
  return of_summary(size, std::clamp(mean + deviation / n, min, max), m2, min, max);
}

double Moments::mean() const {
  if (count_ == 0) throw ModelError("Moments::mean: no values added, the mean is undefined");
  return mean_;
}

double Moments::variance() const {
  if (count_ < 2) {
    throw ModelError(message("Moments::variance: the sample variance needs at least 2 values, got ", count_));
  }
  return m2_ / static_cast<double>(count_ - 1);
}

double Moments::sd() const { return std::sqrt(variance()); }

double Moments::standard_error() const { return std::sqrt(variance() / static_cast<double>(count_)); }

double Moments::min() const {
  if (count_ == 0) throw ModelError("Moments::min: no values added");
  return min_;
}

double Moments::max() const {
  if (count_ == 0) throw ModelError("Moments::max: no values added");
  return max_;
}

std::pair<double, double> Moments::ci_mean(double level) const {
  require_level(level, "Moments::ci_mean");
  const double se = standard_error();  // throws for count < 2
  const boost::math::students_t t_dist(static_cast<double>(count_ - 1));
  // Upper quantile through the complement: computing 0.5 + level / 2 first would round to 1 for
  // levels within an ulp of 1 and make Boost report an overflow instead of a large t.
  const double t = boost::math::quantile(boost::math::complement(t_dist, 0.5 * (1.0 - level)));
  return {mean_ - t * se, mean_ + t * se};
}

// ---------------------------------------------------------------------------------------------
// Histogram

Histogram::Histogram(double lo, double hi, std::size_t bins) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(hi - lo))) {
    throw ModelError(message("Histogram: range [", lo, ", ", hi, "] must be finite with lo < hi"));
  }
  if (bins == 0) throw ModelError("Histogram: needs at least 1 bin, got 0");
  const double width = hi - lo;
  auto edges = std::make_shared<std::vector<double>>(bins + 1);
  edges->front() = lo;
  for (std::size_t i = 1; i < bins; ++i) {
    (*edges)[i] = lo + width * (static_cast<double>(i) / static_cast<double>(bins));
  }
  // Set, not computed: lo + width * 1 need not round back to hi.
  edges->back() = hi;
  for (std::size_t i = 0; i < bins; ++i) {
    if (!((*edges)[i] < (*edges)[i + 1])) {
      throw ModelError(message("Histogram: range [", lo, ", ", hi, "] is too narrow for ", bins,
                               " bins in double precision (edges ", i, " and ", i + 1, " coincide at ", (*edges)[i],
                               ")"));
    }
  }
  edges_ = std::move(edges);
  counts_.assign(bins, 0);
  bins_per_unit_ = static_cast<double>(bins) / width;
  power_of_two_inverse_bins_ = power_of_two_inverse_bins(bins);
  lo_ = lo;
  hi_ = hi;
  width_ = width;
}

double Histogram::edge(std::size_t i) const noexcept {
  // The constructor's expression, bit for bit: add() recomputes the one or two edges it needs
  // instead of loading them, so a block's 100-odd histograms touch only their counts (the
  // stored edge arrays of a block exceed L2 and cost a cache miss per add; issue 5 profile).
  const std::size_t bins = counts_.size();
  if (i == 0) return lo_;
  if (i >= bins) return hi_;
  // For a power-of-two bin count, i / bins is exact, and so is i * (1 / bins): the same double,
  // without a division (an add computes one or two edges; the division was 10 % of an
  // uncertainty run, issue 14 profile).
  const double fraction = power_of_two_inverse_bins_ != 0.0 ? static_cast<double>(i) * power_of_two_inverse_bins_
                                                            : static_cast<double>(i) / static_cast<double>(bins);
  return lo_ + width_ * fraction;
}

Histogram Histogram::with_range_from_pilot(std::span<const double> pilot, std::size_t bins) {
  if (pilot.empty()) throw ModelError("Histogram::with_range_from_pilot: the pilot holds no values");
  double lo = pilot.front();
  double hi = pilot.front();
  for (std::size_t i = 0; i < pilot.size(); ++i) {
    const double x = pilot[i];
    if (!std::isfinite(x)) {
      throw ModelError(message("Histogram::with_range_from_pilot: pilot value ", i, " is not finite (", x, ")"));
    }
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const double span = hi - lo;
  const double magnitude = std::max(std::abs(lo), std::abs(hi));
  if (span > CONSTANT_PILOT_RELATIVE_SPAN * magnitude) return Histogram(lo - 0.5 * span, hi + 0.5 * span, bins);
  const double centre = lo + 0.5 * span;
  const double half_width =
      std::abs(centre) >= CONSTANT_PILOT_MIN_CENTRE ? CONSTANT_PILOT_RELATIVE_HALF_WIDTH * std::abs(centre) : 1.0;
  return Histogram(centre - half_width, centre + half_width, bins);
}

void Histogram::add(double x) noexcept {
  assert(std::isfinite(x));
  if (count_ == 0) {
    min_ = x;
    max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++count_;
  if (x < lo_) {
    ++underflow_;
    return;
  }
  if (x > hi_) {
    ++overflow_;
    return;
  }
  const std::size_t bins = counts_.size();
  const double guess = (x - lo_) * bins_per_unit_;
  std::size_t i = guess < static_cast<double>(bins) ? static_cast<std::size_t>(guess) : bins - 1;
  // The multiply rounds, so x may sit an ulp outside the guessed bin. Step to the bin whose
  // edges hold it: the quantile error bound relies on every count lying inside its bin.
  while (i > 0 && x < edge(i)) --i;
  while (i + 1 < bins && x >= edge(i + 1)) ++i;
  ++counts_[i];
}

bool operator==(const Histogram& a, const Histogram& b) noexcept {
  const auto ea = a.bin_edges();
  const auto eb = b.bin_edges();
  return std::equal(ea.begin(), ea.end(), eb.begin(), eb.end()) && a.counts_ == b.counts_ &&
         a.bins_per_unit_ == b.bins_per_unit_ && a.count_ == b.count_ && a.underflow_ == b.underflow_ &&
         a.overflow_ == b.overflow_ && a.min_ == b.min_ && a.max_ == b.max_;
}

void Histogram::merge(const Histogram& other) {
  require_same_edges(*this, other, "Histogram::merge");
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
}

double Histogram::min() const {
  if (count_ == 0) throw ModelError("Histogram::min: no values added");
  return min_;
}

double Histogram::max() const {
  if (count_ == 0) throw ModelError("Histogram::max: no values added");
  return max_;
}

// Regions in value order: underflow [min, lo), bins [e_i, e_i+1), overflow (hi, max]. The k-th
// smallest value, k = max(1, ceil(p n)), lies in the first region whose cumulative count reaches
// k; so does the estimate, which interpolates within that region clipped to [min, max]. Hence
// |estimate - x_(k)| <= the clipped width, the bound reported. Within the region the estimate
// assumes the values are spread evenly, the usual grouped-data quantile.
QuantileEstimate Histogram::quantile_estimate(double p) const {
  if (count_ == 0) throw ModelError("Histogram::quantile: no values added");
  if (!(p >= 0.0 && p <= 1.0)) throw ModelError(message("Histogram::quantile: p must lie in [0, 1], got ", p));
  const double rank = p * static_cast<double>(count_);
  const auto k = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(rank)), 1, count_);

  const std::size_t bins = counts_.size();
  std::uint64_t before = 0;
  for (std::size_t region = 0; region < bins + 2; ++region) {
    std::uint64_t in_region = 0;
    double left = 0.0;
    double right = 0.0;
    if (region == 0) {
      in_region = underflow_;
      left = min_;
      right = lo_;
    } else if (region <= bins) {
      in_region = counts_[region - 1];
      left = (*edges_)[region - 1];
      right = (*edges_)[region];
    } else {
      in_region = overflow_;
      left = hi_;
      right = max_;
    }
    if (in_region > 0 && before + in_region >= k) {
      left = std::max(left, min_);
      right = std::min(right, max_);
      const double share = std::clamp((rank - static_cast<double>(before)) / static_cast<double>(in_region), 0.0, 1.0);
      return {left + share * (right - left), right - left};
    }
    before += in_region;
  }
  // Unreachable: the regions' counts sum to count_ >= k.
  return {max_, 0.0};
}

// ---------------------------------------------------------------------------------------------
// Proportions

// Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical inference",
// JASA 22(158):209-212; method 3 of Newcombe (1998), Statistics in Medicine 17:857-872:
// (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials, double level) {
  require_level(level, "wilson_interval");
  if (trials == 0) throw ModelError("wilson_interval: no trials, the proportion is undefined");
  if (successes > trials) {
    throw ModelError(message("wilson_interval: ", successes, " successes exceed ", trials, " trials"));
  }
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z = boost::math::quantile(boost::math::complement(boost::math::normal(), 0.5 * (1.0 - level)));
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denominator;
  const double half_width = z / denominator * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; the formula would leave a rounding residue.
  const double lower = successes == 0 ? 0.0 : std::max(0.0, centre - half_width);
  const double upper = successes == trials ? 1.0 : std::min(1.0, centre + half_width);
  return {lower, upper};
}

// ---------------------------------------------------------------------------------------------
// ExceedanceCounter

ExceedanceCounter::ExceedanceCounter(std::vector<double> thresholds)
    : thresholds_(std::move(thresholds)), above_(thresholds_.size(), 0) {
  for (std::size_t i = 0; i < thresholds_.size(); ++i) {
    if (!std::isfinite(thresholds_[i])) {
      throw ModelError(message("ExceedanceCounter: threshold ", i, " is not finite (", thresholds_[i], ")"));
    }
  }
}

void ExceedanceCounter::add(double x) noexcept {
  ++count_;
  if (x > 0.0) ++positive_;
  for (std::size_t i = 0; i < thresholds_.size(); ++i) {
    if (x > thresholds_[i]) ++above_[i];
  }
}

void ExceedanceCounter::merge(const ExceedanceCounter& other) {
  require_same_thresholds(*this, other, "ExceedanceCounter::merge");
  count_ += other.count_;
  positive_ += other.positive_;
  for (std::size_t i = 0; i < above_.size(); ++i) above_[i] += other.above_[i];
}

std::uint64_t ExceedanceCounter::count_above(std::size_t i) const {
  if (i >= thresholds_.size()) {
    throw ModelError(
        message("ExceedanceCounter: threshold index ", i, " out of range (", thresholds_.size(), " thresholds)"));
  }
  return above_[i];
}

double ExceedanceCounter::prob_positive() const {
  return fraction(positive_, count_, "ExceedanceCounter::prob_positive");
}

std::pair<double, double> ExceedanceCounter::prob_positive_ci(double level) const {
  return wilson_interval(positive_, count_, level);
}

double ExceedanceCounter::prob_above(std::size_t i) const {
  return fraction(count_above(i), count_, "ExceedanceCounter::prob_above");
}

std::pair<double, double> ExceedanceCounter::prob_above_ci(std::size_t i, double level) const {
  return wilson_interval(count_above(i), count_, level);
}

// ---------------------------------------------------------------------------------------------
// OutputStats

OutputStats::OutputStats(Histogram histogram, std::vector<double> thresholds)
    : histogram_(std::move(histogram)), exceedance_(std::move(thresholds)) {
  if (histogram_.count() != 0) {
    throw ModelError(message("OutputStats: the histogram supplies the edges only and must be empty, it holds ",
                             histogram_.count(), " values"));
  }
}

void OutputStats::add(double x) noexcept {
  moments_.add(x);
  histogram_.add(x);
  exceedance_.add(x);
}

void OutputStats::merge(const OutputStats& other) {
  require_same_edges(histogram_, other.histogram_, "OutputStats::merge");
  require_same_thresholds(exceedance_, other.exceedance_, "OutputStats::merge");
  moments_.merge(other.moments_);
  histogram_.merge(other.histogram_);
  exceedance_.merge(other.exceedance_);
}

// ---------------------------------------------------------------------------------------------
// PairComparison

PairComparison::PairComparison(Histogram difference_histogram)
    : difference_histogram_(std::move(difference_histogram)) {
  if (difference_histogram_.count() != 0) {
    throw ModelError(
        message("PairComparison: the difference histogram supplies the edges only and must be empty, "
                "it holds ",
                difference_histogram_.count(), " values"));
  }
}

void PairComparison::add(double a, double b) noexcept {
  const double d = a - b;
  difference_.add(d);
  difference_histogram_.add(d);
  if (a > b) {
    ++a_greater_;
  } else if (a == b) {
    ++equal_;
  }
}

void PairComparison::merge(const PairComparison& other) {
  difference_histogram_.merge(other.difference_histogram_);  // checks the edges before changing anything
  difference_.merge(other.difference_);
  a_greater_ += other.a_greater_;
  equal_ += other.equal_;
}

double PairComparison::prob_a_greater() const {
  return fraction(a_greater_, count(), "PairComparison::prob_a_greater");
}

std::pair<double, double> PairComparison::prob_a_greater_ci(double level) const {
  return wilson_interval(a_greater_, count(), level);
}

// ---------------------------------------------------------------------------------------------
// Serialisation (byte_stream.hpp). Each save writes the private fields raw, derived ones too, and
// each load checks the invariants that the methods rely on before it returns an object.

namespace {

// Adds `parts` to `sum`; false when the total wraps around 2^64.
bool add_without_wrap(std::span<const std::uint64_t> parts, std::uint64_t& sum) {
  for (const std::uint64_t x : parts) {
    sum += x;
    if (sum < x) return false;
  }
  return true;
}

}  // namespace

void Moments::save(ByteWriter& out) const {
  // Raw fields, not mean() / variance(): recomputing m2_ from a variance would round.
  out.u64(count_);
  out.f64(mean_);
  out.f64(m2_);
  out.f64(min_);
  out.f64(max_);
}

Moments Moments::load(ByteReader& in) {
  Moments m;
  m.count_ = in.u64();
  m.mean_ = in.f64();
  m.m2_ = in.f64();
  m.min_ = in.f64();
  m.max_ = in.f64();
  const bool valid = m.count_ == 0 ? m.mean_ == 0.0 && m.m2_ == 0.0 && m.min_ == 0.0 && m.max_ == 0.0
                                   : std::isfinite(m.min_) && std::isfinite(m.max_) && m.min_ <= m.max_ && m.m2_ >= 0.0;
  if (!valid) in.fail("moments with finite min <= max and a non-negative sum of squares (all zero when empty)");
  return m;
}

void Histogram::save(ByteWriter& out) const {
  // Raw fields, bins_per_unit_ too: a recomputed one could differ in the last bit and bin values differently.
  out.f64s(*edges_);
  out.u64s(counts_);
  out.f64(bins_per_unit_);
  out.u64(count_);
  out.u64(underflow_);
  out.u64(overflow_);
  out.f64(min_);
  out.f64(max_);
}

Histogram Histogram::load(ByteReader& in) {
  Histogram h;
  auto edges = std::make_shared<const std::vector<double>>(in.f64s());
  h.edges_ = edges;
  const auto& e = *edges;
  const bool edges_ok = e.size() >= 2 && std::isfinite(e.front()) && std::isfinite(e.back()) &&
                        std::isfinite(e.back() - e.front()) &&
                        std::adjacent_find(e.begin(), e.end(), [](double a, double b) { return !(a < b); }) == e.end();
  if (!edges_ok) in.fail("at least 2 finite, strictly increasing histogram edges");
  h.counts_ = in.u64s();
  if (h.counts_.size() != e.size() - 1) in.fail("one histogram count per bin");
  h.bins_per_unit_ = in.f64();
  if (!(h.bins_per_unit_ > 0.0 && std::isfinite(h.bins_per_unit_))) in.fail("a positive, finite histogram bin scale");
  h.lo_ = e.front();
  h.hi_ = e.back();
  h.width_ = h.hi_ - h.lo_;
  h.power_of_two_inverse_bins_ = power_of_two_inverse_bins(h.counts_.size());
  for (std::size_t i = 0; i < e.size(); ++i)
    if (h.edge(i) != e[i]) in.fail("histogram edges equally spaced as the constructor makes them");
  h.count_ = in.u64();
  h.underflow_ = in.u64();
  h.overflow_ = in.u64();
  std::uint64_t sum = 0;
  const std::uint64_t tails[] = {h.underflow_, h.overflow_};
  if (!add_without_wrap(h.counts_, sum) || !add_without_wrap(tails, sum) || sum != h.count_) {
    in.fail("a histogram count equal to the sum of its bins, underflow and overflow");
  }
  h.min_ = in.f64();
  h.max_ = in.f64();
  const bool range_ok = h.count_ == 0
                            ? h.min_ == 0.0 && h.max_ == 0.0
                            : std::isfinite(h.min_) && std::isfinite(h.max_) && h.min_ <= h.max_ &&
                                  (h.underflow_ > 0) == (h.min_ < h.lo()) && (h.overflow_ > 0) == (h.max_ > h.hi());
  if (!range_ok) in.fail("a histogram min and max consistent with its underflow and overflow counts");
  return h;
}

void ExceedanceCounter::save(ByteWriter& out) const {
  // Raw fields: the counts are the state, the probabilities are derived from them.
  out.f64s(thresholds_);
  out.u64s(above_);
  out.u64(count_);
  out.u64(positive_);
}

ExceedanceCounter ExceedanceCounter::load(ByteReader& in) {
  ExceedanceCounter c;
  c.thresholds_ = in.f64s();
  if (!std::all_of(c.thresholds_.begin(), c.thresholds_.end(), [](double t) { return std::isfinite(t); })) {
    in.fail("finite exceedance thresholds");
  }
  c.above_ = in.u64s();
  if (c.above_.size() != c.thresholds_.size()) in.fail("one exceedance count per threshold");
  c.count_ = in.u64();
  c.positive_ = in.u64();
  const auto within = [&](std::uint64_t n) { return n <= c.count_; };
  if (!within(c.positive_) || !std::all_of(c.above_.begin(), c.above_.end(), within)) {
    in.fail("exceedance counts no larger than the number of values");
  }
  return c;
}

OutputStats::OutputStats(Moments moments, Histogram histogram, ExceedanceCounter exceedance)
    : moments_(moments), histogram_(std::move(histogram)), exceedance_(std::move(exceedance)) {}

void OutputStats::save(ByteWriter& out) const {
  // The parts' raw fields, in declaration order.
  moments_.save(out);
  histogram_.save(out);
  exceedance_.save(out);
}

OutputStats OutputStats::load(ByteReader& in) {
  // Separate statements: the reads must happen in this order.
  Moments moments = Moments::load(in);
  Histogram histogram = Histogram::load(in);
  ExceedanceCounter exceedance = ExceedanceCounter::load(in);
  if (moments.count() != histogram.count() || histogram.count() != exceedance.count()) {
    in.fail("the same number of values in an output's moments, histogram and exceedance counts");
  }
  return OutputStats(moments, std::move(histogram), std::move(exceedance));
}

PairComparison::PairComparison(Moments difference, Histogram difference_histogram, std::uint64_t a_greater,
                               std::uint64_t equal)
    : difference_(difference),
      difference_histogram_(std::move(difference_histogram)),
      a_greater_(a_greater),
      equal_(equal) {}

void PairComparison::save(ByteWriter& out) const {
  // The parts' raw fields, in declaration order.
  difference_.save(out);
  difference_histogram_.save(out);
  out.u64(a_greater_);
  out.u64(equal_);
}

PairComparison PairComparison::load(ByteReader& in) {
  Moments difference = Moments::load(in);
  Histogram histogram = Histogram::load(in);
  const std::uint64_t a_greater = in.u64();
  const std::uint64_t equal = in.u64();
  const std::uint64_t n = histogram.count();
  if (difference.count() != n || a_greater > n || equal > n - a_greater) {
    in.fail("a paired comparison whose counts agree (a > b plus a == b at most the number of pairs)");
  }
  return PairComparison(difference, std::move(histogram), a_greater, equal);
}

}  // namespace symbiomc
