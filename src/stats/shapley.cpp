#include "symbiomc/stats/shapley.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "symbiomc/base/error.hpp"
#include "symbiomc/problem/standard_normal.hpp"
#include "symbiomc/stats/stats.hpp"

namespace symbiomc {

namespace {

constexpr std::size_t NO_SLOT = std::numeric_limits<std::size_t>::max();

void check_allocation(std::size_t n_inputs, std::size_t outer, std::size_t inner) {
  if (n_inputs == 0) throw ModelError("Shapley effects need at least one uncertain parameter");
  if (outer < 1) throw ModelError("Shapley effects: the outer sample size N_o must be at least 1");
  if (inner < 2) throw ModelError("Shapley effects: the inner sample size N_i must be at least 2 (a sample variance)");
}

}  // namespace

// ---- the design

ShapleyDesign::ShapleyDesign(const Problem& problem, std::size_t outer, std::size_t inner)
    : problem_(problem), d_(problem.dimension()), outer_(outer), inner_(inner) {
  check_allocation(d_, outer, inner);
  slot_of_.assign(d_, NO_SLOT);
  if (problem.correlation()) {
    const auto& members = problem.correlation()->members();
    for (std::size_t s = 0; s < members.size(); ++s) slot_of_[members[s]] = s;
  }
}

ShapleyDesign::Scratch ShapleyDesign::make_scratch() const {
  const std::size_t k = problem_.correlation() ? problem_.correlation()->members().size() : 0;
  Scratch s;
  s.v.assign(d_, 0.0);
  s.base.assign(d_, 0.0);
  s.z.assign(k, 0.0);
  s.e.assign(k, 0.0);
  s.free_slots.reserve(k);
  s.in_j.assign(d_, false);
  return s;
}

void ShapleyDesign::permutation(Engine& engine, std::span<std::size_t> order, std::span<double> x, Scratch& s) const {
  if (order.size() != d_ || x.size() != rows_per_permutation() * d_)
    throw ModelError("ShapleyDesign::permutation: spans of the wrong size");
  // Fisher-Yates with Boost's integer distribution: the same order on every standard library.
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = d_; i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i - 1], order[pick(engine)]);
  }
  const RankCorrelation* copula = problem_.correlation() ? &*problem_.correlation() : nullptr;
  std::fill(s.in_j.begin(), s.in_j.end(), false);
  s.free_slots.clear();
  if (copula) s.conditional = copula->conditional(s.free_slots);
  for (std::size_t j = 0; j + 1 < d_; ++j) {
    const std::size_t added = order[j];
    s.in_j[added] = true;
    if (slot_of_[added] != NO_SLOT) {
      // J gained a correlated parameter: the law of Z_(J, members) given the rest changes.
      s.free_slots.insert(std::upper_bound(s.free_slots.begin(), s.free_slots.end(), slot_of_[added]), slot_of_[added]);
      s.conditional = copula->conditional(s.free_slots);
    }
    for (std::size_t l = 0; l < outer_; ++l) {
      draw_outer(engine, s);
      for (std::size_t h = 0; h < inner_; ++h) {
        const std::size_t row = (j * outer_ + l) * inner_ + h;
        draw_inner(engine, s, x.subspan(row * d_, d_));
      }
    }
  }
}

void ShapleyDesign::draw_outer(Engine& engine, Scratch& s) const {
  const auto& params = problem_.parameters();
  if (problem_.correlation() && !s.conditional.given.empty()) {
    // All members' normal scores from the joint law, Z = L e; the given ones are X_-J's.
    const RankCorrelation& copula = *problem_.correlation();
    const std::size_t k = s.z.size();
    const std::vector<double>& lower = copula.cholesky();
    for (std::size_t c = 0; c < k; ++c) s.e[c] = standard_normal_quantile(next_open_unit(engine));
    for (std::size_t r = 0; r < k; ++r) {
      double sum = 0.0;
      for (std::size_t c = 0; c <= r; ++c) sum += lower[r * k + c] * s.e[c];
      s.z[r] = sum;
    }
    for (const std::size_t b : s.conditional.given) {
      const std::size_t i = copula.members()[b];
      s.base[i] = quantile(params[i].dist, standard_normal_cdf_in_open_unit_interval(s.z[b]));
    }
  }
  for (std::size_t i = 0; i < d_; ++i)
    if (!s.in_j[i] && slot_of_[i] == NO_SLOT) s.base[i] = quantile(params[i].dist, next_open_unit(engine));
}

