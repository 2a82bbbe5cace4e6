#include "symbiomc/stats/rank_regression.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <Eigen/Dense>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

// Correlation matrices whose reciprocal condition number (LDLT's estimate) is below this are
// treated as singular: the coefficients would be noise amplified by more than 1e10.
constexpr double MIN_RCOND = 1e-10;

// The sums of one batch (or of all, or of all but one), as one flat structure for the solver.
struct Sums {
  double n = 0.0;
  const double* a = nullptr;
  const double* aa = nullptr;
  double r = 0.0;
  double rr = 0.0;
  const double* ar = nullptr;
};

// SRRC = R^{-1} rho with R the correlation matrix of the v's and rho their correlations with
// G(y), all from centred cross-products (the 1/(n - 1) cancels). Returns false when singular.
bool solve_srrc(const Sums& s, std::size_t d, std::vector<double>& srrc, double& r_squared, std::string& reason) {
  Eigen::MatrixXd c(d, d);
  Eigen::VectorXd rho(d);
  const double crr = s.rr - s.r * s.r / s.n;
  // G(y) lies in [0, 1]: a centred sum of squares below 1e-12 n means a constant rank.
  if (!(crr > 1e-12 * s.n)) {
    reason = "the output's rank is constant (every run maps to the same reference CDF value)";
    return false;
  }
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t l = j; l < d; ++l) c(j, l) = c(l, j) = s.aa[j * d + l] - s.a[j] * s.a[l] / s.n;
  }
  for (std::size_t j = 0; j < d; ++j) {
    if (!(c(j, j) > 0.0)) {
      reason = "a parameter's coordinate is constant";
      return false;
    }
    rho(static_cast<Eigen::Index>(j)) = (s.ar[j] - s.a[j] * s.r / s.n) / std::sqrt(c(j, j) * crr);
  }
  const Eigen::VectorXd scale = c.diagonal().cwiseSqrt().cwiseInverse();
  const Eigen::MatrixXd correlation = scale.asDiagonal() * c * scale.asDiagonal();
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(correlation);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || ldlt.rcond() < MIN_RCOND) {
    reason = "the parameters' ranks are (nearly) linearly dependent, the regression has no unique solution";
    return false;
  }
  const Eigen::VectorXd beta = ldlt.solve(rho);
  srrc.assign(beta.data(), beta.data() + d);
  r_squared = rho.dot(beta);
  return true;
}

}  // namespace

ReferenceCdf::ReferenceCdf(std::span<const double> pilot) : sorted_(pilot.begin(), pilot.end()) {
  if (sorted_.empty()) throw ModelError("reference CDF: the pilot is empty");
  for (const double x : sorted_) {
    if (!std::isfinite(x)) throw ModelError("reference CDF: the pilot holds a non-finite value");
  }
  std::sort(sorted_.begin(), sorted_.end());
}

double ReferenceCdf::operator()(double y) const noexcept {
  // Branch-free lower bound (the comparisons are unpredictable; this runs once per run and
  // output); the upper bound only when y is among the values (a discrete or constant output).
  const double* first = sorted_.data();
  std::size_t size = sorted_.size();
  while (size > 1) {
    const std::size_t half = size / 2;
    first = first[half] < y ? first + half : first;
    size -= half;
  }
  const double* end = sorted_.data() + sorted_.size();
  const double* below = first + (first != end && *first < y ? 1 : 0);
  const double* at_or_below = below == end || y < *below ? below : std::upper_bound(below, end, y);
  return static_cast<double>((below - sorted_.data()) + (at_or_below - sorted_.data())) /
         (2.0 * static_cast<double>(sorted_.size()));
}

RankRegressionAccumulator::RankRegressionAccumulator(RankRegressionSetup setup) : setup_(std::move(setup)) {
  if (setup_.n_parameters == 0) throw ModelError("rank regression: need at least one parameter");
  if (setup_.n_batches < 2) {
    throw ModelError(message("rank regression: need at least 2 jackknife batches, got ", setup_.n_batches));
  }
  if (setup_.reference.empty()) throw ModelError("rank regression: no outputs");
  for (std::size_t o = 0; o < setup_.reference.size(); ++o) {
    if (setup_.reference[o].sorted().empty()) {
      throw ModelError(message("rank regression: output ", o, " has an empty reference CDF"));
    }
  }
  batches_.resize(setup_.n_batches);
}

void RankRegressionAccumulator::allocate(Batch& batch) const {
  const std::size_t d = setup_.n_parameters;
  const std::size_t outputs = setup_.reference.size();
  batch.a.assign(d, 0.0);
  batch.aa.assign(d * d, 0.0);
  batch.r.assign(outputs, 0.0);
  batch.rr.assign(outputs, 0.0);
  batch.ar.assign(outputs * d, 0.0);
}

