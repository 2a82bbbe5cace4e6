#include "symbiomc/stats/decision.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/sobol.hpp>

#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/product_sums.hpp"

namespace symbiomc {

namespace {

// u = y when maximising, -y when minimising: "best" is then always the largest u.
double sign_of(DecisionDirection direction) { return direction == DecisionDirection::maximise ? 1.0 : -1.0; }

/// Adds L gains g[0..L) to sums[0..L) and their squares to squares[0..L), as one GCC/Clang
/// vector of L doubles: plain IEEE adds and multiplies per lane, so the same bits as a scalar
/// loop, on SSE2 as on AVX2.
template <std::size_t L>
[[gnu::always_inline]] inline void add_lanes(const double* g, double* sums, double* squares) {
  using Vector [[gnu::vector_size(L * sizeof(double))]] = double;
  Vector gain, sum, square;
  std::memcpy(&gain, g, sizeof gain);
  std::memcpy(&sum, sums, sizeof sum);
  std::memcpy(&square, squares, sizeof square);
  sum += gain;
  square += gain * gain;
  std::memcpy(sums, &sum, sizeof sum);
  std::memcpy(squares, &square, sizeof square);
}

/// Adds one run's gains g[0..W) to a cell's sums and their squares to its squares, in vectors
/// of 4, then 2, then 1 gain. Copied through a local array instead, the gains were stored in
/// halves and loaded back as one vector: a stalled store-to-load forward per run that made
/// this loop (the decision's largest cost) about 1.6x slower.
template <std::size_t W>
[[gnu::always_inline]] inline void add_run_to_cell(const double* g, double* sums, double* squares) {
  constexpr std::size_t L = W >= 4 ? 4 : W >= 2 ? 2 : W;
  if constexpr (L > 0) {
    add_lanes<L>(g, sums, squares);
    add_run_to_cell<W - L>(g + L, sums + L, squares + L);
  }
}

/// Adds run r's W gains (gain[r * W + k]) and their squares to the cell first_cell + cell[r],
/// for every run of a block in run order (cell[r]: a parameter's bin, or a group's cell). W is
/// known at compile time: a loop of known length needs no run-time test of whether the cell's
/// sums overlap the gains (what a vectorised loop of unknown length does per cell update).
template <std::size_t W>
[[gnu::always_inline]] inline void add_cells(const std::uint16_t* cell, std::size_t n, std::size_t first_cell,
                                             const double* gain, std::uint64_t* cell_runs, double* cell_gain,
                                             double* cell_gain_sq) {
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t c = first_cell + cell[r];
    ++cell_runs[c];
    add_run_to_cell<W>(gain + r * W, cell_gain + c * W, cell_gain_sq + c * W);
  }
}

template <std::size_t W>
void add_cells_baseline(const std::uint16_t* cell, std::size_t n, std::size_t first_cell, const double* gain,
                        std::uint64_t* cell_runs, double* cell_gain, double* cell_gain_sq) {
  add_cells<W>(cell, n, first_cell, gain, cell_runs, cell_gain, cell_gain_sq);
}

#if SYMBIOMC_AVX2_VARIANTS
// The same sums, a cell's 4-gain vectors in one AVX2 register (base/vector_isa.hpp: the same bits).
template <std::size_t W>
SYMBIOMC_TARGET_AVX2 void add_cells_avx2(const std::uint16_t* cell, std::size_t n, std::size_t first_cell,
                                         const double* gain, std::uint64_t* cell_runs, double* cell_gain,
                                         double* cell_gain_sq) {
  add_cells<W>(cell, n, first_cell, gain, cell_runs, cell_gain, cell_gain_sq);
}
#endif

/// Any number w of gains per run (more modes than add_cells is compiled for).
void add_cells_of_any_width(const std::uint16_t* cell, std::size_t n, std::size_t first_cell, std::size_t w,
                            const double* gain, std::uint64_t* cell_runs, double* cell_gain, double* cell_gain_sq) {
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t c = first_cell + cell[r];
    ++cell_runs[c];
    for (std::size_t k = 0; k < w; ++k) {
      const double g = gain[r * w + k];
      cell_gain[c * w + k] += g;
      cell_gain_sq[c * w + k] += g * g;
    }
  }
}

void save_moments(ByteWriter& out, const std::vector<Moments>& list) {
  out.u64(list.size());
  for (const Moments& m : list) m.save(out);
}

std::vector<Moments> load_moments(ByteReader& in, std::size_t size) {
  if (in.u64() != size) in.fail("one set of moments per mode");
  std::vector<Moments> list;
  for (std::size_t i = 0; i < size; ++i) list.push_back(Moments::load(in));
  return list;
}

}  // namespace

