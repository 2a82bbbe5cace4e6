#include "symbiomc/stats/importance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/stats.hpp"

namespace symbiomc {

namespace {

struct Anova {
  double corrected = 0.0;    // S_j with the within-bin correction
  double uncorrected = 0.0;  // SS_B / SS_T
};

// One-way ANOVA of y - shift over the B bins of one parameter (see importance.hpp).
Anova anova(std::span<const std::uint64_t> runs, std::span<const double> sum, std::span<const double> sum_sq) {
  std::uint64_t total = 0;
  std::size_t occupied = 0;
  double t1 = 0.0, t2 = 0.0;
  for (std::size_t b = 0; b < runs.size(); ++b) {
    total += runs[b];
    occupied += runs[b] > 0 ? 1 : 0;
    t1 += sum[b];
    t2 += sum_sq[b];
  }
  const double n = static_cast<double>(total);
  const double mean = t1 / n;
  double ss_between = 0.0;
  for (std::size_t b = 0; b < runs.size(); ++b) {
    if (runs[b] == 0) continue;
    const double gap = sum[b] / static_cast<double>(runs[b]) - mean;
    ss_between += static_cast<double>(runs[b]) * gap * gap;
  }
  const double ss_total = std::max(t2 - t1 * mean, 0.0);
  Anova a;
  if (!(ss_total > 0.0)) return a;
  const double ss_within = std::max(ss_total - ss_between, 0.0);
  const double k = static_cast<double>(occupied);
  const double ms_within = n > k ? ss_within / (n - k) : 0.0;
  a.uncorrected = ss_between / ss_total;
  a.corrected = (ss_between - (k - 1.0) * ms_within) / n / (ss_total / (n - 1.0));
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// FirstOrderAccumulator

FirstOrderAccumulator::FirstOrderAccumulator(FirstOrderSetup setup) : setup_(std::move(setup)) {
  if (setup_.n_batches < 2) {
    throw ModelError(message("first-order index: need at least 2 jackknife batches, got ", setup_.n_batches));
  }
  if (setup_.bins < 2 || setup_.bins > MAX_BINS) {
    throw ModelError(message("first-order index: expected 2 to ", MAX_BINS, " bins per parameter, got ", setup_.bins));
  }
  if (setup_.shift.empty()) throw ModelError("first-order index: no outputs");
  for (std::size_t o = 0; o < setup_.shift.size(); ++o) {
    if (!std::isfinite(setup_.shift[o])) {
      throw ModelError(message("first-order index: shift of output ", o, " is not finite"));
    }
  }
  batches_.resize(setup_.n_batches);
}

void FirstOrderAccumulator::allocate(Batch& batch) const {
  const std::size_t cells = setup_.n_parameters * setup_.bins;
  batch.cell_runs.assign(cells, 0);
  batch.sum.assign(cells * setup_.shift.size(), 0.0);
  batch.sum_sq.assign(cells * setup_.shift.size(), 0.0);
}

void FirstOrderAccumulator::add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch) {
  const std::size_t n = bins.n_runs();
  const std::size_t outputs = setup_.shift.size();
  if (bins.n_parameters() != setup_.n_parameters || bins.bins() != setup_.bins) {
    throw ModelError(message("first-order index: block binned for ", bins.n_parameters(), " parameters in ",
                             bins.bins(), " bins, expected ", setup_.n_parameters, " in ", setup_.bins));
  }
  if (y.size() % outputs != 0 || y.size() / outputs != n) {
    throw ModelError(message("first-order index: expected ", outputs, " x ", n, " outputs, got ", y.size()));
  }
  if (batch >= setup_.n_batches) {
    throw ModelError(message("first-order index: batch ", batch, " out of range (", setup_.n_batches, " batches)"));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw ModelError(message("first-order index: output ", i / n, " in run ", i % n,
                               " is not finite; failed runs must be dropped before they reach a statistic"));
    }
  }
  if (n == 0) return;
  // As in DecisionAccumulator::add_block.
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

void FirstOrderAccumulator::accumulate(Batch& into, std::span<const double> y, const BlockBins& bins) const {
  const std::size_t n = bins.n_runs();
  const std::size_t b = setup_.bins;
  const std::size_t d = setup_.n_parameters;
  for (std::size_t j = 0; j < d; ++j) {
    const auto index = bins.of(j);
    for (std::size_t r = 0; r < n; ++r) ++into.cell_runs[j * b + index[r]];
  }
  std::vector<double> centred(n);
  for (std::size_t o = 0; o < setup_.shift.size(); ++o) {
    for (std::size_t r = 0; r < n; ++r) centred[r] = y[o * n + r] - setup_.shift[o];
    double* sum = &into.sum[o * d * b];
    double* sum_sq = &into.sum_sq[o * d * b];
    for (std::size_t j = 0; j < d; ++j) {
      const auto index = bins.of(j);
      for (std::size_t r = 0; r < n; ++r) {
        const std::size_t cell = j * b + index[r];
        sum[cell] += centred[r];
        sum_sq[cell] += centred[r] * centred[r];
      }
    }
  }
  into.runs += n;
}

void FirstOrderAccumulator::merge_batch(Batch& into, const Batch& from) {
  if (from.runs == 0) return;
  if (into.runs == 0) {
    into = from;
    return;
  }
  into.runs += from.runs;
  for (std::size_t i = 0; i < into.cell_runs.size(); ++i) into.cell_runs[i] += from.cell_runs[i];
  for (std::size_t i = 0; i < into.sum.size(); ++i) into.sum[i] += from.sum[i];
  for (std::size_t i = 0; i < into.sum_sq.size(); ++i) into.sum_sq[i] += from.sum_sq[i];
}

void FirstOrderAccumulator::merge(const FirstOrderAccumulator& other) {
  if (!(other.setup_ == setup_)) {
    throw ModelError("first-order index: cannot merge accumulators with different setups");
  }
  for (std::size_t k = 0; k < batches_.size(); ++k) merge_batch(batches_[k], other.batches_[k]);
}

std::uint64_t FirstOrderAccumulator::count() const noexcept {
  std::uint64_t n = 0;
  for (const Batch& b : batches_) n += b.runs;
  return n;
}

std::vector<FirstOrderOutput> FirstOrderAccumulator::finalize(double conf_level) const {
  check_conf_level(conf_level);
  const std::size_t b = setup_.bins;
  const std::size_t d = setup_.n_parameters;
  Batch pooled;
  std::vector<const Batch*> present;
  std::vector<std::uint64_t> present_runs;
  for (const Batch& batch : batches_) {
    if (batch.runs == 0) continue;
    present.push_back(&batch);
    present_runs.push_back(batch.runs);
    merge_batch(pooled, batch);
  }
  if (present.size() < 2 || pooled.runs < b + 2) {
    throw ModelError(message("first-order index: need at least ", b + 2, " runs in at least 2 batches, got ",
                             pooled.runs, " runs in ", present.size(), " batches"));
  }
  std::vector<Batch> without(present.size(), pooled);
  for (std::size_t k = 0; k < present.size(); ++k) {
    Batch& w = without[k];
    const Batch& x = *present[k];
    for (std::size_t i = 0; i < w.cell_runs.size(); ++i) w.cell_runs[i] -= x.cell_runs[i];
    for (std::size_t i = 0; i < w.sum.size(); ++i) w.sum[i] -= x.sum[i], w.sum_sq[i] -= x.sum_sq[i];
  }
  const double n = static_cast<double>(pooled.runs);
  std::vector<FirstOrderOutput> result(setup_.shift.size());
  std::vector<double> column(present.size());
  for (std::size_t o = 0; o < result.size(); ++o) {
    FirstOrderOutput& out = result[o];
    // The output's moments from the first parameter's bins (every parameter's bins hold all runs;
    // without parameters there is nothing to report but the shift).
    double t1 = 0.0, t2 = 0.0;
    for (std::size_t c = 0; c < (d > 0 ? b : 0); ++c) {
      t1 += pooled.sum[o * d * b + c];
      t2 += pooled.sum_sq[o * d * b + c];
    }
    out.mean = setup_.shift[o] + t1 / n;
    out.variance = std::max(t2 - t1 * t1 / n, 0.0) / (n - 1.0);
    out.zero_variance = d > 0 && !(out.variance > ZERO_VARIANCE_RELATIVE * std::max(out.mean * out.mean, t2 / n));
    for (std::size_t j = 0; j < d; ++j) {
      FirstOrderEstimate e;
      if (out.zero_variance) {
        out.index.push_back(e);
        continue;
      }
      const std::size_t first = o * d * b + j * b;
      auto cells_of = [&](const Batch& x) {
        return anova(std::span(x.cell_runs).subspan(j * b, b), std::span(x.sum).subspan(first, b),
                     std::span(x.sum_sq).subspan(first, b));
      };
      const Anova all = cells_of(pooled);
      for (std::size_t k = 0; k < present.size(); ++k) column[k] = cells_of(without[k]).corrected;
      const BatchEstimate jk = jackknife(all.corrected, column, present_runs, conf_level);
      e.value = jk.value;
      e.plug_in = all.corrected;
      e.uncorrected = all.uncorrected;
      e.std_error = jk.std_error;
      e.low = jk.low;
      e.high = jk.high;
      out.index.push_back(e);
    }
  }
  return result;
}

void FirstOrderAccumulator::save(ByteWriter& out) const {
  out.u64(setup_.n_parameters);
  out.u64(setup_.bins);
  out.u64(setup_.n_batches);
  out.f64s(setup_.shift);
  std::uint64_t present = 0;
  for (const Batch& b : batches_) present += b.runs > 0 ? 1 : 0;
  out.u64(present);
  for (std::size_t k = 0; k < batches_.size(); ++k) {
    const Batch& b = batches_[k];
    if (b.runs == 0) continue;
    out.u64(k);
    out.u64(b.runs);
    out.u64s(b.cell_runs);
    out.f64s(b.sum);
    out.f64s(b.sum_sq);
  }
}

FirstOrderAccumulator FirstOrderAccumulator::load(ByteReader& in, const FirstOrderSetup& setup) {
  FirstOrderSetup saved;
  saved.n_parameters = in.u64();
  saved.bins = in.u64();
  saved.n_batches = in.u64();
  saved.shift = in.f64s();
  if (!(saved == setup)) in.fail("a first-order accumulator of the expected setup");
  FirstOrderAccumulator acc(setup);
  const std::size_t cells = setup.n_parameters * setup.bins;
  const std::uint64_t present = in.count_at_most(setup.n_batches, "at most one state per batch");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < present; ++i) {
    const std::uint64_t k = in.u64();
    if (k >= setup.n_batches || (i > 0 && k <= previous)) in.fail("increasing batch indices below n_batches");
    previous = k;
    Batch& b = acc.batches_[k];
    b.runs = in.u64();
    b.cell_runs = in.u64s();
    b.sum = in.f64s();
    b.sum_sq = in.f64s();
    bool consistent = b.runs > 0 && b.cell_runs.size() == cells && b.sum.size() == cells * setup.shift.size() &&
                      b.sum_sq.size() == b.sum.size();
    for (std::size_t j = 0; consistent && j < setup.n_parameters; ++j) {
      const auto first = b.cell_runs.begin() + static_cast<std::ptrdiff_t>(j * setup.bins);
      consistent = std::accumulate(first, first + static_cast<std::ptrdiff_t>(setup.bins), std::uint64_t{0}) == b.runs;
    }
    if (!consistent) in.fail("batch sums sized to the setup, each parameter's bins holding every run");
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// ImportanceAccumulator

std::size_t default_first_order_bins(std::uint64_t n) {
  const double b = std::ceil(std::sqrt(static_cast<double>(n)));
  return static_cast<std::size_t>(std::clamp(b, 4.0, 256.0));
}

ImportanceOutputSetup importance_output_from_pilot(std::span<const double> pilot, std::size_t classes) {
  ImportanceOutputSetup out;
  out.y_edges = equal_probability_edges(pilot, classes);  // checks: non-empty, finite
  out.rank_reference = ReferenceCdf(pilot);
  double mean = 0.0;
  for (std::size_t i = 0; i < pilot.size(); ++i) mean += (pilot[i] - mean) / static_cast<double>(i + 1);
  out.shift = mean;
  return out;
}

namespace {

FirstOrderSetup first_order_setup(const ImportanceSetup& s) {
  FirstOrderSetup f{s.n_parameters, s.first_order_bins, s.n_batches, {}};
  for (const auto& o : s.outputs) f.shift.push_back(o.shift);
  return f;
}

DeltaSetup delta_setup(const ImportanceSetup& s) {
  DeltaSetup f{s.n_parameters, s.delta_bins, s.n_batches, {}};
  for (const auto& o : s.outputs) f.y_edges.push_back(o.y_edges);
  return f;
}

RankRegressionSetup rank_regression_setup(const ImportanceSetup& s) {
  RankRegressionSetup f{s.n_parameters, s.n_batches, {}};
  for (const auto& o : s.outputs) f.reference.push_back(o.rank_reference);
  return f;
}

}  // namespace

ImportanceAccumulator::ImportanceAccumulator(const ImportanceSetup& setup)
    : ImportanceAccumulator(setup, FirstOrderAccumulator(first_order_setup(setup)),
                            DeltaAccumulator(delta_setup(setup)),
                            RankRegressionAccumulator(rank_regression_setup(setup))) {}

ImportanceAccumulator::ImportanceAccumulator(ImportanceSetup setup, FirstOrderAccumulator first_order,
                                             DeltaAccumulator delta, RankRegressionAccumulator rank_regression)
    : setup_(std::move(setup)),
      first_order_(std::move(first_order)),
      delta_(std::move(delta)),
      rank_regression_(std::move(rank_regression)) {}

void ImportanceAccumulator::add_block(std::span<const double> y, const BlockBins& first_order_bins,
                                      const BlockBins& delta_bins, std::size_t batch) {
  if (first_order_bins.n_runs() != delta_bins.n_runs() ||
      first_order_bins.n_parameters() != delta_bins.n_parameters()) {
    throw ModelError("importance: the two binnings of a block must cover the same runs and parameters");
  }
  // The first-order accumulator checks y and the batch before anything is added anywhere.
  first_order_.add_block(y, first_order_bins, batch);
  delta_.add_block(y, delta_bins, batch);
  rank_regression_.add_block(y, delta_bins, batch);
}

void ImportanceAccumulator::add_block(std::span<const double> y, std::span<const double> v, std::size_t n_runs,
                                      std::size_t batch) {
  const BlockBins first_order_bins(v, n_runs, setup_.n_parameters, setup_.first_order_bins);
  if (setup_.delta_bins == setup_.first_order_bins) {
    add_block(y, first_order_bins, first_order_bins, batch);
  } else {
    add_block(y, first_order_bins, BlockBins(v, n_runs, setup_.n_parameters, setup_.delta_bins), batch);
  }
}

void ImportanceAccumulator::merge(const ImportanceAccumulator& other) {
  if (!(other.setup_ == setup_)) throw ModelError("importance: cannot merge accumulators with different setups");
  first_order_.merge(other.first_order_);
  delta_.merge(other.delta_);
  rank_regression_.merge(other.rank_regression_);
}

ImportanceResult ImportanceAccumulator::finalize(double conf_level) const {
  ImportanceResult result;
  result.runs = count();
  result.first_order_bins = setup_.first_order_bins;
  result.delta_bins = setup_.delta_bins;
  result.conf_level = conf_level;
  std::vector<FirstOrderOutput> first = first_order_.finalize(conf_level);
  std::vector<std::vector<DeltaEstimate>> delta = delta_.finalize(conf_level);
  std::vector<RankRegressionOutput> rank = rank_regression_.finalize(conf_level);
  for (std::size_t o = 0; o < setup_.outputs.size(); ++o) {
    result.outputs.push_back(ImportanceOutput{std::move(first[o]), std::move(delta[o]), std::move(rank[o])});
  }
  return result;
}

void ImportanceAccumulator::save(ByteWriter& out) const {
  first_order_.save(out);
  delta_.save(out);
  rank_regression_.save(out);
}

ImportanceAccumulator ImportanceAccumulator::load(ByteReader& in, const ImportanceSetup& setup) {
  FirstOrderAccumulator first = FirstOrderAccumulator::load(in, first_order_setup(setup));
  DeltaAccumulator delta = DeltaAccumulator::load(in, delta_setup(setup));
  RankRegressionAccumulator rank = RankRegressionAccumulator::load(in, rank_regression_setup(setup));
  if (first.count() != delta.count() || first.count() != rank.count()) {
    in.fail("importance accumulators holding the same runs");
  }
  return ImportanceAccumulator(setup, std::move(first), std::move(delta), std::move(rank));
}

}  // namespace symbiomc
