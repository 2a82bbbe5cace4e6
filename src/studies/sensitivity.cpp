#include "symbiomc/studies/sensitivity.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {

std::vector<SobolFactor> sobol_factors(const Problem& problem, bool with_groups) {
  std::vector<SobolFactor> factors;
  for (std::size_t i = 0; i < problem.dimension(); ++i) factors.push_back({problem.parameters()[i].name, false, {i}});
  if (with_groups)
    for (const auto& g : problem.groups())
      if (g.members.size() > 1) factors.push_back({g.name, true, g.members});
  return factors;
}

namespace {

/// Outputs of each mode, as indices into Model::outputs().
std::vector<std::vector<std::size_t>> outputs_by_mode(const Model& model) {
  std::vector<std::vector<std::size_t>> out(model.modes().size());
  for (std::size_t k = 0; k < model.outputs().size(); ++k) out[model.outputs()[k].mode_index].push_back(k);
  return out;
}

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
    if (blk.dropped.size() != modes || blk.failed_rows.size() != modes * RUN_STATUS_COUNT) in.fail("per-mode failure counts");
    blk.rows = in.u64();
    return blk;
  }
};

/// What a block, a segment or the running total of a Morris screening holds.
struct MorrisBlock {
  std::vector<MorrisAccumulator> accumulators;  ///< [mode]
  std::vector<std::uint64_t> dropped;           ///< [mode]
  std::uint64_t rows = 0;