void ShapleyDesign::draw_inner(Engine& engine, Scratch& s, std::span<double> row) const {
  const auto& params = problem_.parameters();
  std::copy(s.base.begin(), s.base.end(), row.begin());
  const ConditionalNormalScores& cond = s.conditional;
  if (!cond.free.empty()) {
    const RankCorrelation& copula = *problem_.correlation();
    for (std::size_t a = 0; a < cond.free.size(); ++a) s.e[a] = standard_normal_quantile(next_open_unit(engine));
    cond.sample(s.z, s.e);
    for (const std::size_t slot : cond.free) {
      const std::size_t i = copula.members()[slot];
      row[i] = quantile(params[i].dist, standard_normal_cdf_in_open_unit_interval(s.z[slot]));
    }
  }
  for (std::size_t i = 0; i < d_; ++i)
    if (s.in_j[i] && slot_of_[i] == NO_SLOT) row[i] = quantile(params[i].dist, next_open_unit(engine));
}

// ---- the accumulator

void ShapleyAccumulator::CentralMoments::merge(const CentralMoments& b) noexcept {
  // Pebay 2008 ("Formulas for robust, one-pass parallel computation of covariances and
  // arbitrary-order statistical moments", Sandia SAND2008-6212), eqs. 2.1-2.3 for p = 2..4.
  if (b.n == 0) return;
  if (n == 0) {
    *this = b;
    return;
  }
  const double na = static_cast<double>(n), nb = static_cast<double>(b.n), nn = na + nb;
  const double delta = b.mean - mean, d2 = delta * delta;
  const double new_m4 = m4 + b.m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (nn * nn * nn) +
                        6.0 * d2 * (na * na * b.m2 + nb * nb * m2) / (nn * nn) +
                        4.0 * delta * (na * b.m3 - nb * m3) / nn;
  const double new_m3 =
      m3 + b.m3 + d2 * delta * na * nb * (na - nb) / (nn * nn) + 3.0 * delta * (na * b.m2 - nb * m2) / nn;
  m2 = m2 + b.m2 + d2 * na * nb / nn;
  m3 = new_m3;
  m4 = new_m4;
  mean += delta * nb / nn;
  n += b.n;
}

ShapleyAccumulator::ShapleyAccumulator(std::size_t n_inputs, std::size_t n_outputs, std::size_t outer,
                                       std::size_t inner)
    : d_(n_inputs), k_(n_outputs), outer_(outer), inner_(inner) {
  check_allocation(n_inputs, outer, inner);
  sum_.assign(d_ * k_, 0.0);
  sum_sq_.assign(d_ * k_, 0.0);
  sum_last_.assign(d_ * k_, 0.0);
  last_.assign(d_, 0);
  variance_.assign(k_, CentralMoments{});
}