DecisionAccumulator::DecisionAccumulator(DecisionSetup setup) : setup_(std::move(setup)) {
  const DecisionSetup& s = setup_;
  if (s.n_modes < 2) throw ModelError(message("decision: need at least 2 modes to decide between, got ", s.n_modes));
  if (s.n_batches < 2) throw ModelError(message("decision: need at least 2 jackknife batches, got ", s.n_batches));
  if (s.bins < 2 || s.bins > MAX_BINS) {
    throw ModelError(message("decision: expected 2 to ", MAX_BINS, " bins per parameter, got ", s.bins));
  }
  if (s.direction != DecisionDirection::maximise && s.direction != DecisionDirection::minimise) {
    throw ModelError("decision: unknown direction");
  }
  if (!s.normal_scores.empty() && s.normal_scores.size() != s.n_parameters * s.n_parameters) {
    throw ModelError(message("decision: expected a ", s.n_parameters, " x ", s.n_parameters,
                             " normal-score correlation matrix, got ", s.normal_scores.size(), " values"));
  }
  cells_ = s.n_parameters * s.bins;
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    const std::vector<std::size_t>& members = s.groups[g];
    if (members.empty()) throw ModelError(message("decision: group ", g, " has no parameters"));
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i] >= s.n_parameters) {
        throw ModelError(message("decision: group ", g, " names parameter ", members[i], " of ", s.n_parameters));
      }
      if (std::find(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(i), members[i]) !=
          members.begin() + static_cast<std::ptrdiff_t>(i)) {
        throw ModelError(message("decision: group ", g, " names parameter ", members[i], " twice"));
      }
    }
    GroupLayout layout;
    const std::size_t k = members.size();
    layout.bins_per_member = integer_root(s.bins, k);
    if (k > MAX_GROUP_MEMBERS || layout.bins_per_member < 2) {
      // Too many members to bin each finely enough: a linear metamodel (header comment).
      layout.bins_per_member = 0;
      layout.regression_members = members;
      layout.regression_first = regression_size_;
      const std::size_t p = 2 * k + 1;
      regression_size_ += p * (p + 1) / 2 + p * (s.n_modes - 1);
    } else {
      layout.members = members;
      layout.first_cell = cells_;
      layout.cells = 1;
      for (std::size_t i = 0; i < k; ++i) layout.cells *= layout.bins_per_member;
      cells_ += layout.cells;
    }
    groups_.push_back(std::move(layout));
  }
  batches_.resize(s.n_batches);
}

void DecisionAccumulator::allocate(Batch& batch) const {
  const std::size_t m = setup_.n_modes;
  batch.value.assign(m, Moments{});
  batch.regret.assign(m, Moments{});
  batch.best.assign(m, 0);
  batch.cell_runs.assign(cells_, 0);
  batch.cell_gain.assign(cells_ * (m - 1), 0.0);
  batch.cell_gain_sq.assign(cells_ * (m - 1), 0.0);
  batch.regression.assign(regression_size_, 0.0);
}

bool DecisionAccumulator::shaped_like_this(const Batch& batch) const noexcept {
  const std::size_t m = setup_.n_modes;
  return batch.value.size() == m && batch.regret.size() == m && batch.best.size() == m &&
         batch.cell_runs.size() == cells_ && batch.cell_gain.size() == cells_ * (m - 1) &&
         batch.cell_gain_sq.size() == cells_ * (m - 1) && batch.regression.size() == regression_size_;
}

void DecisionAccumulator::add_block(std::span<const double> y, std::span<const double> v, std::size_t n_runs,
                                    std::size_t batch) {
  add_block(y, BlockBins(v, n_runs, setup_.n_parameters, setup_.bins), batch);
}

void DecisionAccumulator::add_block(std::span<const double> y, const BlockBins& bins, std::size_t batch) {
  add_block(y, bins, design(bins), batch);
}

RegressionBlockDesign DecisionAccumulator::design(const BlockBins& bins) const {
  RegressionBlockDesign out;
  design(bins, out);
  return out;
}

void DecisionAccumulator::design(const BlockBins& bins, RegressionBlockDesign& out) const {
  // x = (1, t_j, t_j^3 for j in G), t_j = v_j - 1/2 (centred: the sums then round less; the
  // cube lets a member act through a normal or skewed marginal). Only the Gram matrix's upper
  // triangle is summed, by product_sums.hpp (a few times faster than a BLAS rank update on
  // these narrow designs, and the same bits for the same block whatever the thread count).
  const std::size_t n = bins.n_runs();
  out.n_runs_ = n;
  std::size_t regressed = 0;
  for (const GroupLayout& group : groups_) regressed += group.regression_members.empty() ? 0 : 1;
  out.groups_.resize(regressed);  // kept groups keep their memory: no zeroing of the features
  std::vector<ColumnPair> pairs;
  std::size_t next = 0;
  for (const GroupLayout& group : groups_) {
    if (group.regression_members.empty()) continue;
    RegressionBlockDesign::Group& g = out.groups_[next++];
    g.members = group.regression_members;
    const std::size_t k = g.members.size(), p = 2 * k + 1;
    std::vector<double>& x = g.features;
    x.resize(n * p);
    std::fill_n(x.begin(), n, 1.0);
    for (std::size_t i = 0; i < k; ++i) {
      const std::span<const double> v = bins.coordinates(g.members[i]);
      double* t = &x[(1 + i) * n];
      double* cube = &x[(1 + k + i) * n];
      for (std::size_t r = 0; r < n; ++r) {
        t[r] = v[r] - 0.5;
        cube[r] = t[r] * t[r] * t[r];
      }
    }
    pairs.clear();
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t j = i; j < p; ++j) pairs.push_back({&x[i * n], &x[j * n]});
    g.gram.assign(pairs.size(), 0.0);
    add_product_sums(pairs, n, g.gram.data());
  }
}