void RankRegressionAccumulator::add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch) {
  const std::size_t n = bins.n_runs();
  const std::size_t outputs = setup_.reference.size();
  if (bins.n_parameters() != setup_.n_parameters) {
    throw ModelError(
        message("rank regression: block has ", bins.n_parameters(), " parameters, expected ", setup_.n_parameters));
  }
  if (y.size() % outputs != 0 || y.size() / outputs != n) {
    throw ModelError(message("rank regression: expected ", outputs, " x ", n, " outputs, got ", y.size()));
  }
  if (batch >= setup_.n_batches) {
    throw ModelError(message("rank regression: batch ", batch, " out of range (", setup_.n_batches, " batches)"));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw ModelError(message("rank regression: output ", i / n, " in run ", i % n,
                               " is not finite; failed runs must be dropped before they reach a statistic"));
    }
  }
  if (n == 0) return;
  // As in DecisionAccumulator::add_block: an empty batch takes the sums directly, otherwise the
  // block is summed from zero and merged.
  Batch& target = batches_[batch];
  if (target.runs == 0) {
    allocate(target);
    accumulate(target, y, bins);
  } else {
    Batch block;
    allocate(block);
    accumulate(block, y, bins);
    merge_batch(target, block);
  }
}

void RankRegressionAccumulator::accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const {
  const std::size_t n = bins.n_runs();
  const std::size_t d = setup_.n_parameters;
  // Centred coordinates once per block, run-major (a run's d coordinates adjacent). Every sum
  // below still adds its terms run by run from zero, as a loop over the runs per sum would, but
  // with the sums of one run innermost: they proceed side by side (vectorised) instead of each
  // being one long chain of dependent additions. The bits are those of the per-sum loops.
  std::vector<double> centred(n * d);
  for (std::size_t j = 0; j < d; ++j) {
    const auto v = bins.coordinates(j);
    for (std::size_t r = 0; r < n; ++r) centred[r * d + j] = v[r] - 0.5;
  }
  std::vector<double> a(d, 0.0), aa(d * d, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    const double* c = &centred[r * d];
    for (std::size_t j = 0; j < d; ++j) a[j] += c[j];
    for (std::size_t j = 0; j < d; ++j) {
      const double cj = c[j];
      double* row = &aa[j * d];
      for (std::size_t l = j; l < d; ++l) row[l] += cj * c[l];
    }
  }
  for (std::size_t j = 0; j < d; ++j) {
    into.a[j] += a[j];
    for (std::size_t l = j; l < d; ++l) into.aa[j * d + l] += aa[j * d + l];
  }
  std::vector<double> rank(n), ar(d);
  for (std::size_t o = 0; o < setup_.reference.size(); ++o) {
    const ReferenceCdf& cdf = setup_.reference[o];
    double sum = 0.0, squares = 0.0;
    for (std::size_t r = 0; r < n; ++r) {
      rank[r] = cdf(y[o * n + r]) - 0.5;
      sum += rank[r];
      squares += rank[r] * rank[r];
    }
    into.r[o] += sum;
    into.rr[o] += squares;
    std::fill(ar.begin(), ar.end(), 0.0);
    for (std::size_t r = 0; r < n; ++r) {
      const double* c = &centred[r * d];
      const double t = rank[r];
      for (std::size_t j = 0; j < d; ++j) ar[j] += c[j] * t;
    }
    for (std::size_t j = 0; j < d; ++j) into.ar[o * d + j] += ar[j];
  }
  into.runs += n;
}

void RankRegressionAccumulator::merge_batch(Batch& into, const Batch& from) {
  if (from.runs == 0) return;
  if (into.runs == 0) {
    into = from;
    return;
  }
  into.runs += from.runs;
  auto add = [](std::vector<double>& x, const std::vector<double>& y) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  };
  add(into.a, from.a);
  add(into.aa, from.aa);
  add(into.r, from.r);
  add(into.rr, from.rr);
  add(into.ar, from.ar);
}

void RankRegressionAccumulator::merge(const RankRegressionAccumulator& other) {
  if (!(other.setup_ == setup_)) {
    throw ModelError("rank regression: cannot merge accumulators with different setups");
  }
  for (std::size_t k = 0; k < batches_.size(); ++k) merge_batch(batches_[k], other.batches_[k]);
}

std::uint64_t RankRegressionAccumulator::count() const noexcept {
  std::uint64_t n = 0;
  for (const Batch& b : batches_) n += b.runs;
  return n;
}

