#include "symbiomc/studies/uncertainty.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <boost/math/distributions/students_t.hpp>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// Everything one block of runs contributes; merged into the total in block order.
struct BlockAccumulator {
  std::size_t replicate = 0;
  std::uint64_t runs = 0;
  std::uint64_t runs_with_failure = 0;  ///< runs in which at least one mode failed
  std::vector<OutputStats> outputs;
  std::vector<PairComparison> pairs;
  std::vector<std::uint64_t> failures;  ///< [mode * RUN_STATUS_COUNT + status]
  std::optional<std::pair<std::uint64_t, std::size_t>> first_failure;  ///< (run index, mode)
  RunStatus first_failure_status = RunStatus::ok;
  std::string dump;
};

/// A segment's contribution, or the running total of all segments folded so far: the merged
/// blocks plus each output's moments per QMC replicate ([output * replicates + replicate]).
/// This is what crosses MPI ranks and what a checkpoint holds.
struct SegmentTotals {
  BlockAccumulator acc;
  std::vector<Moments> replicate_means;

  /// Folds a wave of consecutive blocks in, the ~100 statistics merged in parallel: each
  /// statistic still receives the blocks in block order, so the bits are those of a serial
  /// merge, but the merge no longer holds the other threads idle.
  void absorb_wave(const std::vector<BlockAccumulator>& blocks, std::size_t replicates) {
    const std::size_t outputs = acc.outputs.size();
    tbb::parallel_for(std::size_t{0}, outputs + acc.pairs.size(), [&](std::size_t j) {
      for (const auto& block : blocks) {
        if (j < outputs) {
          acc.outputs[j].merge(block.outputs[j]);
          replicate_means[j * replicates + block.replicate].merge(block.outputs[j].moments());
        } else {
          acc.pairs[j - outputs].merge(block.pairs[j - outputs]);
        }
      }
    });
    for (const auto& block : blocks) {
      acc.runs += block.runs;
      acc.runs_with_failure += block.runs_with_failure;
      for (std::size_t i = 0; i < acc.failures.size(); ++i) acc.failures[i] += block.failures[i];
      if (!acc.first_failure && block.first_failure) {
        acc.first_failure = block.first_failure;
        acc.first_failure_status = block.first_failure_status;
      }
      acc.dump += block.dump;
    }
  }

  /// Folds a later segment in; its dump text and first failure are handled by the caller.
  void absorb_segment(const SegmentTotals& segment) {
    acc.runs += segment.acc.runs;
    acc.runs_with_failure += segment.acc.runs_with_failure;
    for (std::size_t o = 0; o < acc.outputs.size(); ++o) acc.outputs[o].merge(segment.acc.outputs[o]);
    for (std::size_t i = 0; i < replicate_means.size(); ++i) replicate_means[i].merge(segment.replicate_means[i]);
    for (std::size_t p = 0; p < acc.pairs.size(); ++p) acc.pairs[p].merge(segment.acc.pairs[p]);
    for (std::size_t i = 0; i < acc.failures.size(); ++i) acc.failures[i] += segment.acc.failures[i];
  }

  void save(ByteWriter& out) const {
    out.u64(acc.runs);
    out.u64(acc.runs_with_failure);
    out.u64(acc.outputs.size());
    for (const auto& o : acc.outputs) o.save(out);
    out.u64(acc.pairs.size());
    for (const auto& p : acc.pairs) p.save(out);
    out.u64s(acc.failures);
    out.boolean(acc.first_failure.has_value());
    out.u64(acc.first_failure ? acc.first_failure->first : 0);
    out.u64(acc.first_failure ? acc.first_failure->second : 0);
    out.u64(static_cast<std::uint64_t>(acc.first_failure_status));
    out.u64(replicate_means.size());
    for (const auto& m : replicate_means) m.save(out);
    out.str(acc.dump);
  }