void DecisionAccumulator::add_block(std::span<const double> y, const BlockBins& bins,
                                    const RegressionBlockDesign& design, std::size_t batch) {
  add_block(y, bins, design, batch, work_);
}

void DecisionAccumulator::add_block(std::span<const double> y, const BlockBins& bins,
                                    const RegressionBlockDesign& design, std::size_t batch, Workspace& work) {
  const std::size_t n = bins.n_runs();
  const std::size_t m = setup_.n_modes;
  if (bins.n_parameters() != setup_.n_parameters || bins.bins() != setup_.bins) {
    throw ModelError(message("decision: block binned for ", bins.n_parameters(), " parameters in ", bins.bins(),
                             " bins, expected ", setup_.n_parameters, " in ", setup_.bins));
  }
  if (y.size() / m != n || y.size() % m != 0) {
    throw ModelError(message("decision: expected ", m, " x ", n, " outputs, got ", y.size()));
  }
  if (batch >= setup_.n_batches) {
    throw ModelError(message("decision: batch ", batch, " out of range (", setup_.n_batches, " batches)"));
  }
  {
    // The design must be this block's, for this accumulator's regression groups.
    bool same = design.n_runs_ == n || design.groups_.empty();
    std::size_t g = 0;
    for (const GroupLayout& group : groups_) {
      if (group.regression_members.empty()) continue;
      same = same && g < design.groups_.size() && design.groups_[g].members == group.regression_members;
      ++g;
    }
    if (!same || g != design.groups_.size()) {
      throw ModelError(message("decision: the block's regression design is for ", design.groups_.size(), " groups and ",
                               design.n_runs_, " runs; expected this accumulator's ", g, " regression groups and ", n,
                               " runs"));
    }
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw ModelError(message("decision: output of mode ", i / n, " in run ", i % n,
                               " is not finite; failed runs must be dropped before they reach a statistic"));
    }
  }
  if (n == 0) return;
  // A batch that is still empty receives the sums directly (merging into an empty batch is an
  // exact copy); otherwise the block is summed from zero and merged, so that the bits do not
  // depend on whether blocks were added here or merged from per-block accumulators.
  Batch& target = batches_[batch];
  if (target.runs == 0) {
    allocate(target);
    accumulate(target, y, bins, design, work);
  } else {
    // The block's sums in reused memory (a fresh batch per block was hundreds of KiB zeroed
    // and freed again per block), added to the batch and zeroed again in one pass.
    if (!shaped_like_this(work.block)) allocate(work.block);
    accumulate(work.block, y, bins, design, work);
    merge_and_clear(target, work.block);
  }
}

