#include "symbiomc/studies/sobol_study.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <span>

#include "mode_outputs.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/sampling/segment_runner.hpp"

namespace symbiomc {

std::vector<SobolFactor> sobol_factors(const Problem& problem, bool with_groups) {
  std::vector<SobolFactor> factors;
  for (std::size_t i = 0; i < problem.dimension(); ++i) factors.push_back({problem.parameters()[i].name, false, {i}});
  if (with_groups)
    for (const auto& g : problem.groups())
      if (g.members.size() > 1) factors.push_back({g.name, true, g.members});
  return factors;
}

std::vector<IdentityEntry> result_identity(const SobolConfig& c) {
  return {{"base runs", message(c.base_runs)},
          {"seed", message(c.seed)},
          {"sampling", std::string(to_string(c.method))},
          {"replicates", message(c.method == SamplingMethod::qmc ? c.replicates : 1)},
          {"second order", c.second_order ? "yes" : "no"},
          {"groups", c.groups ? "yes" : "no"},
          {"confidence level", message(c.conf_level)},
          {"base block", message(c.base_block)},
          {"segment blocks", message(c.segment_blocks)},
          {"target CI width", message(c.target_ci_width)},
          {"max base runs", message(c.max_base_runs)}};
}

namespace {

struct Scratch {
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> u, xa, xb, x, y, ya, yb, yab, yba;
  std::vector<RunStatus> status;
};

/// What a block, a segment or the running total of one replicate holds.
struct SobolBlock {
  std::size_t replicate = 0;
  std::vector<SobolAccumulator> accumulators;  ///< [mode]
  std::vector<std::uint64_t> dropped;          ///< [mode]
  std::vector<std::uint64_t> failed_rows;      ///< [mode * RUN_STATUS_COUNT + status]
  std::uint64_t rows = 0;

  /// Folds a later block of the same replicate in.
  void absorb(const SobolBlock& later) {
    for (std::size_t m = 0; m < accumulators.size(); ++m) {
      accumulators[m].merge(later.accumulators[m]);
      dropped[m] += later.dropped[m];
    }
    for (std::size_t i = 0; i < failed_rows.size(); ++i) failed_rows[i] += later.failed_rows[i];
    rows += later.rows;
  }

  void save(ByteWriter& out) const {
    out.u64(accumulators.size());
    for (const auto& a : accumulators) a.save(out);
    out.u64s(dropped);
    out.u64s(failed_rows);
    out.u64(rows);
  }

  /// Reads what save() wrote for replicate `replicate`, checking the number of modes.
  static SobolBlock load(ByteReader& in, std::size_t replicate, std::size_t modes) {
    SobolBlock blk;
    blk.replicate = replicate;
    if (in.u64() != modes) in.fail("one Sobol' accumulator per mode");
    for (std::size_t m = 0; m < modes; ++m) blk.accumulators.push_back(SobolAccumulator::load(in));
    blk.dropped = in.u64s();
    blk.failed_rows = in.u64s();
    if (blk.dropped.size() != modes || blk.failed_rows.size() != modes * RUN_STATUS_COUNT)
      in.fail("per-mode failure counts");
    blk.rows = in.u64();
    return blk;
  }
};

/// The accumulator ranks all factors together; a group overlaps its members, so parameters
/// are ranked among parameters and groups among groups, and sum S1 counts parameters only.
void rank_by_kind(SobolEstimates& estimates, const std::vector<SobolFactor>& factors) {
  for (auto& out : estimates.outputs) {
    std::vector<std::size_t> order;
    double sum_first = 0.0;
    for (bool groups : {false, true}) {
      std::vector<std::size_t> kind;
      for (std::size_t f = 0; f < factors.size(); ++f)
        if (factors[f].is_group == groups) kind.push_back(f);
      std::stable_sort(kind.begin(), kind.end(),
                       [&](std::size_t a, std::size_t b) { return out.total[a].value > out.total[b].value; });
      for (std::size_t i = 0; i < kind.size(); ++i) {
        const std::size_t f = kind[i];
        out.rank_by_total[f] = i + 1;
        const auto& here = out.total[f];
        out.total_overlaps_next[f] = i + 1 < kind.size() && std::max(here.low, out.total[kind[i + 1]].low) <=
                                                                std::min(here.high, out.total[kind[i + 1]].high);
        if (!groups) sum_first += out.first[f].value;
        order.push_back(f);
      }
    }
    out.factors_by_total = order;
    out.sum_first = sum_first;
  }
}

/// Where a Sobol' study is, in its own terms (part of the checkpointed state).
struct SobolPosition {
  std::uint64_t next_block = 0;  ///< local blocks folded, in every replicate
  std::size_t stage = 0;         ///< index into SobolPlan::stage_targets
  std::size_t next_mark = 0;     ///< marks (then stage targets) snapshotted so far
  bool target_reached = true;
};

/// The index-defined plan of a Sobol' study: how many base samples, in which blocks and
/// segments, and where the convergence snapshots and the doubling decisions fall. A pure
/// function of the options, so every MPI rank and every resume has the same one.
struct SobolPlan {
  std::size_t replicates = 1;
  bool doubling = false;                     ///< --target-ci-width: double N until the intervals are narrow enough
  std::uint64_t per_replicate = 0;           ///< N per replicate of the first stage
  std::size_t block = 1;                     ///< base samples per index-defined block
  std::uint64_t cap_per_replicate = 0;       ///< the largest N per replicate a doubling may reach
  std::vector<std::uint64_t> stage_targets;  ///< N per replicate of each stage: per_replicate, then doublings
  std::vector<std::uint64_t> marks;          ///< N per replicate at which a convergence snapshot is taken
  std::vector<std::uint64_t> cuts;           ///< segment s holds local blocks [cuts[s], cuts[s + 1])