void ShapleyAccumulator::add_permutation(std::span<const std::size_t> order, std::span<const double> y) {
  const std::size_t d = d_, k = k_, inner = inner_;
  if (order.size() != d || y.size() != (d - 1) * outer_ * inner * k)
    throw ModelError("ShapleyAccumulator::add_permutation: spans of the wrong size");
  const double inv_inner = 1.0 / static_cast<double>(inner);
  const double inv_dof = 1.0 / static_cast<double>(inner - 1);
  const double inv_outer = 1.0 / static_cast<double>(outer_);
  for (std::size_t o = 0; o < k; ++o) {
    double previous = 0.0;  // c^(P_0) = c(empty set) = 0
    auto credit = [&](std::size_t i, double increment) {
      sum_[o * d + i] += increment;
      sum_sq_[o * d + i] += increment * increment;
    };
    for (std::size_t j = 0; j + 1 < d; ++j) {
      double cost = 0.0;  // c^(P_j): mean over outer draws of the inner sample variance
      for (std::size_t l = 0; l < outer_; ++l) {
        const double* first = y.data() + (j * outer_ + l) * inner * k + o;
        double mean = 0.0;
        for (std::size_t h = 0; h < inner; ++h) mean += first[h * k];
        mean *= inv_inner;
        double squares = 0.0;
        for (std::size_t h = 0; h < inner; ++h) squares += (first[h * k] - mean) * (first[h * k] - mean);
        cost += squares * inv_dof;
      }
      cost *= inv_outer;
      credit(order[j], cost - previous);
      previous = cost;
    }
    // The last input's increment is V^ - c^(P_{d-1}); V^ is known only at the end, so only the
    // known part -c^(P_{d-1}) is summed here and last_ counts the V^ terms.
    credit(order[d - 1], -previous);
    sum_last_[o * d + order[d - 1]] += -previous;
  }
  ++last_[order[d - 1]];
  ++permutations_;
}

void ShapleyAccumulator::add_variance_run(std::span<const double> y) {
  if (y.size() != k_) throw ModelError("ShapleyAccumulator::add_variance_run: one value per output expected");
  for (std::size_t o = 0; o < k_; ++o) variance_[o].merge(CentralMoments{1, y[o], 0.0, 0.0, 0.0});
}

void ShapleyAccumulator::merge(const ShapleyAccumulator& later) {
  if (later.d_ != d_ || later.k_ != k_ || later.outer_ != outer_ || later.inner_ != inner_)
    throw ModelError("ShapleyAccumulator::merge: accumulators of different shapes");
  for (std::size_t i = 0; i < sum_.size(); ++i) {
    sum_[i] += later.sum_[i];
    sum_sq_[i] += later.sum_sq_[i];
    sum_last_[i] += later.sum_last_[i];
  }
  for (std::size_t i = 0; i < d_; ++i) last_[i] += later.last_[i];
  for (std::size_t o = 0; o < k_; ++o) variance_[o].merge(later.variance_[o]);
  permutations_ += later.permutations_;
}

ShapleyOutputEstimates ShapleyAccumulator::output_estimates(std::size_t o, double z) const {
  const std::size_t d = d_;
  const CentralMoments& vm = variance_[o];
  const double n = static_cast<double>(vm.n);
  const double m = static_cast<double>(permutations_);
  ShapleyOutputEstimates out;
  out.mean = vm.mean;
  const double v = vm.m2 / (n - 1.0);
  out.variance = v;
  const double var_v = std::max(0.0, (vm.m4 / n - v * v * (n - 3.0) / (n - 1.0)) / n);
  out.variance_std_error = std::sqrt(var_v);
  out.effects.assign(d, IndexEstimate{});
  out.zero_variance = !(v > ZERO_VARIANCE_RELATIVE * vm.mean * vm.mean);
  if (!out.zero_variance) {
    for (std::size_t i = 0; i < d; ++i) {
      const double mean_d = sum_[o * d + i] / m;
      const double last = static_cast<double>(last_[i]);
      const double value = mean_d / v + last / m;
      // sum over permutations of Q^2, Q = D / V^ + L (L^2 = L)
      const double sum_q2 = sum_sq_[o * d + i] / (v * v) + 2.0 * sum_last_[o * d + i] / v + last;
      const double var_q = std::max(0.0, (sum_q2 - m * value * value) / (m - 1.0));
      const double se = std::sqrt(var_q / m + mean_d * mean_d * var_v / (v * v * v * v));
      IndexEstimate& e = out.effects[i];
      e.value = value;
      e.std_error = se;
      e.low = value - z * se;
      e.high = value + z * se;
      e.indistinguishable_from_zero = e.low <= 0.0 && 0.0 <= e.high;
      out.sum_effects += value;
    }
  }
  out.by_effect.resize(d);
  std::iota(out.by_effect.begin(), out.by_effect.end(), std::size_t{0});
  std::stable_sort(out.by_effect.begin(), out.by_effect.end(),
                   [&](std::size_t a, std::size_t b) { return out.effects[a].value > out.effects[b].value; });
  out.rank.assign(d, 0);
  out.overlaps_next.assign(d, false);
  for (std::size_t r = 0; r < d; ++r) {
    const std::size_t i = out.by_effect[r];
    out.rank[i] = r + 1;
    if (r + 1 < d) {
      const IndexEstimate& next = out.effects[out.by_effect[r + 1]];
      out.overlaps_next[i] = std::max(out.effects[i].low, next.low) <= std::min(out.effects[i].high, next.high);
    }
  }
  return out;
}