void DecisionAccumulator::accumulate(Batch& into, std::span<const double> y, const BlockBins& bins,
                                     const RegressionBlockDesign& design, Workspace& work) const {
  const std::size_t n = bins.n_runs();
  const std::size_t m = setup_.n_modes;
  const double sign = sign_of(setup_.direction);
  // gain[r * (m - 1) + k - 1] = u_k - u_0 of run r: the only per-run quantity the EVPPI cells
  // need, run-major so that a run's M - 1 gains are adjacent (every cell update reads them all).
  std::vector<double>& gain = work.gain;
  std::vector<double>& best_u = work.best_u;
  gain.resize((m - 1) * n);
  best_u.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    std::size_t best = 0;
    best_u[r] = sign * y[r];
    for (std::size_t k = 1; k < m; ++k) {
      const double u = sign * y[k * n + r];
      gain[r * (m - 1) + k - 1] = u - sign * y[r];
      if (u > best_u[r]) best_u[r] = u, best = k;  // strict: ties stay with the lower index
    }
    ++into.best[best];
  }
  // Each mode's y and regret in two passes over the block (mean, then squared deviations, min
  // and max), merged in as the block's moments: no division per value, unlike Moments::add.
  std::vector<double>& regret = work.regret;
  regret.resize(n);
  for (std::size_t k = 0; k < m; ++k) {
    const std::span<const double> yk = y.subspan(k * n, n);
    for (std::size_t r = 0; r < n; ++r) regret[r] = best_u[r] - sign * yk[r];
    into.value[k].merge(Moments::of_values(yk));
    into.regret[k].merge(Moments::of_values(regret));
  }
  into.runs += n;
  // Per parameter, then per binned group, then per run: every cell still receives its runs in
  // run order. A group's cell of each run is computed first, so that groups and parameters
  // share one cell loop.
  const std::size_t w = m - 1;
  std::vector<std::uint16_t>& group_cell = work.group_cell;
  auto add_all = [&](auto add) {
    for (std::size_t j = 0; j < setup_.n_parameters; ++j) add(bins.of(j).data(), j * setup_.bins);
    for (const GroupLayout& group : groups_) {
      if (group.members.empty()) continue;
      group_cell.resize(n);
      for (std::size_t r = 0; r < n; ++r) {
        std::size_t cell = 0;
        for (const std::size_t j : group.members) {
          cell = cell * group.bins_per_member + equal_probability_bin(bins.coordinates(j)[r], group.bins_per_member);
        }
        group_cell[r] = static_cast<std::uint16_t>(cell);  // < MAX_BINS (integer_root)
      }
      add(group_cell.data(), group.first_cell);
    }
  };
  // The kernel for the usual few modes (W = w), by the widest vector variant the CPU runs.
  auto add_with_width = [&]<std::size_t W>() {
    auto kernel = &add_cells_baseline<W>;
#if SYMBIOMC_AVX2_VARIANTS
    if (work.isa == VectorIsa::avx2) kernel = &add_cells_avx2<W>;
#endif
    add_all([&](const std::uint16_t* cell, std::size_t first_cell) {
      kernel(cell, n, first_cell, gain.data(), into.cell_runs.data(), into.cell_gain.data(), into.cell_gain_sq.data());
    });
  };
  switch (w) {
    case 1:
      add_with_width.template operator()<1>();
      break;
    case 2:
      add_with_width.template operator()<2>();
      break;
    case 3:
      add_with_width.template operator()<3>();
      break;
    case 4:
      add_with_width.template operator()<4>();
      break;
    case 5:
      add_with_width.template operator()<5>();
      break;
    case 6:
      add_with_width.template operator()<6>();
      break;
    default:
      add_all([&](const std::uint16_t* cell, std::size_t first_cell) {
        add_cells_of_any_width(cell, n, first_cell, w, gain.data(), into.cell_runs.data(), into.cell_gain.data(),
                               into.cell_gain_sq.data());
      });
  }
  // Regression groups: the design's Gram sums (design()), then the cross products x'gain
  // (product_sums.hpp), from the gains column by column.
  if (regression_size_ == 0) return;
  std::vector<double>& gain_columns = work.gain_columns;
  gain_columns.resize(w * n);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t k = 0; k < w; ++k) gain_columns[k * n + r] = gain[r * w + k];
  std::vector<ColumnPair> pairs;
  std::size_t next = 0;
  for (const GroupLayout& group : groups_) {
    if (group.regression_members.empty()) continue;
    const RegressionBlockDesign::Group& g = design.groups_[next++];
    const std::size_t p = 2 * group.regression_members.size() + 1;
    double* sums = &into.regression[group.regression_first];
    for (std::size_t t = 0; t < g.gram.size(); ++t) sums[t] += g.gram[t];
    sums += p * (p + 1) / 2;
    // sums[k * p + i] += sum_r x_i[r] gain_k[r]
    pairs.clear();
    for (std::size_t k = 0; k < w; ++k)
      for (std::size_t i = 0; i < p; ++i) pairs.push_back({&g.features[i * n], &gain_columns[k * n]});
    add_product_sums(pairs, n, sums);
  }
}

template <bool Clear, class From>
void DecisionAccumulator::merge_batch_impl(Batch& into, From& from) const {
  if (from.runs == 0) return;
  if (into.runs == 0) {
    into = from;
    if constexpr (Clear) {
      allocate(from);
      from.runs = 0;
    }
    return;
  }
  // A value of `from`, left as zero when clearing: the add and the clear in one pass.
  auto take = [](auto& x) {
    if constexpr (Clear) {
      return std::exchange(x, std::remove_cvref_t<decltype(x)>{});
    } else {
      return x;
    }
  };
  into.runs += take(from.runs);
  for (std::size_t k = 0; k < setup_.n_modes; ++k) {
    into.value[k].merge(take(from.value[k]));
    into.regret[k].merge(take(from.regret[k]));
    into.best[k] += take(from.best[k]);
  }
  for (std::size_t c = 0; c < into.cell_runs.size(); ++c) into.cell_runs[c] += take(from.cell_runs[c]);
  for (std::size_t c = 0; c < into.cell_gain.size(); ++c) {
    into.cell_gain[c] += take(from.cell_gain[c]);
    into.cell_gain_sq[c] += take(from.cell_gain_sq[c]);
  }
  for (std::size_t c = 0; c < into.regression.size(); ++c) into.regression[c] += take(from.regression[c]);
}

