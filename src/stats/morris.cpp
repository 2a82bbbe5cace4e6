#include "symbiomc/stats/morris.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include <boost/random/uniform_int_distribution.hpp>

#include "symbiomc/base/error.hpp"

// Morris 1991 ("Factorial sampling plans for preliminary computational experiments",
// Technometrics 33(2)) in the trajectory form of Campolongo, Cariboni & Saltelli 2007 ("An
// effective screening design for sensitivity analysis of large models", Environ. Model. Softw.
// 22), which also introduces mu* = mean |EE|. Their matrix B* = (J x* + (Delta/2)[(2B - J) D* + J]) P*
// means: pick x* on the grid with x* + Delta still on it, start each factor at x* (direction +1)
// or x* + Delta (direction -1), then move the factors one at a time, in a random order, to the
// other end. That is what trajectory() does, in level indices: base level in {0, ..., p/2 - 1},
// jump p/2 levels (Delta = p/(2(p-1)) on the grid k/(p-1)).

namespace symbiomc {

namespace {
// End levels of the clamped grid: far enough inside (0, 1) that a double inverse CDF is finite,
// near enough that the step stays Morris's Delta to 1e-12.
constexpr double CLAMP_EPSILON = 1e-12;
}  // namespace

MorrisDesign::MorrisDesign(std::size_t n_factors, std::size_t levels, MorrisLevelMap level_map)
    : n_factors_(n_factors), levels_(levels), level_map_(level_map) {
  if (levels_ < 2 || levels_ % 2 != 0) {
    throw InputError(message("Morris levels: expected an even number >= 2, got ", levels_));
  }
  if (n_factors_ == 0) throw ModelError("Morris design: need at least one factor");
}

double MorrisDesign::grid_delta() const noexcept {
  const double p = static_cast<double>(levels_);
  return p / (2.0 * (p - 1.0));
}

double MorrisDesign::level_value(std::size_t k) const noexcept {
  const double p = static_cast<double>(levels_);
  const double kd = static_cast<double>(k);
  if (level_map_ == MorrisLevelMap::cell_centres) return (kd + 0.5) / p;
  return std::clamp(kd / (p - 1.0), CLAMP_EPSILON, 1.0 - CLAMP_EPSILON);
}

void MorrisDesign::trajectory(boost::random::mt19937_64& engine, std::span<double> points,
                              std::span<std::size_t> changed_factor, std::span<double> signed_step) const {
  const std::size_t d = n_factors_;
  if (points.size() != (d + 1) * d || changed_factor.size() != d || signed_step.size() != d) {
    throw ModelError(message("Morris trajectory: expected spans of ", (d + 1) * d, ", ", d, " and ", d, " values, got ",
                             points.size(), ", ", changed_factor.size(), ", ", signed_step.size()));
  }
  const std::size_t jump = levels_ / 2;
  // Row 0 gets every factor's start level and row D its end level (after all D moves every
  // factor has moved once); rows in between are then copies with one more factor moved.
  // changed_factor doubles as the permutation buffer, so the design allocates nothing.
  boost::random::uniform_int_distribution<std::size_t> base_level(0, jump - 1);
  boost::random::uniform_int_distribution<int> coin(0, 1);
  for (std::size_t i = 0; i < d; ++i) {
    const std::size_t base = base_level(engine);
    const bool upward = coin(engine) == 1;
    points[i] = level_value(upward ? base : base + jump);
    points[d * d + i] = level_value(upward ? base + jump : base);
  }
  // Fisher-Yates with Boost's uniform_int_distribution, hand-written because std::shuffle's
  // algorithm is implementation-defined and would break cross-platform reproducibility.
  std::iota(changed_factor.begin(), changed_factor.end(), std::size_t{0});
  for (std::size_t i = d; i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(changed_factor[i - 1], changed_factor[pick(engine)]);
  }
  for (std::size_t m = 0; m < d; ++m) {
    const std::size_t f = changed_factor[m];
    if (m + 1 < d) {
      std::copy_n(points.begin() + static_cast<std::ptrdiff_t>(m * d), d,
                  points.begin() + static_cast<std::ptrdiff_t>((m + 1) * d));
      points[(m + 1) * d + f] = points[d * d + f];
    }
    signed_step[m] = points[d * d + f] - points[f];
  }
}

MorrisAccumulator::MorrisAccumulator(std::size_t n_factors, std::size_t n_outputs)
    : n_factors_(n_factors), n_outputs_(n_outputs), moments_(n_factors * n_outputs) {
  if (n_factors_ == 0 || n_outputs_ == 0) {
    throw ModelError(message("Morris accumulator: need at least one factor and one output, got ", n_factors_,
                             " factors and ", n_outputs_, " outputs"));
  }
}

// Welford 1962 update of the running mean and sum of squared deviations, for EE and |EE|.
void MorrisAccumulator::add_to(Moments& m, double ee) noexcept {
  ++m.n;
  const double n = static_cast<double>(m.n);
  const double delta = ee - m.mean;
  m.mean += delta / n;
  m.m2 += delta * (ee - m.mean);
  const double abs_ee = std::abs(ee);
  const double abs_delta = abs_ee - m.abs_mean;
  m.abs_mean += abs_delta / n;
  m.abs_m2 += abs_delta * (abs_ee - m.abs_mean);
}

void MorrisAccumulator::add(std::span<const double> y, std::span<const std::size_t> changed_factor,
                            std::span<const double> signed_step) {
  const std::size_t d = n_factors_;
  const std::size_t n_out = n_outputs_;
  if (y.size() != (d + 1) * n_out || changed_factor.size() != d || signed_step.size() != d) {
    throw ModelError(message("Morris accumulator: expected ", (d + 1) * n_out, " outputs, ", d, " changed factors and ",
                             d, " steps, got ", y.size(), ", ", changed_factor.size(), ", ", signed_step.size()));
  }
  for (std::size_t m = 0; m < d; ++m) {
    if (changed_factor[m] >= d || signed_step[m] == 0.0) {
      throw ModelError(message("Morris accumulator: step ", m, " has factor ", changed_factor[m], " (of ", d,
                               ") and step ", signed_step[m]));
    }
  }
  for (std::size_t m = 0; m < d; ++m) {
    const std::size_t j = changed_factor[m];
    for (std::size_t k = 0; k < n_out; ++k) {
      add_to(moments_[k * d + j], (y[(m + 1) * n_out + k] - y[m * n_out + k]) / signed_step[m]);
    }
  }
}

void MorrisAccumulator::add_effect(std::size_t factor, std::size_t output, double elementary_effect) {
  if (factor >= n_factors_ || output >= n_outputs_) {
    throw ModelError(message("Morris accumulator: factor ", factor, " / output ", output, " out of range (", n_factors_,
                             " factors, ", n_outputs_, " outputs)"));
  }
  add_to(moments_[output * n_factors_ + factor], elementary_effect);
}

// Chan, Golub & LeVeque 1979 pairwise combination: exact for the mean and the sum of squared
// deviations, so merged blocks equal one pass up to rounding.
void MorrisAccumulator::merge(const MorrisAccumulator& other) {
  if (other.n_factors_ != n_factors_ || other.n_outputs_ != n_outputs_) {
    throw ModelError(message("Morris accumulator merge: shape mismatch (", n_factors_, " x ", n_outputs_, " vs ",
                             other.n_factors_, " x ", other.n_outputs_, ")"));
  }
  for (std::size_t i = 0; i < moments_.size(); ++i) {
    Moments& a = moments_[i];
    const Moments& b = other.moments_[i];
    if (b.n == 0) continue;
    if (a.n == 0) {
      a = b;
      continue;
    }
    const double na = static_cast<double>(a.n);
    const double nb = static_cast<double>(b.n);
    const double n = na + nb;
    const double delta = b.mean - a.mean;
    const double abs_delta = b.abs_mean - a.abs_mean;
    a.mean += delta * nb / n;
    a.m2 += b.m2 + delta * delta * na * nb / n;
    a.abs_mean += abs_delta * nb / n;
    a.abs_m2 += b.abs_m2 + abs_delta * abs_delta * na * nb / n;
    a.n += b.n;
  }
}

MorrisEstimates MorrisAccumulator::finalize() const {
  MorrisEstimates out;
  out.n_factors = n_factors_;
  out.n_outputs = n_outputs_;
  out.effects.resize(moments_.size());
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    for (std::size_t j = 0; j < n_factors_; ++j) {
      const Moments& m = moments_[k * n_factors_ + j];
      if (m.n < 2) {
        throw ModelError(message("Morris finalize: factor ", j, ", output ", k, " has ", m.n,
                                 " elementary effects; need at least 2 for sigma"));
      }
      const double n = static_cast<double>(m.n);
      MorrisEffect& e = out.effects[k * n_factors_ + j];
      e.count = m.n;
      e.mu = m.mean;
      e.mu_star = m.abs_mean;
      e.sigma = std::sqrt(std::max(0.0, m.m2 / (n - 1.0)));
      e.mu_star_std_error = std::sqrt(std::max(0.0, m.abs_m2 / (n - 1.0)) / n);
    }
  }
  out.rank_by_mu_star.resize(n_outputs_);
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    std::vector<std::size_t> order(n_factors_);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return out.effects[k * n_factors_ + a].mu_star > out.effects[k * n_factors_ + b].mu_star;
    });
    out.rank_by_mu_star[k].assign(n_factors_, 0);
    for (std::size_t p = 0; p < n_factors_; ++p) out.rank_by_mu_star[k][order[p]] = p + 1;
  }
  return out;
}