  void absorb(const MorrisBlock& later) {
    for (std::size_t m = 0; m < accumulators.size(); ++m) {
      accumulators[m].merge(later.accumulators[m]);
      dropped[m] += later.dropped[m];
    }
    rows += later.rows;
  }
  void save(ByteWriter& out) const {
    out.u64(accumulators.size());
    for (const auto& a : accumulators) a.save(out);
    out.u64s(dropped);
    out.u64(rows);
  }
  static MorrisBlock load(ByteReader& in, std::size_t modes) {
    MorrisBlock blk;
    if (in.u64() != modes) in.fail("one Morris accumulator per mode");
    for (std::size_t m = 0; m < modes; ++m) blk.accumulators.push_back(MorrisAccumulator::load(in));
    blk.dropped = in.u64s();
    if (blk.dropped.size() != modes) in.fail("one dropped-trajectory count per mode");
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
      std::stable_sort(kind.begin(), kind.end(), [&](std::size_t a, std::size_t b) { return out.total[a].value > out.total[b].value; });
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

}  // namespace

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

std::vector<IdentityEntry> result_identity(const MorrisConfig& c) {
  return {{"trajectories", message(c.trajectories)},
          {"levels", message(c.levels)},
          {"seed", message(c.seed)},
          {"block", message(c.block)},
          {"segment blocks", message(c.segment_blocks)}};
}

namespace {

void check_cancel(const std::atomic<bool>* cancel, std::uint64_t done) {
  if (cancel && cancel->load()) throw RunInterrupted(message("interrupted after ", done, " model runs"));
}

}  // namespace

SobolResult run_sobol(const Model& model, const Problem& problem, const SobolConfig& config) {
  if (problem.correlation())
    throw ModelError(message("Sobol' indices assume independent inputs, but ", problem.correlation()->path(), " correlates ",
                             problem.correlation()->pairs().size(),
                             " parameter pairs: rerun with --ignore-correlation to compute the indices without them "
                             "(the output then says so), or study correlated inputs with `uncertainty`"));
  if (config.method != SamplingMethod::mc && config.method != SamplingMethod::qmc)
    throw ModelError("Sobol' base samples come from mc or qmc");
  if (!(config.conf_level > 0 && config.conf_level < 1)) throw ModelError("--conf-level must be in (0, 1)");
  const std::size_t d = problem.dimension();
  if (d == 0) throw ModelError("the distributions file makes no parameter uncertain: nothing to analyse");
  const std::vector<SobolFactor> factors = sobol_factors(problem, config.groups);
  const std::size_t f_count = factors.size();
  const std::size_t rows_per_base = 2 + f_count * (config.second_order ? 2 : 1);
  const std::size_t modes = model.modes().size();
  const auto by_mode = outputs_by_mode(model);
  const std::size_t k_all = model.outputs().size();
  const std::size_t replicates = config.method == SamplingMethod::qmc ? std::max<std::size_t>(2, config.replicates) : 1;
  if (config.base_runs < 2 * replicates)
    throw ModelError(message("--base-runs ", config.base_runs, " is too small: need at least ", 2 * replicates));

  // Base samples per replicate, and an index-defined block size that divides N/8 when N is a
  // power of two, so the convergence snapshots fall on block boundaries.
  std::uint64_t per_replicate = (config.base_runs + replicates - 1) / replicates;
  const bool doubling = config.target_ci_width > 0;
  const std::uint64_t cap_total = config.max_base_runs ? std::max(config.max_base_runs, config.base_runs) : 64 * config.base_runs;
  const std::size_t block = std::bit_floor(std::max<std::uint64_t>(1, std::min<std::uint64_t>(config.base_block, std::max<std::uint64_t>(1, per_replicate / 8))));
  // Doubling N must extend whole blocks, so with --target-ci-width N starts at a multiple of
  // the block size; otherwise the last block stops exactly at N.
  if (doubling) per_replicate = (per_replicate + block - 1) / block * block;
  const std::uint64_t cap_per_replicate = std::max(per_replicate, (cap_total + replicates - 1) / replicates);

  std::vector<UnitDesign> designs;
  for (std::size_t r = 0; r < replicates; ++r) designs.emplace_back(config.method, 2 * d, cap_per_replicate, config.seed, r);

  tbb::enumerable_thread_specific<Scratch> scratch([&] {
    Scratch s;
    s.workspace = model.make_workspace(block * rows_per_base);
    s.u.resize(block * 2 * d);
    s.xa.resize(block * d);
    s.xb.resize(block * d);
    s.x.resize(block * rows_per_base * d);
    s.y.resize(block * rows_per_base * k_all);
    s.status.resize(block * rows_per_base * modes);
    s.ya.resize(k_all);
    s.yb.resize(k_all);
    s.yab.resize(f_count * k_all);
    s.yba.resize(config.second_order ? f_count * k_all : 0);
    return s;
  });

  // Evaluates base samples [b*block, ...) of replicate r; `add` receives each valid sample.
  auto evaluate_block = [&](std::size_t r, std::uint64_t b, std::uint64_t limit, auto&& on_sample) {
    Scratch& s = scratch.local();
    const std::uint64_t first = b * block;
    const std::uint64_t n = std::min<std::uint64_t>(block, limit - first);
    designs[r].fill_block(b, block, s.u);
    for (std::uint64_t i = 0; i < n; ++i) {
      problem.to_physical(std::span<const double>(s.u.data() + i * 2 * d, d), std::span<double>(s.xa.data() + i * d, d), {});
      problem.to_physical(std::span<const double>(s.u.data() + i * 2 * d + d, d), std::span<double>(s.xb.data() + i * d, d), {});
      // Rows of base sample i: A, B, AB_f (A with f's columns from B), BA_f. Marginals are
      // independent, so AB rows reuse the transformed A and B values (2D quantiles, not (F+2)D).
      double* rows = s.x.data() + i * rows_per_base * d;
      std::copy_n(s.xa.data() + i * d, d, rows);
      std::copy_n(s.xb.data() + i * d, d, rows + d);
      for (std::size_t f = 0; f < f_count; ++f) {
        double* ab = rows + (2 + f) * d;
        std::copy_n(s.xa.data() + i * d, d, ab);
        for (std::size_t j : factors[f].members) ab[j] = s.xb[i * d + j];
        if (config.second_order) {
          double* ba = rows + (2 + f_count + f) * d;
          std::copy_n(s.xb.data() + i * d, d, ba);
          for (std::size_t j : factors[f].members) ba[j] = s.xa[i * d + j];
        }
      }
    }
    const std::uint64_t total_rows = n * rows_per_base;
    model.evaluate(std::span<const double>(s.x.data(), total_rows * d), total_rows, *s.workspace,
                   std::span<double>(s.y.data(), total_rows * k_all), std::span<RunStatus>(s.status.data(), total_rows * modes));
    for (std::uint64_t i = 0; i < n; ++i) on_sample(s, i);
    return total_rows;
  };

  // Pilot: the A rows of replicate 0's first block give each output's shift.
  std::vector<std::vector<double>> shift(modes);
  {
    std::vector<double> sum(k_all, 0.0);
    std::vector<std::uint64_t> count(k_all, 0);
    evaluate_block(0, 0, per_replicate, [&](Scratch& s, std::uint64_t i) {
      const double* y = s.y.data() + i * rows_per_base * k_all;
      const RunStatus* st = s.status.data() + i * rows_per_base * modes;
      for (std::size_t k = 0; k < k_all; ++k)
        if (st[model.outputs()[k].mode_index] == RunStatus::ok) sum[k] += y[k], ++count[k];
    });
    for (std::size_t m = 0; m < modes; ++m)
      for (std::size_t k : by_mode[m]) shift[m].push_back(count[k] ? sum[k] / static_cast<double>(count[k]) : 0.0);
  }
  auto fresh_block = [&](std::size_t r) {
    SobolBlock blk;
    blk.replicate = r;
    for (std::size_t m = 0; m < modes; ++m) blk.accumulators.emplace_back(f_count, by_mode[m].size(), config.second_order, shift[m]);
    blk.dropped.assign(modes, 0);
    blk.failed_rows.assign(modes * RUN_STATUS_COUNT, 0);
    return blk;
  };

  auto run_one = [&](std::size_t r, std::uint64_t b, std::uint64_t limit, SobolBlock& blk) {
    blk.rows += evaluate_block(r, b, limit, [&](Scratch& s, std::uint64_t i) {
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
        const auto& ks = by_mode[m];
        const std::size_t km = ks.size();
        for (std::size_t o = 0; o < km; ++o) {
          s.ya[o] = y[ks[o]];
          s.yb[o] = y[k_all + ks[o]];
          for (std::size_t f = 0; f < f_count; ++f) {
            s.yab[f * km + o] = y[(2 + f) * k_all + ks[o]];
            if (config.second_order) s.yba[f * km + o] = y[(2 + f_count + f) * k_all + ks[o]];
          }
        }
        blk.accumulators[m].add(std::span<const double>(s.ya.data(), km), std::span<const double>(s.yb.data(), km),
                                std::span<const double>(s.yab.data(), f_count * km),
                                std::span<const double>(s.yba.data(), config.second_order ? f_count * km : 0));
      }
    });
  };