void DecisionAccumulator::merge_batch(Batch& into, const Batch& from) const { merge_batch_impl<false>(into, from); }

void DecisionAccumulator::merge_and_clear(Batch& into, Batch& from) const { merge_batch_impl<true>(into, from); }

void DecisionAccumulator::merge(const DecisionAccumulator& other) {
  if (!(other.setup_ == setup_)) {
    throw ModelError(
        "decision: cannot merge accumulators with different setups (modes, parameters, bins, "
        "batches, direction or groups)");
  }
  for (std::size_t k = 0; k < batches_.size(); ++k) merge_batch(batches_[k], other.batches_[k]);
}

std::uint64_t DecisionAccumulator::count() const noexcept {
  std::uint64_t n = 0;
  for (const Batch& b : batches_) n += b.runs;
  return n;
}

double DecisionAccumulator::evppi_of(std::span<const std::uint64_t> runs, std::span<const double> gain,
                                     std::size_t first, std::size_t cells) const {
  // EVPPI = (1/n) [sum_b max(0, max_k S_bk) - max(0, max_k sum_b S_bk)] with S_bk the sum of
  // u_k - u_0 in cell b: the bin means' maxima weighted by n_b / n, without a division per bin.
  const std::size_t w = setup_.n_modes - 1;
  std::uint64_t n = 0;
  double sum_of_max = 0.0;
  std::vector<double> total(w, 0.0);
  for (std::size_t c = first; c < first + cells; ++c) {
    n += runs[c];
    double best = 0.0;
    for (std::size_t k = 0; k < w; ++k) {
      best = std::max(best, gain[c * w + k]);
      total[k] += gain[c * w + k];
    }
    sum_of_max += best;
  }
  double max_of_sum = 0.0;
  for (const double t : total) max_of_sum = std::max(max_of_sum, t);
  return (sum_of_max - max_of_sum) / static_cast<double>(n);
}

double DecisionAccumulator::noise_bound_of(const Batch& pooled, std::size_t first, std::size_t cells) const {
  // Tied case: were every mode's conditional mean equal in every cell, each cell would add
  // E[max(0, max_k noise_k)] <= sum_k sd_bk / sqrt(n_b) phi(0) (a union bound, exact for two
  // modes) with sd_bk the within-cell sd of u_k - u_0, weighted by n_b / n.
  const std::size_t w = setup_.n_modes - 1;
  const double phi0 = 1.0 / std::sqrt(2.0 * std::numbers::pi);
  std::uint64_t n = 0;
  double bound = 0.0;
  for (std::size_t c = first; c < first + cells; ++c) {
    n += pooled.cell_runs[c];
    if (pooled.cell_runs[c] < 2) continue;
    const double nc = static_cast<double>(pooled.cell_runs[c]);
    for (std::size_t k = 0; k < w; ++k) {
      const double s1 = pooled.cell_gain[c * w + k], s2 = pooled.cell_gain_sq[c * w + k];
      const double variance = std::max(0.0, (s2 - s1 * s1 / nc) / (nc - 1.0));
      bound += nc * std::sqrt(variance / nc);
    }
  }
  return phi0 * bound / static_cast<double>(n);
}

DecisionResult DecisionAccumulator::finalize(double conf_level) const {
  return finalize(conf_level, regression_rule());
}

RegressionRule DecisionAccumulator::regression_rule() const {
  RegressionRule rule;
  rule.normal_scores_ = setup_.normal_scores;
  for (const GroupLayout& group : groups_) {
    if (group.regression_members.empty()) continue;
    // The metamodel's features (1, t, t^3) at every draw, once for all the jackknife's fits.
    const std::size_t k = group.regression_members.size();
    const std::vector<double> draws = regression_draws(group);
    // Column-major, as regression_evppi_of maps it.
    std::vector<double> features(REGRESSION_DRAWS * (2 * k + 1));
    for (std::size_t s = 0; s < REGRESSION_DRAWS; ++s) {
      features[s] = 1.0;
      for (std::size_t a = 0; a < k; ++a) {
        const double t = draws[s * k + a];
        features[(1 + a) * REGRESSION_DRAWS + s] = t;
        features[(1 + k + a) * REGRESSION_DRAWS + s] = t * t * t;
      }
    }
    rule.members_.push_back(group.regression_members);
    rule.features_.push_back(std::move(features));
  }
  return rule;
}