  /// Base samples per replicate the design may reach: a block never runs past it.
  [[nodiscard]] std::uint64_t limit() const { return doubling ? cap_per_replicate : per_replicate; }
  /// Base samples per replicate of snapshot i: the marks, then each later stage's target.
  [[nodiscard]] std::uint64_t mark_at(std::size_t i) const {
    return i < marks.size() ? marks[i] : stage_targets[i - marks.size() + 1];
  }
};

void check_config(const Problem& problem, const SobolConfig& config) {
  if (problem.correlation())
    throw ModelError(message("Sobol' indices assume independent inputs, but ", problem.correlation()->path(),
                             " correlates ", problem.correlation()->pairs().size(),
                             " parameter pairs: compute Shapley effects, which allow for correlated inputs, with "
                             "`--method shapley`; or rerun with --ignore-correlation to compute the indices without "
                             "them (the output then says so), or study correlated inputs with `uncertainty`"));
  if (config.method != SamplingMethod::mc && config.method != SamplingMethod::qmc)
    throw ModelError("Sobol' base samples come from mc or qmc");
  if (!(config.conf_level > 0 && config.conf_level < 1)) throw ModelError("--conf-level must be in (0, 1)");
  if (problem.dimension() == 0)
    throw ModelError("the distributions file makes no parameter uncertain: nothing to analyse");
}

/// An index-defined block size that divides N/8 when N is a power of two, so the convergence
/// snapshots fall on block boundaries.
std::size_t block_size_for(std::uint64_t base_block, std::uint64_t per_replicate) {
  return std::bit_floor(
      std::max<std::uint64_t>(1, std::min<std::uint64_t>(base_block, std::max<std::uint64_t>(1, per_replicate / 8))));
}

/// N per replicate of each stage: N, then (with --target-ci-width) every doubling up to the cap.
std::vector<std::uint64_t> doubling_stages(std::uint64_t per_replicate, std::uint64_t cap_per_replicate,
                                           bool doubling) {
  std::vector<std::uint64_t> stage_targets{per_replicate};
  if (doubling)
    while (stage_targets.back() * 2 <= cap_per_replicate) stage_targets.push_back(stage_targets.back() * 2);
  return stage_targets;
}

/// Convergence snapshots at N/8, N/4, N/2 and N (those of at least 2 base samples).
std::vector<std::uint64_t> convergence_marks(std::uint64_t per_replicate) {
  std::vector<std::uint64_t> marks;
  for (std::uint64_t div : {8, 4, 2, 1})
    if (per_replicate / div >= 2) marks.push_back(per_replicate / div);
  return marks;
}

/// Index-defined segments over local blocks (each covering every replicate): at most
/// `segment_blocks` blocks, cut at every convergence mark and at every N a doubling may reach,
/// so a snapshot or a stopping decision always falls on a segment boundary.
std::vector<std::uint64_t> segment_cuts(const SobolPlan& plan, std::size_t segment_blocks) {
  std::vector<std::uint64_t> boundaries;  // local block indices
  for (std::uint64_t m : plan.marks) boundaries.push_back((m + plan.block - 1) / plan.block);
  for (std::uint64_t t : plan.stage_targets) boundaries.push_back((t + plan.block - 1) / plan.block);
  std::sort(boundaries.begin(), boundaries.end());
  std::vector<std::uint64_t> cuts{0};
  for (std::uint64_t boundary : boundaries)
    while (cuts.back() < boundary) cuts.push_back(std::min<std::uint64_t>(boundary, cuts.back() + segment_blocks));
  return cuts;
}

SobolPlan plan_sobol(const SobolConfig& config) {
  SobolPlan plan;
  plan.replicates = config.method == SamplingMethod::qmc ? std::max<std::size_t>(2, config.replicates) : 1;
  const std::size_t replicates = plan.replicates;
  if (config.base_runs < 2 * replicates)
    throw ModelError(message("--base-runs ", config.base_runs, " is too small: need at least ", 2 * replicates));
  plan.per_replicate = (config.base_runs + replicates - 1) / replicates;
  plan.doubling = config.target_ci_width > 0;
  const std::uint64_t cap_total =
      config.max_base_runs ? std::max(config.max_base_runs, config.base_runs) : 64 * config.base_runs;
  plan.block = block_size_for(config.base_block, plan.per_replicate);
  // Doubling N must extend whole blocks, so with --target-ci-width N starts at a multiple of
  // the block size; otherwise the last block stops exactly at N.
  if (plan.doubling) plan.per_replicate = (plan.per_replicate + plan.block - 1) / plan.block * plan.block;
  plan.cap_per_replicate = std::max(plan.per_replicate, (cap_total + replicates - 1) / replicates);
  plan.stage_targets = doubling_stages(plan.per_replicate, plan.cap_per_replicate, plan.doubling);
  plan.marks = convergence_marks(plan.per_replicate);
  plan.cuts = segment_cuts(plan, config.segment_blocks);
  return plan;
}

double widest_total_interval(const std::vector<SobolEstimates>& estimates) {
  double widest = 0.0;
  for (const auto& e : estimates)
    for (const auto& o : e.outputs)
      if (!o.zero_variance)
        for (const auto& t : o.total) widest = std::max(widest, t.high - t.low);
  return widest;
}

/// Sobol' analysis as a SegmentedStudy (segment_runner.hpp). Work items are (local block,
/// replicate) pairs, item = block * replicates + replicate, so a segment of local blocks covers
/// every replicate; a block's base samples come from its replicate's index-defined design
/// (Saltelli's A and B halves of one 2d-dimensional point). The folded state is one running
/// SobolBlock per replicate (merged in block order), the failure counts, the convergence
/// snapshots and the SobolPosition. Not movable: the per-thread scratch refers to the study.
class SobolStudy {
 public:
  using Block = SobolBlock;
  using Segment = std::vector<SobolBlock>;  ///< one per replicate