  SobolResult result;
  result.config = config;
  result.factors = factors;
  result.modes = model.modes();
  for (std::size_t m = 0; m < modes; ++m) {
    result.outputs.emplace_back();
    for (std::size_t k : by_mode[m]) result.outputs[m].push_back(model.outputs()[k]);
  }
  result.dropped_base_samples.assign(modes, 0);
  result.failed_rows.assign(modes, std::vector<std::uint64_t>(RUN_STATUS_COUNT, 0));

  std::vector<SobolBlock> running;  // per replicate, merged in block order
  for (std::size_t r = 0; r < replicates; ++r) running.push_back(fresh_block(r));

  auto estimates_now = [&]() {
    std::vector<SobolEstimates> out;
    for (std::size_t m = 0; m < modes; ++m) {
      SobolAccumulator pooled(f_count, by_mode[m].size(), config.second_order, shift[m]);
      for (std::size_t r = 0; r < replicates; ++r) pooled.merge(running[r].accumulators[m]);
      SobolEstimates e;
      e.n_factors = f_count;
      e.n_outputs = by_mode[m].size();
      e.second_order = config.second_order;
      e.conf_level = config.conf_level;
      e.n_base = pooled.count();
      if (pooled.count() >= 2) {
        if (replicates == 1) {
          e = pooled.finalize(config.conf_level);
        } else {
          std::vector<SobolEstimates> reps;
          bool all = true;
          for (std::size_t r = 0; r < replicates; ++r) {
            if (running[r].accumulators[m].count() < 2) {
              all = false;
              break;
            }
            reps.push_back(running[r].accumulators[m].finalize(config.conf_level));
          }
          e = all ? combine_replicates(reps, pooled.finalize(config.conf_level), config.conf_level) : pooled.finalize(config.conf_level);
        }
      }
      if (config.groups) rank_by_kind(e, factors);
      out.push_back(std::move(e));
    }
    return out;
  };
  auto widest_total_interval = [&](const std::vector<SobolEstimates>& estimates) {
    double widest = 0.0;
    for (const auto& e : estimates)
      for (const auto& o : e.outputs)
        if (!o.zero_variance)
          for (const auto& t : o.total) widest = std::max(widest, t.high - t.low);
    return widest;
  };

