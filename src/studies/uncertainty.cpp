#include "symbiomc/studies/uncertainty.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <span>

#include <boost/math/distributions/students_t.hpp>

#include "given_data_statistics.hpp"
#include "run_dump.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/sampling/segment_runner.hpp"

namespace symbiomc {

namespace {

/// Everything one block of runs contributes; merged into the total in block order.
struct BlockAccumulator {
  std::size_t replicate = 0;
  std::uint64_t runs = 0;
  std::uint64_t runs_with_failure = 0;  ///< runs in which at least one mode failed
  std::vector<OutputStats> outputs;
  std::vector<PairComparison> pairs;
  std::vector<std::uint64_t> failures;                                 ///< [mode * RUN_STATUS_COUNT + status]
  std::optional<std::pair<std::uint64_t, std::size_t>> first_failure;  ///< (run index, mode)
  RunStatus first_failure_status = RunStatus::ok;
  std::string dump;
  /// Decision, importance and target sums (absent when the study computes none, or when this
  /// block feeds none of them).
  std::optional<detail::GivenDataStatistics> given;
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
  void absorb_wave(std::span<const BlockAccumulator> blocks, std::size_t replicates) {
    const std::size_t outputs = acc.outputs.size(), pairs = acc.pairs.size();
    if (acc.given)
      for (const auto& block : blocks)
        if (block.given) acc.given->prepare_merge(*block.given);
    const std::size_t given_tasks = acc.given ? acc.given->merge_tasks() : 0;
    tbb::parallel_for(std::size_t{0}, outputs + pairs + given_tasks, [&](std::size_t j) {
      for (const auto& block : blocks) {
        if (j < outputs) {
          acc.outputs[j].merge(block.outputs[j]);
          replicate_means[j * replicates + block.replicate].merge(block.outputs[j].moments());
        } else if (j < outputs + pairs) {
          acc.pairs[j - outputs].merge(block.pairs[j - outputs]);
        } else if (block.given) {
          acc.given->merge_task(j - outputs - pairs, *block.given);
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
      if (acc.given && block.given) acc.given->merge_counts(*block.given);
    }
  }

  /// Folds a later segment in; its dump text and first failure are handled by the caller.
  void absorb_segment(SegmentTotals&& segment) {
    acc.runs += segment.acc.runs;
    acc.runs_with_failure += segment.acc.runs_with_failure;
    for (std::size_t o = 0; o < acc.outputs.size(); ++o) acc.outputs[o].merge(segment.acc.outputs[o]);
    for (std::size_t i = 0; i < replicate_means.size(); ++i) replicate_means[i].merge(segment.replicate_means[i]);
    for (std::size_t p = 0; p < acc.pairs.size(); ++p) acc.pairs[p].merge(segment.acc.pairs[p]);
    for (std::size_t i = 0; i < acc.failures.size(); ++i) acc.failures[i] += segment.acc.failures[i];
    if (acc.given && segment.acc.given) acc.given->merge(std::move(*segment.acc.given));
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
    out.boolean(acc.given.has_value());
    if (acc.given) acc.given->save(out);
  }

  /// Reads what save() wrote, checking it has this study's shape.
  static SegmentTotals load(ByteReader& in, std::size_t outputs, std::size_t pairs, std::size_t modes,
                            std::size_t replicates, const detail::GivenDataPlan& given) {
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
    if (in.boolean() != given.active()) in.fail("decision and importance sums exactly when the study computes them");
    if (given.active()) t.acc.given = detail::GivenDataStatistics::load(in, given);
    return t;
  }
};

/// Runs whose marginal uniforms are transposed together (UncertaintyStudy::evaluate): one cache line of doubles.
constexpr std::size_t V_TILE = 8;

/// Per-thread buffers, sized once: no allocation per block.
struct ThreadScratch {
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> u, x, y, copula;
  // Each parameter's marginal uniform F(x), for the given-data statistics: a tile of runs'
  // (v_run, run-major), and the block's, parameter-major (v[j * n + i]), as their estimators read them.
  std::vector<double> v_run, v;
  std::vector<RunStatus> status;
  detail::GivenDataScratch given;
};

struct ReplicatePlan {
  UnitDesign design;
  std::uint64_t first_run = 0;  ///< global index of its point 0
  std::uint64_t blocks = 0;
};

/// Two modes compared run by run on one output.
struct PairSpec {
  std::size_t output_a, output_b, mode_a, mode_b;
};

void check_config(const Model& model, const Problem& problem, const UncertaintyConfig& config, std::size_t replicates) {
  if (problem.dimension() == 0)
    throw ModelError("the distributions file makes no parameter uncertain: nothing to sample");
  if (model.inputs().size() != problem.dimension()) throw ModelError("model inputs and distributions differ in number");
  if (config.runs < 2) throw ModelError(message("--runs must be at least 2, got ", config.runs));
  if (config.block_size == 0 || config.segment_blocks == 0)
    throw ModelError("block size and segment size must be positive");
  if (!(config.conf_level > 0 && config.conf_level < 1))
    throw ModelError(message("--conf-level must be in (0, 1), got ", config.conf_level));
  if (config.runs < replicates * 2)
    throw ModelError(message("--runs ", config.runs, " is too small for ", replicates, " QMC replicates"));
  // Thresholds refer to output names (any mode).
  for (const auto& t : config.thresholds) {
    const bool known = std::any_of(model.outputs().begin(), model.outputs().end(),
                                   [&](const ModelOutput& o) { return o.output == t.output; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& o : model.outputs())
        if (std::find(names.begin(), names.end(), o.output) == names.end()) names.push_back(o.output);
      throw InputError(message("--threshold ", t.output, "=", t.value, ": unknown output '", t.output, "'",
                               did_you_mean(t.output, names)));
    }
  }
  detail::check_decisions(model, config.decisions);
  if (config.decision_bins != 0 && (config.decision_bins < 2 || config.decision_bins > MAX_BINS))
    throw InputError(message("--decision-bins: expected 2 to ", MAX_BINS, ", got ", config.decision_bins));
}

/// Replicates split the runs as evenly as possible; blocks are numbered across replicates.
std::vector<ReplicatePlan> plan_replicates(const UncertaintyConfig& config, std::size_t d, std::size_t replicates) {
  std::vector<ReplicatePlan> plans;
  std::uint64_t first_run = 0;
  for (std::size_t r = 0; r < replicates; ++r) {
    const std::uint64_t n = config.runs / replicates + (r < config.runs % replicates ? 1 : 0);
    UnitDesign design(config.method, d, n, config.seed, r);
    const std::uint64_t blocks = design.block_count(config.block_size);
    plans.push_back({std::move(design), first_run, blocks});
    first_run += n;
  }
  return plans;
}

/// Pairs of modes compared run by run; modes()[0] is the reference (independent operation)
/// and is compared through the outputs themselves (extra_* = mode - baseline).
std::vector<PairSpec> mode_pairs(const Model& model) {
  const std::size_t k = model.outputs().size();
  const std::size_t modes = model.modes().size();
  const std::size_t per_mode = modes > 0 ? k / modes : 0;
  std::vector<PairSpec> pairs;
  if (modes > 2 && per_mode * modes == k)
    for (std::size_t o = 0; o < per_mode; ++o)
      for (std::size_t a = 1; a < modes; ++a)
        for (std::size_t b = a + 1; b < modes; ++b) pairs.push_back({a * per_mode + o, b * per_mode + o, a, b});
  return pairs;
}

/// Monte Carlo uncertainty propagation as a SegmentedStudy (segment_runner.hpp): work items are
/// index-defined blocks of runs, numbered across the QMC replicates; segment s holds blocks
/// [s * segment_blocks, ...). The folded state is the running SegmentTotals. Not movable: the
/// per-thread scratch refers to the study.
class UncertaintyStudy {
 public:
  using Block = BlockAccumulator;
  using Segment = SegmentTotals;

  UncertaintyStudy(const Model& model, const Problem& problem, const UncertaintyConfig& config);
  UncertaintyStudy(const UncertaintyStudy&) = delete;
  UncertaintyStudy& operator=(const UncertaintyStudy&) = delete;

  /// Lines of every folded run go to `dump` (--dump-runs; the root only).
  void dump_runs_to(RunDump* dump) noexcept { dump_ = dump; }

  [[nodiscard]] std::string kind() const { return "uncertainty"; }
  [[nodiscard]] std::vector<IdentityEntry> identity() const {
    std::vector<IdentityEntry> identity = config_.input_identity;
    for (auto& entry : result_identity(config_)) identity.push_back(std::move(entry));
    return identity;
  }
  [[nodiscard]] std::uint64_t segment_count() const {
    return (block_count() + config_.segment_blocks - 1) / config_.segment_blocks;
  }
  [[nodiscard]] ItemRange segment_items(std::uint64_t index) const {
    const std::uint64_t first = index * config_.segment_blocks;
    return {first, std::min<std::uint64_t>(block_count(), first + config_.segment_blocks)};
  }
  [[nodiscard]] std::uint64_t wave_items() const { return wave_; }
  [[nodiscard]] Block run_block(std::uint64_t item) const {
    Block block = fresh_block();
    if (!given_.decisions.empty() || given_.feeds_importance(item))
      block.given.emplace(given_, given_.feeds_importance(item));
    evaluate(static_cast<std::size_t>(item), block);
    return block;
  }
  [[nodiscard]] Segment empty_segment() const {
    Segment segment{fresh_block(), std::vector<Moments>(k_ * replicates_)};
    if (given_.active()) segment.acc.given.emplace(given_, false);  // importance sums arrive with the blocks
    return segment;
  }
  void absorb_wave(Segment& segment, std::span<const Block> blocks) const { segment.absorb_wave(blocks, replicates_); }
  void save_segment(const Segment& segment, ByteWriter& out) const { segment.save(out); }
  [[nodiscard]] Segment load_segment(ByteReader& in) const {
    return SegmentTotals::load(in, k_, pairs_.size(), modes_, replicates_, given_);
  }
  bool fold(std::uint64_t index, Segment&& segment);
  void save_state(ByteWriter& out) const { total_.save(out); }
  void load_state(ByteReader& in) { total_ = load_segment(in); }
  /// The runs of segments [0, segments) are the runs folded; a finished study folded them all.
  [[nodiscard]] bool state_holds(std::uint64_t segments, bool finished) const {
    if (finished && segments != segment_count()) return false;
    const std::uint64_t last = segments == 0 ? 0 : segment_items(segments - 1).last;
    // Per replicate, its blocks below `last`: all full but possibly the replicate's last one.
    std::uint64_t runs = 0;
    for (std::size_t r = 0; r < replicates_; ++r) {
      const std::uint64_t first = first_block_[r];
      const std::uint64_t covered = last <= first ? 0 : std::min<std::uint64_t>(last - first, plans_[r].blocks);
      if (covered > 0)
        runs += (covered - 1) * config_.block_size + plans_[r].design.points_in_block(covered - 1, config_.block_size);
    }
    return total_.acc.runs == runs;
  }
  [[nodiscard]] StudyProgress progress() const { return {total_.acc.runs, config_.runs}; }
  [[nodiscard]] StudyProgress progress_within(const Segment& segment) const {
    return {total_.acc.runs + segment.acc.runs, config_.runs};
  }
  [[nodiscard]] std::string interrupted_message() const {
    return message("interrupted after ", total_.acc.runs, " of ", config_.runs, " runs");
  }

  /// The result's description (modes, inputs, zero failure counts), without statistics: what
  /// an MPI worker rank returns.
  [[nodiscard]] UncertaintyResult empty_result() const;
  /// The result of everything folded; leaves the study's state moved from.
  [[nodiscard]] UncertaintyResult take_result();

 private:
  [[nodiscard]] Block fresh_block() const;
  /// Evaluates block `block_index` into `acc` (statistics prototype already in place).
  void evaluate(std::size_t block_index, Block& acc) const;
  /// Pilot: block 0 fixes every histogram's edges and the given-data settings.
  void fix_histogram_ranges();
  /// The given-data plan from the pilot's runs (left in this thread's scratch by fix_histogram_ranges).
  void plan_given_data_from_pilot(std::uint64_t pilot_runs);

  const Model& model_;
  const Problem& problem_;
  const UncertaintyConfig& config_;
  std::size_t d_, k_, modes_, replicates_;
  std::vector<ReplicatePlan> plans_;
  /// first_block_[r]: global index of replicate r's block 0; first_block_[replicates] = the
  /// block count. Blocks are located from it, never listed: a list would grow with --runs
  /// (2^40 runs in blocks of 4096 would be 4 GiB of block numbers before the first run).
  std::vector<std::uint64_t> first_block_;
  [[nodiscard]] std::uint64_t block_count() const noexcept { return first_block_.back(); }
  /// (replicate, block within the replicate) of global block `block`.
  [[nodiscard]] std::pair<std::size_t, std::uint64_t> locate_block(std::uint64_t block) const noexcept {
    const auto r = static_cast<std::size_t>(std::upper_bound(first_block_.begin(), first_block_.end(), block) -
                                            first_block_.begin() - 1);
    return {r, block - first_block_[r]};
  }
  std::vector<PairSpec> pairs_;
  std::vector<std::size_t> output_mode_;  // mode of each output, read once (not a virtual call per run)
  mutable tbb::enumerable_thread_specific<ThreadScratch> scratch_;
  std::vector<OutputStats> output_prototypes_;
  std::vector<PairComparison> pair_prototypes_;
  std::uint64_t wave_ = 1;
  detail::GivenDataPlan given_;
  SegmentTotals total_;
  RunDump* dump_ = nullptr;
};

UncertaintyStudy::UncertaintyStudy(const Model& model, const Problem& problem, const UncertaintyConfig& config)
    : model_(model),
      problem_(problem),
      config_(config),
      d_(problem.dimension()),
      k_(model.outputs().size()),
      modes_(model.modes().size()),
      replicates_(config.method == SamplingMethod::qmc ? std::max<std::size_t>(config.replicates, 1) : 1),
      scratch_([this] {
        ThreadScratch s;
        s.workspace = model_.make_workspace(config_.block_size);
        s.u.resize(config_.block_size * d_);
        s.x.resize(config_.block_size * d_);
        s.v_run.resize(V_TILE * d_);
        s.v.resize(config_.block_size * d_);
        s.y.resize(config_.block_size * k_);
        s.status.resize(config_.block_size * modes_);
        s.copula.resize(std::max<std::size_t>(problem_.scratch_size(), 1));
        return s;
      }) {
  check_config(model, problem, config, replicates_);
  plans_ = plan_replicates(config, d_, replicates_);
  first_block_.assign(1, 0);
  for (std::size_t r = 0; r < replicates_; ++r) first_block_.push_back(first_block_.back() + plans_[r].blocks);
  pairs_ = mode_pairs(model);
  output_mode_.resize(k_);
  for (std::size_t o = 0; o < k_; ++o) output_mode_[o] = model.outputs()[o].mode_index;
  fix_histogram_ranges();
  // Within a segment, waves of blocks run in parallel and merge in block order.
  wave_ = std::max<std::size_t>(
      1, std::min<std::size_t>(config.segment_blocks,
                               4 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())));
  total_ = empty_segment();
}

UncertaintyStudy::Block UncertaintyStudy::fresh_block() const {
  BlockAccumulator acc;
  acc.outputs = output_prototypes_;
  acc.pairs = pair_prototypes_;
  acc.failures.assign(modes_ * RUN_STATUS_COUNT, 0);
  return acc;
}

void UncertaintyStudy::evaluate(std::size_t block_index, Block& acc) const {
  const std::size_t d = d_, k = k_, modes = modes_;
  const auto [r, local] = locate_block(block_index);
  const ReplicatePlan& plan = plans_[r];
  ThreadScratch& s = scratch_.local();
  const std::uint64_t n = plan.design.points_in_block(local, config_.block_size);
  plan.design.fill_block(local, config_.block_size, s.u);
  if (!acc.given) {
    for (std::uint64_t i = 0; i < n; ++i)
      problem_.to_physical(std::span<const double>(s.u.data() + i * d, d), std::span<double>(s.x.data() + i * d, d),
                           s.copula);
  } else {
    // The marginal uniforms go parameter-major into s.v, a tile of V_TILE runs at a time: the
    // columns are 8 n bytes apart (32 KiB for 4096 runs, the size of a level-1 cache, so they
    // would all compete for one cache set), and a tile writes each column's cache line once.
    for (std::uint64_t first = 0; first < n; first += V_TILE) {
      const std::uint64_t last = std::min<std::uint64_t>(n, first + V_TILE);
      for (std::uint64_t i = first; i < last; ++i)
        problem_.to_physical(std::span<const double>(s.u.data() + i * d, d), std::span<double>(s.x.data() + i * d, d),
                             s.copula, std::span<double>(s.v_run.data() + (i - first) * d, d));
      for (std::size_t j = 0; j < d; ++j)
        for (std::uint64_t i = first; i < last; ++i) s.v[j * n + i] = s.v_run[(i - first) * d + j];
    }
  }
  model_.evaluate(std::span<const double>(s.x.data(), n * d), n, *s.workspace, std::span<double>(s.y.data(), n * k),
                  std::span<RunStatus>(s.status.data(), n * modes));
  acc.replicate = r;
  acc.runs = n;
  const std::uint64_t run0 = plan.first_run + local * config_.block_size;
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
      if (st[output_mode_[o]] == RunStatus::ok) acc.outputs[o].add(y[o]);
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      const PairSpec& spec = pairs_[p];
      if (st[spec.mode_a] == RunStatus::ok && st[spec.mode_b] == RunStatus::ok)
        acc.pairs[p].add(y[spec.output_a], y[spec.output_b]);
    }
    if (!config_.dump_runs_path.empty())
      append_run_line(acc.dump, run0 + i, std::span<const double>(s.x.data() + i * d, d),
                      std::span<const RunStatus>(st, modes), std::span<const double>(y, k), output_mode_);
  }
  if (acc.given) {
    const detail::BlockRuns runs{std::span<const double>(s.y.data(), n * k),
                                 std::span<const RunStatus>(s.status.data(), n * modes),
                                 std::span<const double>(s.v.data(), n * d), static_cast<std::size_t>(n)};
    acc.given->add_block(given_, block_index, runs, s.given);
  }
}

void UncertaintyStudy::fix_histogram_ranges() {
  // Block 0 fixes every histogram's edges, so edges (and results) do not depend on which
  // thread finishes first. Its values are then accumulated like any other block: the pilot
  // block is re-evaluated inside the first segment (identical numbers) so every block follows
  // one path. Temporary wide-range statistics let evaluate() add into the pilot.
  const std::size_t k = k_, modes = modes_;
  BlockAccumulator pilot;
  for (std::size_t o = 0; o < k; ++o) pilot.outputs.emplace_back(Histogram(-1, 1, 1), std::vector<double>{});
  for (std::size_t p = 0; p < pairs_.size(); ++p) pilot.pairs.emplace_back(Histogram(-1, 1, 1));
  pilot.failures.assign(modes * RUN_STATUS_COUNT, 0);
  ThreadScratch& s = scratch_.local();
  evaluate(0, pilot);
  const std::uint64_t n = pilot.runs;
  std::vector<double> values;
  for (std::size_t o = 0; o < k; ++o) {
    values.clear();
    for (std::uint64_t i = 0; i < n; ++i)
      if (s.status[i * modes + model_.outputs()[o].mode_index] == RunStatus::ok) values.push_back(s.y[i * k + o]);
    if (values.empty()) values.push_back(0.0);
    std::vector<double> thresholds;
    for (const auto& t : config_.thresholds)
      if (t.output == model_.outputs()[o].output) thresholds.push_back(t.value);
    output_prototypes_.emplace_back(Histogram::with_range_from_pilot(values, config_.histogram_bins), thresholds);
  }
  for (const PairSpec& spec : pairs_) {
    values.clear();
    for (std::uint64_t i = 0; i < n; ++i)
      if (s.status[i * modes + spec.mode_a] == RunStatus::ok && s.status[i * modes + spec.mode_b] == RunStatus::ok)
        values.push_back(s.y[i * k + spec.output_a] - s.y[i * k + spec.output_b]);
    if (values.empty()) values.push_back(0.0);
    pair_prototypes_.emplace_back(Histogram::with_range_from_pilot(values, config_.histogram_bins));
  }
  plan_given_data_from_pilot(n);
}

void UncertaintyStudy::plan_given_data_from_pilot(std::uint64_t pilot_runs) {
  const ThreadScratch& s = scratch_.local();
  detail::GivenDataInputs inputs{model_,
                                 problem_,
                                 config_.decisions,
                                 {},
                                 config_.runs,
                                 block_count(),
                                 config_.block_size,
                                 config_.importance_runs,
                                 config_.decision_bins};
  for (const auto& t : config_.thresholds) inputs.thresholds.emplace_back(t.output, t.value);
  const auto n = static_cast<std::size_t>(pilot_runs);
  given_ = detail::plan_given_data(inputs, {std::span<const double>(s.y.data(), n * k_),
                                            std::span<const RunStatus>(s.status.data(), n * modes_), n});
}

bool UncertaintyStudy::fold(std::uint64_t index, Segment&& segment) {
  if (config_.on_failure == OnFailure::abort && segment.acc.first_failure) {
    const auto [run, mode] = *segment.acc.first_failure;
    throw RunInterrupted(message("run ", run, " failed in mode '", model_.modes()[mode],
                                 "': ", to_string(segment.acc.first_failure_status), " (--on-failure abort)"));
  }
  if (dump_) dump_->append(segment.acc.dump);
  total_.absorb_segment(std::move(segment));
  // Once every block that feeds the importance measures is in, their sums become estimates: the
  // state (memory, checkpoints: ~20 MB of sums for the biomass case) keeps only those.
  if (total_.acc.given && given_.importance && (index + 1) * config_.segment_blocks >= given_.importance_blocks)
    total_.acc.given->finish_importance(given_, config_.importance_runs);
  return true;
}

UncertaintyResult UncertaintyStudy::empty_result() const {
  UncertaintyResult result;
  result.config = config_;
  result.modes = model_.modes();
  result.inputs = model_.inputs();
  result.failures.assign(modes_, std::vector<std::uint64_t>(RUN_STATUS_COUNT, 0));
  return result;
}

UncertaintyResult UncertaintyStudy::take_result() {
  UncertaintyResult result = empty_result();
  result.runs = total_.acc.runs;
  result.runs_with_failure = total_.acc.runs_with_failure;
  for (std::size_t m = 0; m < modes_; ++m)
    for (std::size_t s = 0; s < RUN_STATUS_COUNT; ++s)
      result.failures[m][s] = total_.acc.failures[m * RUN_STATUS_COUNT + s];
  for (std::size_t o = 0; o < k_; ++o) {
    std::vector<Moments> means(total_.replicate_means.begin() + static_cast<std::ptrdiff_t>(o * replicates_),
                               total_.replicate_means.begin() + static_cast<std::ptrdiff_t>((o + 1) * replicates_));
    result.outputs.push_back({model_.outputs()[o], std::move(total_.acc.outputs[o]), std::move(means)});
  }
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    const PairSpec& spec = pairs_[p];
    result.comparisons.push_back({model_.outputs()[spec.output_a].output, model_.outputs()[spec.output_a].unit,
                                  spec.mode_a, spec.mode_b, std::move(total_.acc.pairs[p])});
  }
  if (total_.acc.given) {
    result.decisions = total_.acc.given->finalize_decisions(given_);
    result.importance = total_.acc.given->finalize_importance(given_, config_.importance_runs);
  }
  return result;
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
  std::string decisions;
  for (const auto& d : c.decisions)
    decisions += message(decisions.empty() ? "" : " ", d.output, ":", to_string(d.direction));
  return {{"runs", message(c.runs)},
          {"seed", message(c.seed)},
          {"method", std::string(to_string(c.method))},
          {"block size", message(c.block_size)},
          {"segment blocks", message(c.segment_blocks)},
          {"replicates", message(c.method == SamplingMethod::qmc ? c.replicates : 1)},
          {"histogram bins", message(c.histogram_bins)},
          {"confidence level", message(c.conf_level)},
          {"thresholds", thresholds},
          {"decisions", decisions},
          {"decision bins", c.decision_bins > 0 ? message(c.decision_bins) : message("default ", default_bins(c.runs))},
          {"importance runs", message(c.importance_runs)},
          {"on failure", c.on_failure == OnFailure::abort ? "abort" : "skip"}};
}

std::uint64_t UncertaintyResult::failed_runs(std::size_t mode) const {
  std::uint64_t total = 0;
  for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s) total += failures[mode][s];
  return total;
}

UncertaintyResult run_uncertainty(const Model& model, const Problem& problem, const UncertaintyConfig& config) {
  UncertaintyStudy study(model, problem, config);
  const bool checkpointing = !config.checkpoint.path.empty() || !config.checkpoint.resume_path.empty();
  if (!config.dump_runs_path.empty() && checkpointing)
    throw InputError(
        "--dump-runs cannot be combined with --checkpoint or --resume: a resumed run cannot rewrite the runs "
        "already dumped; dump a smaller study separately");
  LocalScheduler local;
  SegmentScheduler& scheduler = config.scheduler ? *config.scheduler : local;
  std::optional<RunDump> dump;  // removed unless the study completes
  if (!config.dump_runs_path.empty() && scheduler.is_root()) {
    dump.emplace(config.dump_runs_path, model);
    study.dump_runs_to(&*dump);
  }
  const SegmentRunOutcome outcome =
      run_segmented(study, SegmentRunOptions{&scheduler, config.checkpoint, config.cancel, config.progress});
  if (dump) dump->commit();
  return outcome.root ? study.take_result() : study.empty_result();
}

}  // namespace symbiomc