  SobolStudy(const Model& model, const Problem& problem, const SobolConfig& config);
  SobolStudy(const SobolStudy&) = delete;
  SobolStudy& operator=(const SobolStudy&) = delete;

  [[nodiscard]] std::string kind() const { return "sobol"; }
  [[nodiscard]] std::vector<IdentityEntry> identity() const {
    std::vector<IdentityEntry> identity = config_.input_identity;
    for (auto& entry : result_identity(config_)) identity.push_back(std::move(entry));
    return identity;
  }
  [[nodiscard]] std::uint64_t segment_count() const { return plan_.cuts.size() - 1; }
  [[nodiscard]] ItemRange segment_items(std::uint64_t index) const {
    return {plan_.cuts[index] * plan_.replicates, plan_.cuts[index + 1] * plan_.replicates};
  }
  [[nodiscard]] std::uint64_t wave_items() const { return wave_blocks_ * plan_.replicates; }
  [[nodiscard]] Block run_block(std::uint64_t item) const {
    const std::size_t r = static_cast<std::size_t>(item % plan_.replicates);
    SobolBlock blk = fresh_block(r);
    add_block(r, item / plan_.replicates, blk);
    return blk;
  }
  [[nodiscard]] Segment empty_segment() const {
    Segment segment;
    for (std::size_t r = 0; r < plan_.replicates; ++r) segment.push_back(fresh_block(r));
    return segment;
  }
  void absorb_wave(Segment& segment, std::span<const Block> blocks) const {
    for (const auto& blk : blocks) segment[blk.replicate].absorb(blk);  // block order, per replicate
  }
  void save_segment(const Segment& segment, ByteWriter& out) const {
    for (const auto& blk : segment) blk.save(out);
  }
  [[nodiscard]] Segment load_segment(ByteReader& in) const {
    Segment segment;
    for (std::size_t r = 0; r < plan_.replicates; ++r) segment.push_back(SobolBlock::load(in, r, modes_));
    return segment;
  }
  bool fold(std::uint64_t index, Segment&& segment);
  void save_state(ByteWriter& out) const;
  void load_state(ByteReader& in);
  /// Segments [0, segments) end at local block cuts[segments]: where the folded state stands.
  /// (A finished Sobol' study may have stopped early, at its --target-ci-width.)
  [[nodiscard]] bool state_holds(std::uint64_t segments, bool /*finished*/) const {
    return at_.next_block == plan_.cuts[segments];
  }
  [[nodiscard]] StudyProgress progress() const {
    const std::uint64_t reached = reached_now() * plan_.replicates;
    const std::uint64_t planned = plan_.per_replicate * plan_.replicates;
    return {std::min(reached, planned), std::max(planned, reached)};
  }
  [[nodiscard]] std::string interrupted_message() const {
    return message("interrupted after ", result_.model_runs, " model runs");
  }