ShapleyEstimates ShapleyAccumulator::finalize(double conf_level) const {
  if (!(conf_level > 0.0 && conf_level < 1.0))
    throw ModelError("Shapley effects: the confidence level must be in (0, 1)");
  ShapleyEstimates e;
  e.n_inputs = d_;
  e.n_outputs = k_;
  e.permutations = permutations_;
  e.variance_runs = variance_runs();
  e.conf_level = conf_level;
  if (permutations_ < 2 || variance_runs() < 2) return e;
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + 0.5 * conf_level);
  for (std::size_t o = 0; o < k_; ++o) e.outputs.push_back(output_estimates(o, z));
  return e;
}

void ShapleyAccumulator::save(ByteWriter& out) const {
  out.u64(d_);
  out.u64(k_);
  out.u64(outer_);
  out.u64(inner_);
  out.u64(permutations_);
  out.f64s(sum_);
  out.f64s(sum_sq_);
  out.f64s(sum_last_);
  out.u64s(last_);
  for (const auto& vm : variance_) {
    out.u64(vm.n);
    out.f64(vm.mean);
    out.f64(vm.m2);
    out.f64(vm.m3);
    out.f64(vm.m4);
  }
}

ShapleyAccumulator ShapleyAccumulator::load(ByteReader& in) {
  const std::uint64_t d = in.count_at_most(std::uint64_t{1} << 24, "the number of Shapley inputs");
  const std::uint64_t k = in.count_at_most(std::uint64_t{1} << 24, "the number of Shapley outputs");
  const std::uint64_t outer = in.count_at_most(std::uint64_t{1} << 32, "the Shapley outer sample size");
  const std::uint64_t inner = in.count_at_most(std::uint64_t{1} << 32, "the Shapley inner sample size");
  if (d == 0 || outer < 1 || inner < 2) in.fail("a Shapley accumulator's shape");
  // The three d x k sums, d counts and k five-number moments must all follow; d, k < 2^24, so
  // the product cannot overflow.
  in.require_room_for(3 * d * k + d + 5 * k, 8, "Shapley sums sized to the accumulator's inputs and outputs");
  ShapleyAccumulator a(static_cast<std::size_t>(d), static_cast<std::size_t>(k), static_cast<std::size_t>(outer),
                       static_cast<std::size_t>(inner));
  a.permutations_ = in.u64();
  a.sum_ = in.f64s();
  a.sum_sq_ = in.f64s();
  a.sum_last_ = in.f64s();
  a.last_ = in.u64s();
  if (a.sum_.size() != d * k || a.sum_sq_.size() != d * k || a.sum_last_.size() != d * k || a.last_.size() != d)
    in.fail("one Shapley sum per input and output");
  for (auto& vm : a.variance_) {
    vm.n = in.u64();
    vm.mean = in.f64();
    vm.m2 = in.f64();
    vm.m3 = in.f64();
    vm.m4 = in.f64();
  }
  return a;
}

}  // namespace symbiomc