DecisionResult DecisionAccumulator::finalize(double conf_level, const RegressionRule& rule) const {
  check_conf_level(conf_level);
  {
    std::vector<std::vector<std::size_t>> members;
    for (const GroupLayout& group : groups_)
      if (!group.regression_members.empty()) members.push_back(group.regression_members);
    if (members != rule.members_ || rule.normal_scores_ != setup_.normal_scores) {
      throw ModelError("decision: the regression rule was built for other groups or another copula");
    }
  }
  const std::size_t m = setup_.n_modes;
  const double sign = sign_of(setup_.direction);
  // Pool the batches in batch order; remember the non-empty ones for the jackknife.
  Batch pooled;
  std::vector<std::size_t> present;
  std::vector<std::uint64_t> present_runs;
  for (std::size_t k = 0; k < batches_.size(); ++k) {
    if (batches_[k].runs == 0) continue;
    present.push_back(k);
    present_runs.push_back(batches_[k].runs);
    merge_batch(pooled, batches_[k]);
  }
  if (pooled.runs < 2 || present.size() < 2) {
    throw ModelError(message("decision: need at least 2 runs in at least 2 batches, got ", pooled.runs, " runs in ",
                             present.size(), " batches"));
  }

  DecisionResult result;
  result.direction = setup_.direction;
  result.runs = pooled.runs;
  result.batches = present.size();
  result.bins = setup_.bins;
  result.conf_level = conf_level;
  result.modes.resize(m);
  for (std::size_t k = 0; k < m; ++k) {
    ModeDecision& mode = result.modes[k];
    mode.mean = pooled.value[k].mean();
    std::tie(mode.mean_low, mode.mean_high) = pooled.value[k].ci_mean(conf_level);
    mode.best_runs = pooled.best[k];
    mode.p_best = static_cast<double>(pooled.best[k]) / static_cast<double>(pooled.runs);
    std::tie(mode.p_best_low, mode.p_best_high) = wilson_interval(pooled.best[k], pooled.runs, conf_level);
    if (sign * mode.mean > sign * result.modes[result.best_mode].mean) result.best_mode = k;
  }
  const Moments& regret = pooled.regret[result.best_mode];
  result.evpi.value = regret.mean();
  result.evpi.std_error = regret.standard_error();
  std::tie(result.evpi.low, result.evpi.high) = regret.ci_mean(conf_level);

  // Leave-one-batch-out cell sums by subtraction from the pooled ones (counts exactly).
  const std::size_t g = present.size();
  std::vector<std::vector<std::uint64_t>> runs_without(g, pooled.cell_runs);
  std::vector<std::vector<double>> gain_without(g, pooled.cell_gain);
  for (std::size_t i = 0; i < g; ++i) {
    const Batch& b = batches_[present[i]];
    for (std::size_t c = 0; c < cells_; ++c) runs_without[i][c] -= b.cell_runs[c];
    for (std::size_t c = 0; c < pooled.cell_gain.size(); ++c) gain_without[i][c] -= b.cell_gain[c];
  }
  const double t = boost::math::quantile(
      boost::math::complement(boost::math::students_t(static_cast<double>(g - 1)), 0.5 * (1.0 - conf_level)));
  auto estimate = [&](std::vector<std::size_t> parameters, std::size_t bins_per_member, std::size_t first,
                      std::size_t cells) {
    EvppiEstimate e;
    e.parameters = std::move(parameters);
    e.computed = true;
    e.bins_per_member = bins_per_member;
    e.cells = cells;
    std::vector<double> without(g);
    for (std::size_t i = 0; i < g; ++i) without[i] = evppi_of(runs_without[i], gain_without[i], first, cells);
    const BatchEstimate j =
        jackknife(evppi_of(pooled.cell_runs, pooled.cell_gain, first, cells), without, present_runs, conf_level);
    e.raw = j.value;
    e.plug_in = j.plug_in;
    e.noise_bound = noise_bound_of(pooled, first, cells);
    e.consistent_with_zero = e.plug_in - e.noise_bound <= t * j.std_error;
    e.std_error = j.std_error;
    e.value = std::clamp(j.value, 0.0, result.evpi.value);
    e.clipped = e.value != e.raw;
    // The truth is >= 0: the interval is intersected with [0, inf), and one wholly below 0
    // (the bias correction overshooting for a parameter of no value) becomes {0}.
    e.low = e.consistent_with_zero ? 0.0 : std::max(0.0, j.low);
    e.high = std::max(0.0, j.high);
    return e;
  };
  for (std::size_t j = 0; j < setup_.n_parameters; ++j) {
    result.evppi.push_back(estimate({j}, setup_.bins, j * setup_.bins, setup_.bins));
  }
  std::size_t next_rule = 0;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    const GroupLayout& group = groups_[i];
    if (!group.regression_members.empty()) {
      result.group_evppi.push_back(regression_estimate(group, rule.features_[next_rule++], pooled, present,
                                                       present_runs, result.evpi.value, conf_level, t));
    } else if (group.members.empty()) {
      EvppiEstimate e;
      e.parameters = setup_.groups[i];
      e.reason = group.reason;
      e.bins_per_member = group.bins_per_member;
      result.group_evppi.push_back(std::move(e));
    } else {
      result.group_evppi.push_back(estimate(group.members, group.bins_per_member, group.first_cell, group.cells));
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Regression EVPPI of large groups (header comment)

std::vector<double> DecisionAccumulator::regression_draws(const GroupLayout& group) const {
  const std::size_t k = group.regression_members.size();
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  if (!setup_.normal_scores.empty()) {
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b)
        r(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) =
            setup_.normal_scores[group.regression_members[a] * setup_.n_parameters + group.regression_members[b]];
  }
  const bool independent = r.isIdentity(0.0);
  const Eigen::LLT<Eigen::MatrixXd> llt(r);
  if (llt.info() != Eigen::Success)
    throw ModelError("decision: a group's normal-score correlation is not positive definite");
  const Eigen::MatrixXd l = llt.matrixL();
  // A fixed integration rule, not part of the study's randomness: the same draws for every seed.
  // The centred Sobol' net: the first REGRESSION_DRAWS = 2^m points of the Sobol' sequence
  // (Boost's engine skips the zero point, so point 0 is added; then every coordinate takes each
  // value j / 2^m once), moved to the centres j / 2^m + 2^-(m+1) of their intervals, which
  // keeps them inside (0, 1). For the piecewise-linear integrand of an EVPPI (a max of fitted
  // means) its error on the tests' uniform linear model is ~1e-4 of the decision's scale at
  // 2^14 points, where a Latin hypercube of 2^16 points erred by ~5e-4 (measured against 2^23
  // Latin hypercube draws by tests/reference/regression_rule_error.py) at four times the cost.
  static_assert(std::has_single_bit(REGRESSION_DRAWS), "a Sobol' net has 2^m points");
  constexpr double TWO_TO_64 = 18446744073709551616.0;
  constexpr double HALF_CELL = 0.5 / static_cast<double>(REGRESSION_DRAWS);
  boost::random::sobol net(k);
  std::vector<double> z(REGRESSION_DRAWS * k);
  for (std::size_t s = 0; s < REGRESSION_DRAWS; ++s) {
    for (std::size_t a = 0; a < k; ++a) {
      const double u = (s == 0 ? 0.0 : static_cast<double>(net()) / TWO_TO_64) + HALF_CELL;
      z[s * k + a] = independent ? u - 0.5 : -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * u);
    }
  }
  if (independent) return z;  // V_G is then the uniform net itself
  std::vector<double> draws(REGRESSION_DRAWS * k);
  for (std::size_t s = 0; s < REGRESSION_DRAWS; ++s) {
    for (std::size_t a = 0; a < k; ++a) {
      double correlated = 0.0;
      for (std::size_t b = 0; b <= a; ++b)
        correlated += l(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) * z[s * k + b];
      draws[s * k + a] = 0.5 * std::erfc(-correlated / std::numbers::sqrt2) - 0.5;
    }
  }
  return draws;
}