  // Index-defined segments over local blocks (each covering every replicate): at most
  // segment_blocks blocks, cut at every convergence mark and at every N a doubling may reach,
  // so a snapshot or a stopping decision always falls on a segment boundary.
  std::vector<std::uint64_t> stage_targets{per_replicate};
  if (doubling)
    while (stage_targets.back() * 2 <= cap_per_replicate) stage_targets.push_back(stage_targets.back() * 2);
  std::vector<std::uint64_t> marks;  // base samples per replicate at which a snapshot is taken
  for (std::uint64_t div : {8, 4, 2, 1})
    if (per_replicate / div >= 2) marks.push_back(per_replicate / div);
  std::vector<std::uint64_t> boundaries;  // local block indices
  for (std::uint64_t m : marks) boundaries.push_back((m + block - 1) / block);
  for (std::uint64_t t : stage_targets) boundaries.push_back((t + block - 1) / block);
  std::sort(boundaries.begin(), boundaries.end());
  std::vector<std::uint64_t> cuts{0};
  for (std::uint64_t boundary : boundaries)
    while (cuts.back() < boundary) cuts.push_back(std::min<std::uint64_t>(boundary, cuts.back() + config.segment_blocks));
  const std::uint64_t limit = doubling ? cap_per_replicate : per_replicate;