void MorrisAccumulator::save(ByteWriter& out) const {
  // Raw Welford moments: mean and m2 cannot be recovered exactly from the finalized mu and sigma.
  std::vector<std::uint64_t> counts;
  std::vector<double> sums;
  counts.reserve(moments_.size());
  sums.reserve(4 * moments_.size());
  for (const Moments& m : moments_) {
    counts.push_back(m.n);
    sums.insert(sums.end(), {m.mean, m.m2, m.abs_mean, m.abs_m2});
  }
  out.u64(n_factors_);
  out.u64(n_outputs_);
  out.u64s(counts);
  out.f64s(sums);
}

MorrisAccumulator MorrisAccumulator::load(ByteReader& in) {
  const std::uint64_t d = in.u64();
  const std::uint64_t k = in.u64();
  const std::vector<std::uint64_t> counts = in.u64s();
  const std::vector<double> sums = in.f64s();
  // counts.size() == d * k, tested without the product (d and k come from the input).
  if (d == 0 || k == 0 || counts.size() % d != 0 || counts.size() / d != k || sums.size() != 4 * counts.size()) {
    in.fail("a Morris accumulator with at least one factor and output and n_factors x n_outputs moments");
  }
  MorrisAccumulator acc(d, k);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    Moments& m = acc.moments_[i];
    m = {counts[i], sums[4 * i], sums[4 * i + 1], sums[4 * i + 2], sums[4 * i + 3]};
    if (m.n == 0 && !(m == Moments{})) in.fail("all-zero moments for a (factor, output) without effects");
  }
  return acc;
}

}  // namespace symbiomc