  /// The result's description, without estimates: what an MPI worker rank returns.
  [[nodiscard]] SobolResult empty_result() const;
  /// The result of everything folded; leaves the study's state moved from.
  [[nodiscard]] SobolResult take_result();

 private:
  [[nodiscard]] SobolBlock fresh_block(std::size_t r) const;
  /// Evaluates base samples [b * block, ...) of replicate r, below `limit`; `on_sample`
  /// receives the scratch and each base sample's index in the block. Returns the rows run.
  template <class OnSample>
  std::uint64_t evaluate_block(std::size_t r, std::uint64_t b, std::uint64_t limit, OnSample&& on_sample) const;
  /// Evaluates local block b of replicate r into `blk`.
  void add_block(std::size_t r, std::uint64_t b, SobolBlock& blk) const;
  /// Pilot: the A rows of replicate 0's first block give each output's shift.
  void measure_shifts();
  /// Base samples per replicate folded within the current stage.
  [[nodiscard]] std::uint64_t reached_now() const {
    return std::min<std::uint64_t>(at_.next_block * plan_.block, plan_.stage_targets[at_.stage]);
  }
  void take_due_snapshots(std::uint64_t reached);
  /// End of a stage: true to go on to the next one.
  bool next_stage();
  [[nodiscard]] SobolEstimates mode_estimates(std::size_t m) const;
  [[nodiscard]] std::vector<SobolEstimates> estimates_now() const;