  struct Progress {
    std::uint64_t next_block = 0;  ///< local blocks folded, in every replicate
    std::size_t stage = 0;         ///< index into stage_targets
    std::size_t next_mark = 0;     ///< marks (then stage targets) snapshotted so far
    bool target_reached = true;
  } at;
  const std::uint64_t total_planned = per_replicate * replicates;
  const std::size_t wave = std::max<std::size_t>(1, 4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()) / replicates);
  std::vector<SobolBlock> wave_results;

  ResumableStudy study;
  study.kind = "sobol";
  study.identity = config.input_identity;
  for (auto& entry : result_identity(config)) study.identity.push_back(std::move(entry));
  study.segments.compute = [&](std::uint64_t index, const std::function<void()>& poll) {
    std::vector<SobolBlock> segment;
    for (std::size_t r = 0; r < replicates; ++r) segment.push_back(fresh_block(r));
    for (std::uint64_t b0 = cuts[index]; b0 < cuts[index + 1]; b0 += wave) {
      check_cancel(config.cancel, result.model_runs);
      const std::uint64_t b1 = std::min<std::uint64_t>(cuts[index + 1], b0 + wave);
      const std::size_t count = static_cast<std::size_t>((b1 - b0) * replicates);
      wave_results.assign(count, SobolBlock{});
      tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
        const std::size_t r = i % replicates;
        SobolBlock blk = fresh_block(r);
        run_one(r, b0 + i / replicates, limit, blk);
        wave_results[i] = std::move(blk);
      });
      for (const auto& blk : wave_results) segment[blk.replicate].absorb(blk);  // block order, per replicate
      poll();
    }
    ByteWriter out;
    for (const auto& blk : segment) blk.save(out);
    return out.take();
  };
  study.segments.fold = [&](std::uint64_t index, std::string_view bytes) {
    ByteReader in(bytes, message("segment ", index));
    for (std::size_t r = 0; r < replicates; ++r) {
      const SobolBlock blk = SobolBlock::load(in, r, modes);
      running[r].absorb(blk);
      for (std::size_t m = 0; m < modes; ++m) {
        result.dropped_base_samples[m] += blk.dropped[m];
        for (std::size_t st = 0; st < RUN_STATUS_COUNT; ++st) result.failed_rows[m][st] += blk.failed_rows[m * RUN_STATUS_COUNT + st];
      }
      result.model_runs += blk.rows;
    }
    in.expect_end();
    at.next_block = cuts[index + 1];
    const std::uint64_t target = stage_targets[at.stage];
    const std::uint64_t reached = std::min<std::uint64_t>(at.next_block * block, target);
    if (config.progress) config.progress(std::min(reached * replicates, total_planned), std::max(total_planned, reached * replicates));
    const auto mark_at = [&](std::size_t i) { return i < marks.size() ? marks[i] : stage_targets[i - marks.size() + 1]; };
    while (at.next_mark < marks.size() + at.stage && reached >= mark_at(at.next_mark)) {
      result.convergence.push_back({reached * replicates, estimates_now()});
      ++at.next_mark;
    }
    if (reached < target) return true;
    // End of a stage: stop unless --target-ci-width asks for a larger N and the cap allows it.
    if (!doubling || widest_total_interval(estimates_now()) <= config.target_ci_width) return false;
    if (at.stage + 1 == stage_targets.size()) {
      at.target_reached = false;
      return false;
    }
    ++at.stage;
    return true;
  };
  study.save_state = [&](ByteWriter& out) {
    for (const auto& blk : running) blk.save(out);
    out.u64s(std::span<const std::uint64_t>(result.dropped_base_samples));
    for (const auto& rows : result.failed_rows) out.u64s(rows);
    out.u64(result.model_runs);
    out.u64(at.next_block);
    out.u64(at.stage);
    out.u64(at.next_mark);
    out.boolean(at.target_reached);
    out.u64(result.convergence.size());
    for (const auto& snapshot : result.convergence) {
      out.u64(snapshot.base_runs);
      out.u64(snapshot.modes.size());
      for (const auto& e : snapshot.modes) save(out, e);
    }
  };
  study.load_state = [&](ByteReader& in) {
    for (std::size_t r = 0; r < replicates; ++r) running[r] = SobolBlock::load(in, r, modes);
    result.dropped_base_samples = in.u64s();
    if (result.dropped_base_samples.size() != modes) in.fail("one dropped-sample count per mode");
    for (auto& rows : result.failed_rows) {
      rows = in.u64s();
      if (rows.size() != RUN_STATUS_COUNT) in.fail("one failed-row count per run status");
    }
    result.model_runs = in.u64();
    at.next_block = in.u64();
    at.stage = static_cast<std::size_t>(in.count_at_most(stage_targets.size() - 1, "a stage of this study"));
    at.next_mark = static_cast<std::size_t>(in.count_at_most(marks.size() + at.stage, "a convergence mark of this study"));
    at.target_reached = in.boolean();
    const std::uint64_t snapshots = in.count_at_most(marks.size() + stage_targets.size(), "the number of convergence snapshots");
    result.convergence.clear();
    for (std::uint64_t i = 0; i < snapshots; ++i) {
      SobolSnapshot snapshot;
      snapshot.base_runs = in.u64();
      if (in.u64() != modes) in.fail("one estimate per mode");
      for (std::size_t m = 0; m < modes; ++m) snapshot.modes.push_back(load_sobol_estimates(in));
      result.convergence.push_back(std::move(snapshot));
    }
  };
  LocalScheduler local;
  SegmentScheduler& scheduler = config.scheduler ? *config.scheduler : local;
  run_segments(scheduler, study, cuts.size() - 1, config.checkpoint, config.cancel);
  if (!scheduler.is_root()) return result;

  result.base_runs = std::min<std::uint64_t>(at.next_block * block, stage_targets[at.stage]) * replicates;
  result.estimates = estimates_now();
  result.widest_total_ci = widest_total_interval(result.estimates);
  result.target_reached = at.target_reached;
  if (result.convergence.empty() || result.convergence.back().base_runs != result.base_runs)
    result.convergence.push_back({result.base_runs, result.estimates});
  return result;
}

