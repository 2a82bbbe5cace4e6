#include "symbiomc/stats/borgonovo_delta.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <boost/math/distributions/students_t.hpp>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

// sqrt(2/pi) = E|Z| for Z ~ N(0, 1): the mean absolute value of pure noise.
const double MEAN_ABS_NORMAL = std::sqrt(2.0 / std::numbers::pi);

double normal_cdf(double t) { return 0.5 * std::erfc(-t / std::numbers::sqrt2); }
double normal_pdf(double t) { return std::exp(-0.5 * t * t) / std::sqrt(2.0 * std::numbers::pi); }

// E|t + Z| for Z ~ N(0, 1), the mean of a folded normal: f(t) = 2 phi(t) + t (2 Phi(t) - 1).
// f(t) >= |t|, f(0) = sqrt(2/pi), f is smooth and even.
double folded_normal_mean(double t) { return 2.0 * normal_pdf(t) + t * (2.0 * normal_cdf(t) - 1.0); }

// The noise-corrected |D| of one term, by analytic SIMEX (borgonovo_delta.hpp): |D_hat| blurred
// by extra Gaussian noise of variance (v - 1) s^2 has the closed-form value
// T_v = w f(D_hat / w), w = s sqrt(v - 1), and expectation H(v) = E|D + N(0, v s^2)|; the
// quadratic through v = 2, 3, 4 extrapolated to v = 0 (no noise, H(0) = |D|) has weights
// 6, -8, 3. Every T_v is smooth in D_hat, unlike |D_hat| itself.
double simex_absolute(double d_hat, double s) {
  auto blurred = [&](double v) {
    const double w = s * std::sqrt(v - 1.0);
    return w * folded_normal_mean(d_hat / w);
  };
  return 6.0 * blurred(2.0) - 8.0 * blurred(3.0) + 3.0 * blurred(4.0);
}

void check_edges(const std::vector<double>& edges, std::size_t output) {
  if (edges.empty()) throw ModelError(message("delta: output ", output, " has no class edges"));
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (!std::isfinite(edges[i]) || (i > 0 && !(edges[i - 1] < edges[i]))) {
      throw ModelError(message("delta: the class edges of output ", output, " must be finite and strictly increasing"));
    }
  }
}

}  // namespace