  /// Reads what save() wrote, checking it has this study's shape.
  static SegmentTotals load(ByteReader& in, std::size_t outputs, std::size_t pairs, std::size_t modes, std::size_t replicates) {
    SegmentTotals t;
    t.acc.runs = in.u64();
    t.acc.runs_with_failure = in.u64();
    if (in.u64() != outputs) in.fail("this study's number of outputs");
    for (std::size_t o = 0; o < outputs; ++o) t.acc.outputs.push_back(OutputStats::load(in));
    if (in.u64() != pairs) in.fail("this study's number of mode comparisons");
    for (std::size_t p = 0; p < pairs; ++p) t.acc.pairs.push_back(PairComparison::load(in));
    t.acc.failures = in.u64s();
    if (t.acc.failures.size() != modes * RUN_STATUS_COUNT) in.fail("one failure count per mode and run status");
    const bool failed = in.boolean();
    const std::uint64_t run = in.u64();
    const std::uint64_t mode = in.u64();
    const std::uint64_t status = in.u64();
    if (mode >= std::max<std::size_t>(modes, 1) || status >= RUN_STATUS_COUNT) in.fail("a valid mode and run status");
    if (failed) t.acc.first_failure = std::make_pair(run, static_cast<std::size_t>(mode));
    t.acc.first_failure_status = static_cast<RunStatus>(status);
    if (in.u64() != outputs * replicates) in.fail("one mean per output and replicate");
    for (std::size_t i = 0; i < outputs * replicates; ++i) t.replicate_means.push_back(Moments::load(in));
    t.acc.dump = in.str();
    return t;
  }
};

/// Per-thread buffers, sized once: no allocation per block.
struct ThreadScratch {
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> u, x, y, copula;
  std::vector<RunStatus> status;
};

struct ReplicatePlan {
  UnitDesign design;
  std::uint64_t first_run = 0;  ///< global index of its point 0
  std::uint64_t blocks = 0;
};

std::string format_cell(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

std::pair<double, double> UncertaintyResult::mean_ci(std::size_t output, double level) const {
  const OutputResult& r = outputs[output];
  if (config.method == SamplingMethod::qmc && r.replicate_means.size() > 1) {
    // Randomised QMC has no CLT error bar; the replicate estimates are i.i.d., so a Student
    // t interval over them is valid (Owen, "Monte Carlo theory, methods and examples" 17.2).
    Moments means;
    for (const auto& m : r.replicate_means)
      if (m.count() > 0) means.add(m.mean());
    if (means.count() < 2) return {NAN, NAN};
    const double centre = r.stats.moments().mean();
    const boost::math::students_t t(static_cast<double>(means.count() - 1));
    const double half = boost::math::quantile(t, 0.5 + level / 2) * means.standard_error();
    return {centre - half, centre + half};
  }
  if (r.stats.moments().count() < 2) return {NAN, NAN};
  return r.stats.moments().ci_mean(level);
}

std::vector<IdentityEntry> result_identity(const UncertaintyConfig& c) {
  std::string thresholds;
  for (const auto& t : c.thresholds) thresholds += message(thresholds.empty() ? "" : " ", t.output, "=", t.value);
  return {{"runs", message(c.runs)},
          {"seed", message(c.seed)},
          {"method", std::string(to_string(c.method))},
          {"block size", message(c.block_size)},
          {"segment blocks", message(c.segment_blocks)},
          {"replicates", message(c.method == SamplingMethod::qmc ? c.replicates : 1)},
          {"histogram bins", message(c.histogram_bins)},
          {"confidence level", message(c.conf_level)},
          {"thresholds", thresholds},
          {"on failure", c.on_failure == OnFailure::abort ? "abort" : "skip"}};
}

std::uint64_t UncertaintyResult::failed_runs(std::size_t mode) const {
  std::uint64_t total = 0;
  for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s) total += failures[mode][s];
  return total;
}