MorrisResult run_morris(const Model& model, const Problem& problem, const MorrisConfig& config) {
  const std::size_t d = problem.dimension();
  if (d == 0) throw ModelError("the distributions file makes no parameter uncertain: nothing to screen");
  if (config.trajectories < 2) throw ModelError("--trajectories must be at least 2");
  const MorrisDesign design(d, config.levels);
  const std::size_t modes = model.modes().size();
  const auto by_mode = outputs_by_mode(model);
  const std::size_t k_all = model.outputs().size();
  const std::size_t points = d + 1;
  const std::size_t block = std::max<std::size_t>(1, config.block);

  struct MorrisScratch {
    std::unique_ptr<ModelWorkspace> workspace;
    std::vector<double> u, x, y, ym, step, copula;
    std::vector<std::size_t> changed;
    std::vector<RunStatus> status;
  };
  tbb::enumerable_thread_specific<MorrisScratch> scratch([&] {
    MorrisScratch s;
    s.workspace = model.make_workspace(block * points);
    s.u.resize(block * points * d);
    s.x.resize(block * points * d);
    s.y.resize(block * points * k_all);
    s.ym.resize(points * k_all);
    s.step.resize(block * d);
    s.changed.resize(block * d);
    s.status.resize(block * points * modes);
    s.copula.resize(std::max<std::size_t>(1, problem.scratch_size()));
    return s;
  });
  auto fresh = [&] {
    MorrisBlock blk;
    for (std::size_t m = 0; m < modes; ++m) blk.accumulators.emplace_back(d, by_mode[m].size());
    blk.dropped.assign(modes, 0);
    return blk;
  };
  auto run_block = [&](std::uint64_t b, MorrisBlock& blk) {
    MorrisScratch& s = scratch.local();
    const std::uint64_t first = b * block;
    const std::uint64_t n = std::min<std::uint64_t>(block, config.trajectories - first);
    for (std::uint64_t t = 0; t < n; ++t) {
      Engine engine = make_engine(config.seed, Stream::morris, first + t);
      design.trajectory(engine, std::span<double>(s.u.data() + t * points * d, points * d),
                        std::span<std::size_t>(s.changed.data() + t * d, d), std::span<double>(s.step.data() + t * d, d));
      for (std::size_t p = 0; p < points; ++p)
        problem.to_physical(std::span<const double>(s.u.data() + (t * points + p) * d, d),
                            std::span<double>(s.x.data() + (t * points + p) * d, d), s.copula);
    }
    const std::uint64_t rows = n * points;
    model.evaluate(std::span<const double>(s.x.data(), rows * d), rows, *s.workspace, std::span<double>(s.y.data(), rows * k_all),
                   std::span<RunStatus>(s.status.data(), rows * modes));
    blk.rows += rows;
    for (std::uint64_t t = 0; t < n; ++t)
      for (std::size_t m = 0; m < modes; ++m) {
        bool valid = true;
        for (std::size_t p = 0; p < points; ++p) valid = valid && s.status[(t * points + p) * modes + m] == RunStatus::ok;
        if (!valid) {
          ++blk.dropped[m];
          continue;
        }
        const auto& ks = by_mode[m];
        for (std::size_t p = 0; p < points; ++p)
          for (std::size_t o = 0; o < ks.size(); ++o) s.ym[p * ks.size() + o] = s.y[(t * points + p) * k_all + ks[o]];
        blk.accumulators[m].add(std::span<const double>(s.ym.data(), points * ks.size()),
                                std::span<const std::size_t>(s.changed.data() + t * d, d), std::span<const double>(s.step.data() + t * d, d));
      }
  };

  MorrisResult result;
  result.config = config;
  result.modes = model.modes();
  for (std::size_t m = 0; m < modes; ++m) {
    result.outputs.emplace_back();
    for (std::size_t k : by_mode[m]) result.outputs[m].push_back(model.outputs()[k]);
  }
  MorrisBlock total = fresh();
  const std::uint64_t blocks = (config.trajectories + block - 1) / block;
  const std::size_t segment_blocks = std::max<std::size_t>(1, config.segment_blocks);
  const std::uint64_t segments = (blocks + segment_blocks - 1) / segment_blocks;
  const std::size_t wave = 4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
  std::vector<MorrisBlock> wave_results;
  ResumableStudy study;
  study.kind = "morris";
  study.identity = config.input_identity;
  for (auto& entry : result_identity(config)) study.identity.push_back(std::move(entry));
  study.segments.compute = [&](std::uint64_t index, const std::function<void()>& poll) {
    MorrisBlock segment = fresh();
    const std::uint64_t first = index * segment_blocks;
    const std::uint64_t last = std::min<std::uint64_t>(blocks, first + segment_blocks);
    for (std::uint64_t start = first; start < last; start += wave) {
      check_cancel(config.cancel, total.rows);
      const std::uint64_t end = std::min<std::uint64_t>(last, start + wave);
      wave_results.assign(static_cast<std::size_t>(end - start), MorrisBlock{});
      tbb::parallel_for(std::size_t{0}, static_cast<std::size_t>(end - start), [&](std::size_t i) {
        MorrisBlock blk = fresh();
        run_block(start + i, blk);
        wave_results[i] = std::move(blk);
      });
      for (const auto& blk : wave_results) segment.absorb(blk);
      poll();
    }
    ByteWriter out;
    segment.save(out);
    return out.take();
  };
  study.segments.fold = [&](std::uint64_t index, std::string_view bytes) {
    ByteReader in(bytes, message("segment ", index));
    total.absorb(MorrisBlock::load(in, modes));
    in.expect_end();
    if (config.progress) config.progress(std::min<std::uint64_t>((index + 1) * segment_blocks * block, config.trajectories), config.trajectories);
    return true;
  };
  study.save_state = [&](ByteWriter& out) { total.save(out); };
  study.load_state = [&](ByteReader& in) { total = MorrisBlock::load(in, modes); };
  LocalScheduler local;
  SegmentScheduler& scheduler = config.scheduler ? *config.scheduler : local;
  run_segments(scheduler, study, segments, config.checkpoint, config.cancel);
  if (!scheduler.is_root()) return result;
  result.model_runs = total.rows;
  result.dropped_trajectories = total.dropped;
  for (std::size_t m = 0; m < modes; ++m) {
    if (config.trajectories - total.dropped[m] < 2)
      throw ModelError(message("mode '", model.modes()[m], "': fewer than 2 trajectories without a failed run (",
                               total.dropped[m], " of ", config.trajectories, " dropped)"));
    result.estimates.push_back(total.accumulators[m].finalize());
  }
  return result;
}

}  // namespace symbiomc