std::vector<RankRegressionOutput> RankRegressionAccumulator::finalize(double conf_level) const {
  check_conf_level(conf_level);
  const std::size_t d = setup_.n_parameters;
  Batch pooled;
  std::vector<const Batch*> present;
  std::vector<std::uint64_t> present_runs;
  for (const Batch& b : batches_) {
    if (b.runs == 0) continue;
    present.push_back(&b);
    present_runs.push_back(b.runs);
    merge_batch(pooled, b);
  }
  if (present.size() < 2 || pooled.runs < d + 2) {
    throw ModelError(message("rank regression: need at least ", d + 2, " runs in at least 2 batches, got ", pooled.runs,
                             " runs in ", present.size(), " batches"));
  }
  // Leave-one-batch-out sums by subtraction.
  std::vector<Batch> without(present.size(), pooled);
  for (std::size_t k = 0; k < present.size(); ++k) {
    Batch& w = without[k];
    const Batch& b = *present[k];
    w.runs -= b.runs;
    for (std::size_t i = 0; i < w.a.size(); ++i) w.a[i] -= b.a[i];
    for (std::size_t i = 0; i < w.aa.size(); ++i) w.aa[i] -= b.aa[i];
    for (std::size_t i = 0; i < w.r.size(); ++i) w.r[i] -= b.r[i], w.rr[i] -= b.rr[i];
    for (std::size_t i = 0; i < w.ar.size(); ++i) w.ar[i] -= b.ar[i];
  }
  auto sums_of = [&](const Batch& b, std::size_t o) {
    return Sums{static_cast<double>(b.runs), b.a.data(), b.aa.data(), b.r[o], b.rr[o], b.ar.data() + o * d};
  };
  std::vector<RankRegressionOutput> result(setup_.reference.size());
  for (std::size_t o = 0; o < result.size(); ++o) {
    RankRegressionOutput& out = result[o];
    std::vector<double> all;
    if (!solve_srrc(sums_of(pooled, o), d, all, out.r_squared, out.reason)) continue;
    std::vector<std::vector<double>> each(present.size());
    double ignored = 0.0;
    bool ok = true;
    for (std::size_t k = 0; k < present.size() && ok; ++k) {
      ok = solve_srrc(sums_of(without[k], o), d, each[k], ignored, out.reason);
    }
    if (!ok) {
      out.reason = "without one batch, " + out.reason;
      continue;
    }
    out.computed = true;
    std::vector<double> column(present.size());
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < present.size(); ++k) column[k] = each[k][j];
      out.srrc.push_back(jackknife(all[j], column, present_runs, conf_level));
    }
  }
  return result;
}

void RankRegressionAccumulator::save(ByteWriter& out) const {
  out.u64(setup_.n_parameters);
  out.u64(setup_.n_batches);
  out.u64(setup_.reference.size());
  for (const ReferenceCdf& cdf : setup_.reference) out.f64s(cdf.sorted());
  std::uint64_t present = 0;
  for (const Batch& b : batches_) present += b.runs > 0 ? 1 : 0;
  out.u64(present);
  for (std::size_t k = 0; k < batches_.size(); ++k) {
    const Batch& b = batches_[k];
    if (b.runs == 0) continue;
    out.u64(k);
    out.u64(b.runs);
    out.f64s(b.a);
    out.f64s(b.aa);
    out.f64s(b.r);
    out.f64s(b.rr);
    out.f64s(b.ar);
  }
}

RankRegressionAccumulator RankRegressionAccumulator::load(ByteReader& in, const RankRegressionSetup& setup) {
  const std::uint64_t d = in.u64();
  const std::uint64_t k_batches = in.u64();
  const std::uint64_t outputs = in.count_at_most(setup.reference.size(), "the expected number of outputs");
  bool same = d == setup.n_parameters && k_batches == setup.n_batches && outputs == setup.reference.size();
  for (std::uint64_t o = 0; o < outputs; ++o) {
    const std::vector<double> sorted = in.f64s();
    const auto expected = setup.reference[o].sorted();
    same = same && std::equal(sorted.begin(), sorted.end(), expected.begin(), expected.end());
  }
  if (!same) in.fail("a rank regression accumulator of the expected setup");
  RankRegressionAccumulator acc(setup);
  const std::uint64_t present = in.count_at_most(setup.n_batches, "at most one state per batch");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < present; ++i) {
    const std::uint64_t k = in.u64();
    if (k >= setup.n_batches || (i > 0 && k <= previous)) in.fail("increasing batch indices below n_batches");
    previous = k;
    Batch& b = acc.batches_[k];
    b.runs = in.u64();
    b.a = in.f64s();
    b.aa = in.f64s();
    b.r = in.f64s();
    b.rr = in.f64s();
    b.ar = in.f64s();
    const std::size_t n_out = setup.reference.size();
    if (b.runs == 0 || b.a.size() != d || b.aa.size() != d * d || b.r.size() != n_out || b.rr.size() != n_out ||
        b.ar.size() != n_out * d) {
      in.fail("batch sums sized to the setup");
    }
  }
  return acc;
}

}  // namespace symbiomc