double DecisionAccumulator::regression_evppi_of(const GroupLayout& group, std::span<const double> sums,
                                                std::span<const double> features) const {
  const std::size_t k = group.regression_members.size(), p = 2 * k + 1, w = setup_.n_modes - 1;
  const auto ip = static_cast<Eigen::Index>(p);
  const Eigen::Map<const Eigen::MatrixXd> feature_matrix(features.data(), static_cast<Eigen::Index>(REGRESSION_DRAWS),
                                                         ip);
  Eigen::MatrixXd gram(ip, ip);
  const double* tri = &sums[group.regression_first];
  for (std::size_t i = 0, t = 0; i < p; ++i)
    for (std::size_t j = i; j < p; ++j, ++t)
      gram(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          gram(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = tri[t];
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(gram);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || ldlt.vectorD().minCoeff() <= 0.0) return 0.0;
  Eigen::MatrixXd cross(ip, static_cast<Eigen::Index>(w));
  const double* c = tri + p * (p + 1) / 2;
  for (std::size_t m = 0; m < w; ++m)
    for (std::size_t i = 0; i < p; ++i)
      cross(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(m)) = c[m * p + i];
  const Eigen::MatrixXd beta = ldlt.solve(cross);        // p x w: one fitted conditional mean per mode
  const Eigen::MatrixXd fitted = feature_matrix * beta;  // S x w, one matrix product (vectorised)
  const double sum_of_max = fitted.rowwise().maxCoeff().cwiseMax(0.0).sum();
  const double max_of_sum = std::max(0.0, fitted.colwise().sum().maxCoeff());
  return (sum_of_max - max_of_sum) / static_cast<double>(REGRESSION_DRAWS);
}

EvppiEstimate DecisionAccumulator::regression_estimate(const GroupLayout& group, std::span<const double> features,
                                                       const Batch& pooled, std::span<const std::size_t> present,
                                                       std::span<const std::uint64_t> present_runs, double evpi,
                                                       double conf_level, double t) const {
  std::vector<double> without(present.size());
  std::vector<double> sums(pooled.regression.size());
  for (std::size_t i = 0; i < present.size(); ++i) {
    const Batch& b = batches_[present[i]];
    for (std::size_t c = 0; c < sums.size(); ++c) sums[c] = pooled.regression[c] - b.regression[c];
    without[i] = regression_evppi_of(group, sums, features);
  }
  const BatchEstimate j =
      jackknife(regression_evppi_of(group, pooled.regression, features), without, present_runs, conf_level);
  EvppiEstimate e;
  e.parameters = group.regression_members;
  e.computed = true;
  e.method = EvppiMethod::regression;
  e.raw = j.value;
  e.plug_in = j.plug_in;
  e.std_error = j.std_error;
  e.consistent_with_zero = e.plug_in <= t * j.std_error;
  e.value = std::clamp(j.value, 0.0, evpi);
  e.clipped = e.value != e.raw;
  e.low = e.consistent_with_zero ? 0.0 : std::max(0.0, j.low);
  e.high = std::max(0.0, j.high);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Serialisation (byte_stream.hpp)

void DecisionAccumulator::save(ByteWriter& out) const {
  // The setup first, so that load can refuse state written for another shape.
  out.u64(setup_.n_modes);
  out.u64(setup_.n_parameters);
  out.u64(setup_.bins);
  out.u64(setup_.n_batches);
  out.u64(static_cast<std::uint64_t>(setup_.direction));
  out.u64(setup_.groups.size());
  for (const auto& group : setup_.groups) out.u64s(std::vector<std::uint64_t>(group.begin(), group.end()));
  out.f64s(setup_.normal_scores);
  // Only the non-empty batches: a block accumulator holds one of K.
  std::uint64_t present = 0;
  for (const Batch& b : batches_) present += b.runs > 0 ? 1 : 0;
  out.u64(present);
  for (std::size_t k = 0; k < batches_.size(); ++k) {
    const Batch& b = batches_[k];
    if (b.runs == 0) continue;
    out.u64(k);
    out.u64(b.runs);
    save_moments(out, b.value);
    save_moments(out, b.regret);
    out.u64s(b.best);
    out.u64s(b.cell_runs);
    out.f64s(b.cell_gain);
    out.f64s(b.cell_gain_sq);
    out.f64s(b.regression);
  }
}

DecisionAccumulator DecisionAccumulator::load(ByteReader& in, const DecisionSetup& setup) {
  DecisionSetup saved;
  saved.n_modes = in.u64();
  saved.n_parameters = in.u64();
  saved.bins = in.u64();
  saved.n_batches = in.u64();
  const std::uint64_t direction = in.u64();
  if (direction > 1) in.fail("a decision direction (0 or 1)");
  saved.direction = static_cast<DecisionDirection>(direction);
  const std::uint64_t n_groups = in.count_at_most(setup.groups.size(), "the expected number of groups");
  for (std::uint64_t i = 0; i < n_groups; ++i) {
    const std::vector<std::uint64_t> group = in.u64s();
    saved.groups.emplace_back(group.begin(), group.end());
  }
  saved.normal_scores = in.f64s();
  if (!(saved == setup)) in.fail("a decision accumulator of the expected setup");
  DecisionAccumulator acc(setup);
  const std::uint64_t present = in.count_at_most(setup.n_batches, "at most one state per batch");
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < present; ++i) {
    const std::uint64_t k = in.u64();
    if (k >= setup.n_batches || (i > 0 && k <= previous)) in.fail("increasing batch indices below n_batches");
    previous = k;
    Batch& b = acc.batches_[k];
    b.runs = in.u64();
    b.value = load_moments(in, setup.n_modes);
    b.regret = load_moments(in, setup.n_modes);
    b.best = in.u64s();
    b.cell_runs = in.u64s();
    b.cell_gain = in.f64s();
    b.cell_gain_sq = in.f64s();
    b.regression = in.f64s();
    std::uint64_t best_total = 0;
    for (const std::uint64_t c : b.best) best_total += c;
    bool consistent = b.runs > 0 && b.best.size() == setup.n_modes && best_total == b.runs &&
                      b.cell_runs.size() == acc.cells_ && b.cell_gain.size() == acc.cells_ * (setup.n_modes - 1) &&
                      b.cell_gain_sq.size() == b.cell_gain.size() && b.regression.size() == acc.regression_size_;
    for (std::size_t k2 = 0; consistent && k2 < setup.n_modes; ++k2) {
      consistent = b.value[k2].count() == b.runs && b.regret[k2].count() == b.runs;
    }
    if (!consistent) in.fail("batch state sized to the setup, with counts that agree");
  }
  return acc;
}

}  // namespace symbiomc