  const Model& model_;
  const Problem& problem_;
  const SobolConfig& config_;
  std::vector<SobolFactor> factors_;
  std::size_t d_, f_count_, rows_per_base_, modes_, k_all_;
  std::vector<std::vector<std::size_t>> by_mode_;
  SobolPlan plan_;
  std::uint64_t wave_blocks_ = 1;
  std::vector<UnitDesign> designs_;  ///< [replicate]
  mutable tbb::enumerable_thread_specific<Scratch> scratch_;
  std::vector<std::vector<double>> shift_;  ///< [mode][output]
  std::vector<SobolBlock> running_;         ///< per replicate, merged in block order
  SobolResult result_;                      ///< failure counts, model runs and snapshots so far
  SobolPosition at_;
};

SobolStudy::SobolStudy(const Model& model, const Problem& problem, const SobolConfig& config)
    : model_(model), problem_(problem), config_(config), scratch_([this] {
        const std::size_t block = plan_.block, rows = block * rows_per_base_;
        Scratch s;
        s.workspace = model_.make_workspace(rows);
        s.u.resize(block * 2 * d_);
        s.xa.resize(block * d_);
        s.xb.resize(block * d_);
        s.x.resize(rows * d_);
        s.y.resize(rows * k_all_);
        s.status.resize(rows * modes_);
        s.ya.resize(k_all_);
        s.yb.resize(k_all_);
        s.yab.resize(f_count_ * k_all_);
        s.yba.resize(config_.second_order ? f_count_ * k_all_ : 0);
        return s;
      }) {
  check_config(problem, config);
  d_ = problem.dimension();
  factors_ = sobol_factors(problem, config.groups);
  f_count_ = factors_.size();
  rows_per_base_ = 2 + f_count_ * (config.second_order ? 2 : 1);
  modes_ = model.modes().size();
  by_mode_ = outputs_by_mode(model);
  k_all_ = model.outputs().size();
  plan_ = plan_sobol(config);
  wave_blocks_ = std::max<std::size_t>(
      1, 4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()) / plan_.replicates);
  for (std::size_t r = 0; r < plan_.replicates; ++r)
    designs_.emplace_back(config.method, 2 * d_, plan_.cap_per_replicate, config.seed, r);
  measure_shifts();
  result_ = empty_result();
  for (std::size_t r = 0; r < plan_.replicates; ++r) running_.push_back(fresh_block(r));
}

SobolBlock SobolStudy::fresh_block(std::size_t r) const {
  SobolBlock blk;
  blk.replicate = r;
  for (std::size_t m = 0; m < modes_; ++m)
    blk.accumulators.emplace_back(f_count_, by_mode_[m].size(), config_.second_order, shift_[m]);
  blk.dropped.assign(modes_, 0);
  blk.failed_rows.assign(modes_ * RUN_STATUS_COUNT, 0);
  return blk;
}

template <class OnSample>
std::uint64_t SobolStudy::evaluate_block(std::size_t r, std::uint64_t b, std::uint64_t limit,
                                         OnSample&& on_sample) const {
  const std::size_t d = d_, block = plan_.block, rows_per_base = rows_per_base_, f_count = f_count_;
  Scratch& s = scratch_.local();
  const std::uint64_t first = b * block;
  const std::uint64_t n = std::min<std::uint64_t>(block, limit - first);
  designs_[r].fill_block(b, block, s.u);
  for (std::uint64_t i = 0; i < n; ++i) {
    problem_.to_physical(std::span<const double>(s.u.data() + i * 2 * d, d), std::span<double>(s.xa.data() + i * d, d),
                         {});
    problem_.to_physical(std::span<const double>(s.u.data() + i * 2 * d + d, d),
                         std::span<double>(s.xb.data() + i * d, d), {});
    // Rows of base sample i: A, B, AB_f (A with f's columns from B), BA_f. Marginals are
    // independent, so AB rows reuse the transformed A and B values (2D quantiles, not (F+2)D).
    double* rows = s.x.data() + i * rows_per_base * d;
    std::copy_n(s.xa.data() + i * d, d, rows);
    std::copy_n(s.xb.data() + i * d, d, rows + d);
    for (std::size_t f = 0; f < f_count; ++f) {
      double* ab = rows + (2 + f) * d;
      std::copy_n(s.xa.data() + i * d, d, ab);
      for (std::size_t j : factors_[f].members) ab[j] = s.xb[i * d + j];
      if (config_.second_order) {
        double* ba = rows + (2 + f_count + f) * d;
        std::copy_n(s.xb.data() + i * d, d, ba);
        for (std::size_t j : factors_[f].members) ba[j] = s.xa[i * d + j];
      }
    }
  }
  const std::uint64_t total_rows = n * rows_per_base;
  model_.evaluate(std::span<const double>(s.x.data(), total_rows * d), total_rows, *s.workspace,
                  std::span<double>(s.y.data(), total_rows * k_all_),
                  std::span<RunStatus>(s.status.data(), total_rows * modes_));
  for (std::uint64_t i = 0; i < n; ++i) on_sample(s, i);
  return total_rows;
}

void SobolStudy::add_block(std::size_t r, std::uint64_t b, SobolBlock& blk) const {
  const std::size_t rows_per_base = rows_per_base_, k_all = k_all_, modes = modes_, f_count = f_count_;
  blk.rows += evaluate_block(r, b, plan_.limit(), [&](Scratch& s, std::uint64_t i) {
    const double* y = s.y.data() + i * rows_per_base * k_all;
    const RunStatus* st = s.status.data() + i * rows_per_base * modes;
    for (std::size_t m = 0; m < modes; ++m) {
      bool valid = true;
      for (std::size_t row = 0; row < rows_per_base; ++row) {
        const RunStatus rs = st[row * modes + m];
        if (rs != RunStatus::ok) {
          valid = false;
          ++blk.failed_rows[m * RUN_STATUS_COUNT + static_cast<std::size_t>(rs)];
        }
      }
      if (!valid) {  // a base sample with a failed run is dropped whole, for this mode
        ++blk.dropped[m];
        continue;
      }
      const auto& ks = by_mode_[m];
      const std::size_t km = ks.size();
      for (std::size_t o = 0; o < km; ++o) {
        s.ya[o] = y[ks[o]];
        s.yb[o] = y[k_all + ks[o]];
        for (std::size_t f = 0; f < f_count; ++f) {
          s.yab[f * km + o] = y[(2 + f) * k_all + ks[o]];
          if (config_.second_order) s.yba[f * km + o] = y[(2 + f_count + f) * k_all + ks[o]];
        }
      }
      blk.accumulators[m].add(std::span<const double>(s.ya.data(), km), std::span<const double>(s.yb.data(), km),
                              std::span<const double>(s.yab.data(), f_count * km),
                              std::span<const double>(s.yba.data(), config_.second_order ? f_count * km : 0));
    }
  });
}

void SobolStudy::measure_shifts() {
  // Sums are shifted by a pilot mean per output before squaring, so the estimators do not
  // lose digits to a large mean (see SobolAccumulator).
  const std::size_t rows_per_base = rows_per_base_, k_all = k_all_, modes = modes_;
  std::vector<double> sum(k_all, 0.0);
  std::vector<std::uint64_t> count(k_all, 0);
  evaluate_block(0, 0, plan_.per_replicate, [&](Scratch& s, std::uint64_t i) {
    const double* y = s.y.data() + i * rows_per_base * k_all;
    const RunStatus* st = s.status.data() + i * rows_per_base * modes;
    for (std::size_t k = 0; k < k_all; ++k)
      if (st[model_.outputs()[k].mode_index] == RunStatus::ok) sum[k] += y[k], ++count[k];
  });
  shift_.assign(modes, {});
  for (std::size_t m = 0; m < modes; ++m)
    for (std::size_t k : by_mode_[m]) shift_[m].push_back(count[k] ? sum[k] / static_cast<double>(count[k]) : 0.0);
}

bool SobolStudy::fold(std::uint64_t index, Segment&& segment) {
  for (std::size_t r = 0; r < plan_.replicates; ++r) {
    const SobolBlock& blk = segment[r];
    running_[r].absorb(blk);
    for (std::size_t m = 0; m < modes_; ++m) {
      result_.dropped_base_samples[m] += blk.dropped[m];
      for (std::size_t st = 0; st < RUN_STATUS_COUNT; ++st)
        result_.failed_rows[m][st] += blk.failed_rows[m * RUN_STATUS_COUNT + st];
    }
    result_.model_runs += blk.rows;
  }
  at_.next_block = plan_.cuts[index + 1];
  const std::uint64_t target = plan_.stage_targets[at_.stage];
  const std::uint64_t reached = std::min<std::uint64_t>(at_.next_block * plan_.block, target);
  take_due_snapshots(reached);
  return reached < target || next_stage();
}

void SobolStudy::take_due_snapshots(std::uint64_t reached) {
  while (at_.next_mark < plan_.marks.size() + at_.stage && reached >= plan_.mark_at(at_.next_mark)) {
    result_.convergence.push_back({reached * plan_.replicates, estimates_now()});
    ++at_.next_mark;
  }
}

bool SobolStudy::next_stage() {
  // Stop unless --target-ci-width asks for a larger N and the cap allows it.
  if (!plan_.doubling || widest_total_interval(estimates_now()) <= config_.target_ci_width) return false;
  if (at_.stage + 1 == plan_.stage_targets.size()) {
    at_.target_reached = false;
    return false;
  }
  ++at_.stage;
  return true;
}

SobolEstimates SobolStudy::mode_estimates(std::size_t m) const {
  const std::size_t replicates = plan_.replicates;
  SobolAccumulator pooled(f_count_, by_mode_[m].size(), config_.second_order, shift_[m]);
  for (std::size_t r = 0; r < replicates; ++r) pooled.merge(running_[r].accumulators[m]);
  SobolEstimates e;
  e.n_factors = f_count_;
  e.n_outputs = by_mode_[m].size();
  e.second_order = config_.second_order;
  e.conf_level = config_.conf_level;
  e.n_base = pooled.count();
  if (pooled.count() >= 2) {
    if (replicates == 1) {
      e = pooled.finalize(config_.conf_level);
    } else {
      std::vector<SobolEstimates> reps;
      bool all = true;
      for (std::size_t r = 0; r < replicates; ++r) {
        if (running_[r].accumulators[m].count() < 2) {
          all = false;
          break;
        }
        reps.push_back(running_[r].accumulators[m].finalize(config_.conf_level));
      }
      e = all ? combine_replicates(reps, pooled.finalize(config_.conf_level), config_.conf_level)
              : pooled.finalize(config_.conf_level);
    }
  }
  if (config_.groups) rank_by_kind(e, factors_);
  return e;
}

std::vector<SobolEstimates> SobolStudy::estimates_now() const {
  std::vector<SobolEstimates> out;
  for (std::size_t m = 0; m < modes_; ++m) out.push_back(mode_estimates(m));
  return out;
}

void SobolStudy::save_state(ByteWriter& out) const {
  for (const auto& blk : running_) blk.save(out);
  out.u64s(std::span<const std::uint64_t>(result_.dropped_base_samples));
  for (const auto& rows : result_.failed_rows) out.u64s(rows);
  out.u64(result_.model_runs);
  out.u64(at_.next_block);
  out.u64(at_.stage);
  out.u64(at_.next_mark);
  out.boolean(at_.target_reached);
  out.u64(result_.convergence.size());
  for (const auto& snapshot : result_.convergence) {
    out.u64(snapshot.base_runs);
    out.u64(snapshot.modes.size());
    for (const auto& e : snapshot.modes) save(out, e);
  }
}

void SobolStudy::load_state(ByteReader& in) {
  const std::size_t modes = modes_;
  for (std::size_t r = 0; r < plan_.replicates; ++r) running_[r] = SobolBlock::load(in, r, modes);
  result_.dropped_base_samples = in.u64s();
  if (result_.dropped_base_samples.size() != modes) in.fail("one dropped-sample count per mode");
  for (auto& rows : result_.failed_rows) {
    rows = in.u64s();
    if (rows.size() != RUN_STATUS_COUNT) in.fail("one failed-row count per run status");
  }
  result_.model_runs = in.u64();
  at_.next_block = in.u64();
  at_.stage = static_cast<std::size_t>(in.count_at_most(plan_.stage_targets.size() - 1, "a stage of this study"));
  at_.next_mark =
      static_cast<std::size_t>(in.count_at_most(plan_.marks.size() + at_.stage, "a convergence mark of this study"));
  at_.target_reached = in.boolean();
  const std::uint64_t snapshots =
      in.count_at_most(plan_.marks.size() + plan_.stage_targets.size(), "the number of convergence snapshots");
  result_.convergence.clear();
  for (std::uint64_t i = 0; i < snapshots; ++i) {
    SobolSnapshot snapshot;
    snapshot.base_runs = in.u64();
    if (in.u64() != modes) in.fail("one estimate per mode");
    for (std::size_t m = 0; m < modes; ++m) snapshot.modes.push_back(load_sobol_estimates(in));
    result_.convergence.push_back(std::move(snapshot));
  }
}

SobolResult SobolStudy::empty_result() const {
  SobolResult result;
  result.config = config_;
  result.factors = factors_;
  result.modes = model_.modes();
  result.outputs = output_labels_by_mode(model_);
  result.dropped_base_samples.assign(modes_, 0);
  result.failed_rows.assign(modes_, std::vector<std::uint64_t>(RUN_STATUS_COUNT, 0));
  return result;
}

SobolResult SobolStudy::take_result() {
  SobolResult result = std::move(result_);
  result.base_runs = reached_now() * plan_.replicates;
  result.estimates = estimates_now();
  result.widest_total_ci = widest_total_interval(result.estimates);
  result.target_reached = at_.target_reached;
  if (result.convergence.empty() || result.convergence.back().base_runs != result.base_runs)
    result.convergence.push_back({result.base_runs, result.estimates});
  return result;
}

}  // namespace

SobolResult run_sobol(const Model& model, const Problem& problem, const SobolConfig& config) {
  SobolStudy study(model, problem, config);
  const SegmentRunOutcome outcome =
      run_segmented(study, SegmentRunOptions{config.scheduler, config.checkpoint, config.cancel, config.progress});
  return outcome.root ? study.take_result() : study.empty_result();
}

}  // namespace symbiomc