std::vector<double> equal_probability_edges(std::span<const double> pilot, std::size_t classes) {
  if (pilot.empty() || classes < 1) {
    throw ModelError(message("delta class edges: need a pilot and at least 1 class, got ", pilot.size(), " values and ",
                             classes, " classes"));
  }
  std::vector<double> sorted(pilot.begin(), pilot.end());
  for (const double x : sorted) {
    if (!std::isfinite(x)) throw ModelError("delta class edges: the pilot holds a non-finite value");
  }
  std::sort(sorted.begin(), sorted.end());
  const std::size_t m = sorted.size();
  // Interior edges halfway between the order statistics that close each class of m/H values.
  std::vector<double> edges;
  for (std::size_t k = 1; k < classes; ++k) {
    const std::size_t i = k * m / classes;
    if (i == 0 || i >= m) continue;
    const double edge = sorted[i - 1] + 0.5 * (sorted[i] - sorted[i - 1]);
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  if (edges.empty()) edges.push_back(sorted[m / 2]);
  return edges;
}

std::size_t default_delta_classes(std::size_t bins) { return std::clamp<std::size_t>(bins, 4, 64); }

DeltaTerms delta_from_counts(std::span<const std::uint64_t> counts, std::size_t bins, std::size_t classes) {
  std::vector<std::uint64_t> class_total(classes, 0);
  std::uint64_t total = 0;
  for (std::size_t b = 0; b < bins; ++b) {
    for (std::size_t h = 0; h < classes; ++h) class_total[h] += counts[b * classes + h];
  }
  for (const std::uint64_t c : class_total) total += c;
  DeltaTerms terms;
  if (total == 0) return terms;
  const double n = static_cast<double>(total);
  for (std::size_t b = 0; b < bins; ++b) {
    std::uint64_t in_bin = 0;
    for (std::size_t h = 0; h < classes; ++h) in_bin += counts[b * classes + h];
    if (in_bin == 0) continue;
    const double nb = static_cast<double>(in_bin);
    const double weight = nb / n;
    // Binomial variance of p_{h|b} - p_h when bin b is no different: p (1 - p) (1/n_b - 1/n).
    const double spread = 1.0 / nb - 1.0 / n;
    double plug_in = 0.0, corrected = 0.0, bound = 0.0;
    for (std::size_t h = 0; h < classes; ++h) {
      const double p = static_cast<double>(class_total[h]) / n;
      const double difference = std::abs(static_cast<double>(counts[b * classes + h]) / nb - p);
      const double sd = std::sqrt(std::max(0.0, p * (1.0 - p) * spread));
      plug_in += difference;
      bound += MEAN_ABS_NORMAL * sd;
      corrected += sd > 0.0 ? simex_absolute(difference, sd) : difference;
    }
    terms.plug_in += 0.5 * weight * plug_in;
    terms.corrected += 0.5 * weight * corrected;
    terms.bias_bound += 0.5 * weight * bound;
  }
  return terms;
}

DeltaAccumulator::DeltaAccumulator(DeltaSetup setup) : setup_(std::move(setup)) {
  if (setup_.n_batches < 2)
    throw ModelError(message("delta: need at least 2 jackknife batches, got ", setup_.n_batches));
  if (setup_.bins < 2 || setup_.bins > MAX_BINS) {
    throw ModelError(message("delta: expected 2 to ", MAX_BINS, " bins per parameter, got ", setup_.bins));
  }
  if (setup_.y_edges.empty()) throw ModelError("delta: no outputs");
  offset_.push_back(0);
  for (std::size_t o = 0; o < setup_.y_edges.size(); ++o) {
    check_edges(setup_.y_edges[o], o);
    const std::size_t classes = setup_.y_edges[o].size() + 1;
    offset_.push_back(offset_.back() + setup_.n_parameters * setup_.bins * classes);
  }
  batches_.resize(setup_.n_batches);
}

void DeltaAccumulator::add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch) {
  const std::size_t n = bins.n_runs();
  const std::size_t outputs = setup_.y_edges.size();
  if (bins.n_parameters() != setup_.n_parameters || bins.bins() != setup_.bins) {
    throw ModelError(message("delta: block binned for ", bins.n_parameters(), " parameters in ", bins.bins(),
                             " bins, expected ", setup_.n_parameters, " in ", setup_.bins));
  }
  if (y.size() % outputs != 0 || y.size() / outputs != n) {
    throw ModelError(message("delta: expected ", outputs, " x ", n, " outputs, got ", y.size()));
  }
  if (batch >= setup_.n_batches) {
    throw ModelError(message("delta: batch ", batch, " out of range (", setup_.n_batches, " batches)"));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw ModelError(message("delta: output ", i / n, " in run ", i % n,
                               " is not finite; failed runs must be dropped before they reach a statistic"));
    }
  }
  if (n == 0) return;
  Batch& target = batches_[batch];
  if (target.runs == 0) {
    target.counts.assign(offset_.back(), 0);
    accumulate(target, y, bins);
  } else {
    // Counts are integers: adding in place equals adding a block's counts, so no scratch is needed.
    accumulate(target, y, bins);
  }
}

void DeltaAccumulator::accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const {
  const std::size_t n = bins.n_runs();
  const std::size_t b = setup_.bins;
  std::vector<std::uint32_t> cls(n);
  for (std::size_t o = 0; o < setup_.y_edges.size(); ++o) {
    const std::vector<double>& edges = setup_.y_edges[o];
    const std::size_t classes = edges.size() + 1;
    for (std::size_t r = 0; r < n; ++r) {
      // Class h = number of edges <= y: (-inf, e_0) is 0, [e_{h-1}, e_h) is h.
      cls[r] = static_cast<std::uint32_t>(std::upper_bound(edges.begin(), edges.end(), y[o * n + r]) - edges.begin());
    }
    std::uint64_t* counts = into.counts.data() + offset_[o];
    for (std::size_t j = 0; j < setup_.n_parameters; ++j) {
      const auto index = bins.of(j);
      for (std::size_t r = 0; r < n; ++r) ++counts[(j * b + index[r]) * classes + cls[r]];
    }
  }
  into.runs += n;
}

void DeltaAccumulator::merge_batch(Batch& into, const Batch& from) {
  if (from.runs == 0) return;
  if (into.runs == 0) {
    into = from;
    return;
  }
  into.runs += from.runs;
  for (std::size_t i = 0; i < into.counts.size(); ++i) into.counts[i] += from.counts[i];
}

void DeltaAccumulator::merge(const DeltaAccumulator& other) {
  if (!(other.setup_ == setup_)) {
    throw ModelError("delta: cannot merge accumulators with different setups (parameters, bins, batches or edges)");
  }
  for (std::size_t k = 0; k < batches_.size(); ++k) merge_batch(batches_[k], other.batches_[k]);
}

std::uint64_t DeltaAccumulator::count() const noexcept {
  std::uint64_t n = 0;
  for (const Batch& b : batches_) n += b.runs;
  return n;
}