UncertaintyResult run_uncertainty(const Model& model, const Problem& problem, const UncertaintyConfig& config) {
  const std::size_t d = problem.dimension();
  const std::size_t k = model.outputs().size();
  const std::size_t modes = model.modes().size();
  if (d == 0) throw ModelError("the distributions file makes no parameter uncertain: nothing to sample");
  if (model.inputs().size() != d) throw ModelError("model inputs and distributions differ in number");
  if (config.runs < 2) throw ModelError(message("--runs must be at least 2, got ", config.runs));
  if (config.block_size == 0 || config.segment_blocks == 0) throw ModelError("block size and segment size must be positive");
  if (!(config.conf_level > 0 && config.conf_level < 1))
    throw ModelError(message("--conf-level must be in (0, 1), got ", config.conf_level));
  const std::size_t replicates = config.method == SamplingMethod::qmc ? std::max<std::size_t>(config.replicates, 1) : 1;
  if (config.runs < replicates * 2)
    throw ModelError(message("--runs ", config.runs, " is too small for ", replicates, " QMC replicates"));

  // Thresholds refer to output names (any mode).
  for (const auto& t : config.thresholds) {
    const bool known = std::any_of(model.outputs().begin(), model.outputs().end(), [&](const ModelOutput& o) { return o.output == t.output; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& o : model.outputs())
        if (std::find(names.begin(), names.end(), o.output) == names.end()) names.push_back(o.output);
      throw InputError(message("--threshold ", t.output, "=", t.value, ": unknown output '", t.output, "'", did_you_mean(t.output, names)));
    }
  }

  // Replicates split the runs as evenly as possible; blocks are numbered across replicates.
  std::vector<ReplicatePlan> plans;
  std::uint64_t first_run = 0;
  for (std::size_t r = 0; r < replicates; ++r) {
    const std::uint64_t n = config.runs / replicates + (r < config.runs % replicates ? 1 : 0);
    UnitDesign design(config.method, d, n, config.seed, r);
    const std::uint64_t blocks = design.block_count(config.block_size);
    plans.push_back({std::move(design), first_run, blocks});
    first_run += n;
  }
  std::vector<std::pair<std::size_t, std::uint64_t>> blocks;  // (replicate, local block)
  for (std::size_t r = 0; r < replicates; ++r)
    for (std::uint64_t b = 0; b < plans[r].blocks; ++b) blocks.emplace_back(r, b);

  // Pairs of modes compared run by run; modes()[0] is the reference (independent operation)
  // and is compared through the outputs themselves (extra_* = mode - baseline).
  const std::size_t per_mode = modes > 0 ? k / modes : 0;
  struct PairSpec { std::size_t output_a, output_b, mode_a, mode_b; };
  std::vector<PairSpec> pair_specs;
  if (modes > 2 && per_mode * modes == k)
    for (std::size_t o = 0; o < per_mode; ++o)
      for (std::size_t a = 1; a < modes; ++a)
        for (std::size_t b = a + 1; b < modes; ++b) pair_specs.push_back({a * per_mode + o, b * per_mode + o, a, b});

  tbb::enumerable_thread_specific<ThreadScratch> scratch([&] {
    ThreadScratch s;
    s.workspace = model.make_workspace(config.block_size);
    s.u.resize(config.block_size * d);
    s.x.resize(config.block_size * d);
    s.y.resize(config.block_size * k);
    s.status.resize(config.block_size * modes);
    s.copula.resize(std::max<std::size_t>(problem.scratch_size(), 1));
    return s;
  });

  std::vector<std::size_t> output_mode(k);  // mode of each output, read once (not a virtual call per run)
  for (std::size_t o = 0; o < k; ++o) output_mode[o] = model.outputs()[o].mode_index;

  // Evaluates one block into `acc` (statistics prototype already in place).
  auto run_block = [&](std::size_t block_index, BlockAccumulator& acc) {
    const auto [r, local] = blocks[block_index];
    const ReplicatePlan& plan = plans[r];
    ThreadScratch& s = scratch.local();
    const std::uint64_t n = plan.design.points_in_block(local, config.block_size);
    plan.design.fill_block(local, config.block_size, s.u);
    for (std::uint64_t i = 0; i < n; ++i)
      problem.to_physical(std::span<const double>(s.u.data() + i * d, d), std::span<double>(s.x.data() + i * d, d), s.copula);
    model.evaluate(std::span<const double>(s.x.data(), n * d), n, *s.workspace, std::span<double>(s.y.data(), n * k),
                   std::span<RunStatus>(s.status.data(), n * modes));
    acc.replicate = r;
    acc.runs = n;
    const std::uint64_t run0 = plan.first_run + local * config.block_size;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double* y = s.y.data() + i * k;
      const RunStatus* st = s.status.data() + i * modes;
      bool any_failed = false;
      for (std::size_t m = 0; m < modes; ++m) {
        any_failed = any_failed || st[m] != RunStatus::ok;
        ++acc.failures[m * RUN_STATUS_COUNT + static_cast<std::size_t>(st[m])];
        if (st[m] != RunStatus::ok && !acc.first_failure) {
          acc.first_failure = std::make_pair(run0 + i, m);
          acc.first_failure_status = st[m];
        }
      }
      acc.runs_with_failure += any_failed ? 1 : 0;
      for (std::size_t o = 0; o < k; ++o)
        if (st[output_mode[o]] == RunStatus::ok) acc.outputs[o].add(y[o]);
      for (std::size_t p = 0; p < pair_specs.size(); ++p) {
        const PairSpec& spec = pair_specs[p];
        if (st[spec.mode_a] == RunStatus::ok && st[spec.mode_b] == RunStatus::ok) acc.pairs[p].add(y[spec.output_a], y[spec.output_b]);
      }
      if (!config.dump_runs_path.empty()) {
        std::string& line = acc.dump;
        line += std::to_string(run0 + i);
        for (std::size_t j = 0; j < d; ++j) line += "," + format_cell(s.x[i * d + j]);
        for (std::size_t m = 0; m < modes; ++m) line += std::string(",") + std::string(to_string(st[m]));
        for (std::size_t o = 0; o < k; ++o)
          line += st[output_mode[o]] == RunStatus::ok ? "," + format_cell(y[o]) : std::string(",");
        line += "\n";
      }
    }
  };

  // Pilot: block 0 fixes every histogram's edges, so edges (and results) do not depend on
  // which thread finishes first. Its values are then accumulated like any other block.
  std::vector<OutputStats> output_prototypes;
  std::vector<PairComparison> pair_prototypes;
  BlockAccumulator pilot;
  {
    // Temporary wide-range statistics so run_block can add into them; rebuilt below.
    for (std::size_t o = 0; o < k; ++o) pilot.outputs.emplace_back(Histogram(-1, 1, 1), std::vector<double>{});
    for (std::size_t p = 0; p < pair_specs.size(); ++p) pilot.pairs.emplace_back(Histogram(-1, 1, 1));
    pilot.failures.assign(modes * RUN_STATUS_COUNT, 0);
    ThreadScratch& s = scratch.local();
    run_block(0, pilot);
    const std::uint64_t n = pilot.runs;
    std::vector<double> values;
    for (std::size_t o = 0; o < k; ++o) {
      values.clear();
      for (std::uint64_t i = 0; i < n; ++i)
        if (s.status[i * modes + model.outputs()[o].mode_index] == RunStatus::ok) values.push_back(s.y[i * k + o]);
      if (values.empty()) values.push_back(0.0);
      std::vector<double> thresholds;
      for (const auto& t : config.thresholds)
        if (t.output == model.outputs()[o].output) thresholds.push_back(t.value);
      output_prototypes.emplace_back(Histogram::with_range_from_pilot(values, config.histogram_bins), thresholds);
    }
    for (const PairSpec& spec : pair_specs) {
      values.clear();
      for (std::uint64_t i = 0; i < n; ++i)
        if (s.status[i * modes + spec.mode_a] == RunStatus::ok && s.status[i * modes + spec.mode_b] == RunStatus::ok)
          values.push_back(s.y[i * k + spec.output_a] - s.y[i * k + spec.output_b]);
      if (values.empty()) values.push_back(0.0);
      pair_prototypes.emplace_back(Histogram::with_range_from_pilot(values, config.histogram_bins));
    }
  }
  auto fresh = [&]() {
    BlockAccumulator acc;
    acc.outputs = output_prototypes;
    acc.pairs = pair_prototypes;
    acc.failures.assign(modes * RUN_STATUS_COUNT, 0);
    return acc;
  };
  auto fresh_totals = [&]() { return SegmentTotals{fresh(), std::vector<Moments>(k * replicates)}; };

  UncertaintyResult result;
  result.config = config;
  result.modes = model.modes();
  result.inputs = model.inputs();
  result.failures.assign(modes, std::vector<std::uint64_t>(RUN_STATUS_COUNT, 0));
  SegmentTotals total = fresh_totals();

  const bool checkpointing = !config.checkpoint.path.empty() || !config.checkpoint.resume_path.empty();
  if (!config.dump_runs_path.empty() && checkpointing)
    throw InputError("--dump-runs cannot be combined with --checkpoint or --resume: a resumed run cannot rewrite the runs "
                     "already dumped; dump a smaller study separately");
  LocalScheduler local;
  SegmentScheduler& scheduler = config.scheduler ? *config.scheduler : local;
  const bool root = scheduler.is_root();

  std::optional<std::ofstream> dump;
  std::string dump_temporary;
  if (!config.dump_runs_path.empty() && root) {
    dump_temporary = config.dump_runs_path + ".tmp";
    dump.emplace(dump_temporary, std::ios::binary | std::ios::trunc);
    if (!*dump) throw InputError(SourceLocation{config.dump_runs_path, 0, 0}, "cannot open for writing (--dump-runs)");
    *dump << "run";
    for (const auto& in : model.inputs()) *dump << "," << in.name;
    for (const auto& m : model.modes()) *dump << ",status_" << m;
    for (const auto& o : model.outputs()) *dump << "," << o.mode << "." << o.output;
    *dump << "\n";
  }
  auto cleanup_dump = [&] {
    if (dump) {
      dump->close();
      std::error_code ec;
      std::filesystem::remove(dump_temporary, ec);
    }
  };

  // Segment s holds blocks [s * segment_blocks, ...): blocks in order within a segment,
  // segments folded in order (by whichever rank computed them). Within a segment, waves of
  // blocks run in parallel and merge in block order. The pilot block is re-evaluated inside
  // the first segment (identical numbers) so every block follows one path.
  const std::uint64_t segments = (blocks.size() + config.segment_blocks - 1) / config.segment_blocks;
  const std::size_t wave = std::max<std::size_t>(1, std::min<std::size_t>(config.segment_blocks,
                                                  4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())));
  const bool report_within_segments = scheduler.processes() == 1 && config.progress;
  std::vector<BlockAccumulator> wave_results;
  ResumableStudy study;
  study.kind = "uncertainty";
  study.identity = config.input_identity;
  for (auto& entry : result_identity(config)) study.identity.push_back(std::move(entry));
  study.segments.compute = [&](std::uint64_t index, const std::function<void()>& poll) {
    const std::size_t segment_start = static_cast<std::size_t>(index) * config.segment_blocks;
    const std::size_t segment_end = std::min(blocks.size(), segment_start + config.segment_blocks);
    SegmentTotals segment = fresh_totals();
    for (std::size_t wave_start = segment_start; wave_start < segment_end; wave_start += wave) {
      if (config.cancel && config.cancel->load())
        throw RunInterrupted(message("interrupted after ", total.acc.runs, " of ", config.runs, " runs"));
      const std::size_t wave_end = std::min(segment_end, wave_start + wave);
      wave_results.assign(wave_end - wave_start, BlockAccumulator{});
      tbb::parallel_for(std::size_t{0}, wave_end - wave_start, [&](std::size_t i) {
        BlockAccumulator acc = fresh();
        run_block(wave_start + i, acc);
        wave_results[i] = std::move(acc);
      });
      segment.absorb_wave(wave_results, replicates);
      poll();
      if (report_within_segments) config.progress(total.acc.runs + segment.acc.runs, config.runs);
    }
    ByteWriter out;
    segment.save(out);
    return out.take();
  };
  study.segments.fold = [&](std::uint64_t index, std::string_view bytes) {
    ByteReader in(bytes, message("segment ", index));
    const SegmentTotals segment = SegmentTotals::load(in, k, pair_specs.size(), modes, replicates);
    if (config.on_failure == OnFailure::abort && segment.acc.first_failure) {
      const auto [run, mode] = *segment.acc.first_failure;
      throw RunInterrupted(message("run ", run, " failed in mode '", model.modes()[mode], "': ",
                                   to_string(segment.acc.first_failure_status), " (--on-failure abort)"));
    }
    if (dump) *dump << segment.acc.dump;
    total.absorb_segment(segment);
    if (config.progress) config.progress(total.acc.runs, config.runs);
    return true;
  };
  study.save_state = [&](ByteWriter& out) { total.save(out); };
  study.load_state = [&](ByteReader& in) { total = SegmentTotals::load(in, k, pair_specs.size(), modes, replicates); };
  try {
    run_segments(scheduler, study, segments, config.checkpoint, config.cancel);
    if (dump) {
      dump->flush();
      if (!*dump) throw InputError(SourceLocation{config.dump_runs_path, 0, 0}, "write failed (disk full?)");
      dump->close();
      std::filesystem::rename(dump_temporary, config.dump_runs_path);
    }
  } catch (...) {
    cleanup_dump();
    throw;
  }
  if (!root) return result;

  result.runs = total.acc.runs;
  result.runs_with_failure = total.acc.runs_with_failure;
  for (std::size_t m = 0; m < modes; ++m)
    for (std::size_t s = 0; s < RUN_STATUS_COUNT; ++s) result.failures[m][s] = total.acc.failures[m * RUN_STATUS_COUNT + s];
  for (std::size_t o = 0; o < k; ++o) {
    std::vector<Moments> means(total.replicate_means.begin() + static_cast<std::ptrdiff_t>(o * replicates),
                               total.replicate_means.begin() + static_cast<std::ptrdiff_t>((o + 1) * replicates));
    result.outputs.push_back({model.outputs()[o], std::move(total.acc.outputs[o]), std::move(means)});
  }
  for (std::size_t p = 0; p < pair_specs.size(); ++p) {
    const PairSpec& spec = pair_specs[p];
    result.comparisons.push_back({model.outputs()[spec.output_a].output, model.outputs()[spec.output_a].unit, spec.mode_a,
                                  spec.mode_b, std::move(total.acc.pairs[p])});
  }
  return result;
}

}  // namespace symbiomc