std::vector<std::vector<DeltaEstimate>> DeltaAccumulator::finalize(double conf_level) const {
  check_conf_level(conf_level);
  std::vector<const Batch*> present;
  std::vector<std::uint64_t> present_runs;
  for (const Batch& b : batches_) {
    if (b.runs == 0) continue;
    present.push_back(&b);
    present_runs.push_back(b.runs);
  }
  if (present.size() < 2) {
    throw ModelError(message("delta: need runs in at least 2 batches, got ", present.size()));
  }
  const std::size_t bins = setup_.bins;
  const double t = boost::math::quantile(boost::math::complement(
      boost::math::students_t(static_cast<double>(present.size() - 1)), 0.5 * (1.0 - conf_level)));
  std::vector<std::vector<DeltaEstimate>> result(setup_.y_edges.size());
  std::vector<std::uint64_t> pooled, without;
  std::vector<double> corrected_without(present.size());
  for (std::size_t o = 0; o < setup_.y_edges.size(); ++o) {
    const std::size_t classes = setup_.y_edges[o].size() + 1;
    const std::size_t table = bins * classes;
    for (std::size_t j = 0; j < setup_.n_parameters; ++j) {
      const std::size_t first = offset_[o] + j * table;
      pooled.assign(table, 0);
      for (const Batch* b : present) {
        for (std::size_t i = 0; i < table; ++i) pooled[i] += b->counts[first + i];
      }
      const DeltaTerms all = delta_from_counts(pooled, bins, classes);
      for (std::size_t k = 0; k < present.size(); ++k) {
        without = pooled;
        for (std::size_t i = 0; i < table; ++i) without[i] -= present[k]->counts[first + i];
        corrected_without[k] = delta_from_counts(without, bins, classes).corrected;
      }
      const BatchEstimate jk = jackknife(all.corrected, corrected_without, present_runs, conf_level);
      DeltaEstimate e;
      e.raw = jk.value;
      e.value = std::max(0.0, jk.value);
      e.corrected = all.corrected;
      e.plug_in = all.plug_in;
      e.bias_bound = all.bias_bound;
      e.std_error = jk.std_error;
      // Under independence the plug-in equals its noise bias on average, so "no influence" is
      // not rejected while plug_in - bias_bound <= t se; the interval then reaches down to 0,
      // because the correction's residual bias (largest exactly at delta = 0) could explain the rest.
      e.consistent_with_zero = e.plug_in - e.bias_bound <= t * jk.std_error;
      e.low = e.consistent_with_zero ? 0.0 : std::max(0.0, jk.low);
      e.high = std::max(0.0, jk.high);
      result[o].push_back(e);
    }
  }
  return result;
}

void DeltaAccumulator::save(ByteWriter& out) const {
  out.u64(setup_.n_parameters);
  out.u64(setup_.bins);
  out.u64(setup_.n_batches);
  out.u64(setup_.y_edges.size());
  for (const auto& edges : setup_.y_edges) out.f64s(edges);
  std::uint64_t present = 0;
  for (const Batch& b : batches_) present += b.runs > 0 ? 1 : 0;
  out.u64(present);
  for (std::size_t k = 0; k < batches_.size(); ++k) {
    if (batches_[k].runs == 0) continue;
    out.u64(k);
    out.u64(batches_[k].runs);
    out.u64s(batches_[k].counts);
  }
}

DeltaAccumulator DeltaAccumulator::load(ByteReader& in, const DeltaSetup& setup) {
  DeltaSetup saved;
  saved.n_parameters = in.u64();
  saved.bins = in.u64();
  saved.n_batches = in.u64();
  const std::uint64_t outputs = in.count_at_most(setup.y_edges.size(), "the expected number of outputs");
  for (std::uint64_t o = 0; o < outputs; ++o) saved.y_edges.push_back(in.f64s());
  if (!(saved == setup)) in.fail("a delta accumulator of the expected setup");
  DeltaAccumulator acc(setup);
  const std::uint64_t present = in.count_at_most(setup.n_batches, "at most one state per batch");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < present; ++i) {
    const std::uint64_t k = in.u64();
    if (k >= setup.n_batches || (i > 0 && k <= previous)) in.fail("increasing batch indices below n_batches");
    previous = k;
    Batch& b = acc.batches_[k];
    b.runs = in.u64();
    b.counts = in.u64s();
    bool consistent = b.runs > 0 && b.counts.size() == acc.offset_.back();
    // Every (output, parameter) table holds each run once.
    for (std::size_t o = 0; consistent && o < setup.y_edges.size(); ++o) {
      const std::size_t table = setup.bins * (setup.y_edges[o].size() + 1);
      for (std::size_t j = 0; consistent && j < setup.n_parameters; ++j) {
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < table; ++i) sum += b.counts[acc.offset_[o] + j * table + i];
        consistent = sum == b.runs;
      }
    }
    if (!consistent) in.fail("batch counts sized to the setup, each table summing to the batch's runs");
  }
  return acc;
}

}  // namespace symbiomc
