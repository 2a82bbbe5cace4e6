#include "symbiomc/studies/shapley_study.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <span>

#include "mode_outputs.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/sampling/segment_runner.hpp"

namespace symbiomc {

std::vector<IdentityEntry> result_identity(const ShapleyConfig& c) {
  return {{"permutations", message(c.permutations)},
          {"outer samples", message(c.outer)},
          {"inner samples", message(c.inner)},
          {"variance runs", message(c.variance_runs)},
          {"seed", message(c.seed)},
          {"confidence level", message(c.conf_level)},
          {"permutation block", message(c.permutation_block)},
          {"variance block", message(c.variance_block)},
          {"segment blocks", message(c.segment_blocks)}};
}

namespace {

/// What a block, a segment or the running total of a Shapley study holds.
struct ShapleyBlock {
  std::vector<ShapleyAccumulator> accumulators;     ///< [mode]
  std::vector<std::uint64_t> dropped_permutations;  ///< [mode]
  std::vector<std::uint64_t> dropped_variance;      ///< [mode]
  std::vector<std::uint64_t> failed_runs;           ///< [mode * RUN_STATUS_COUNT + status]
  std::uint64_t rows = 0;

  /// Folds a later block in.
  void absorb(const ShapleyBlock& later) {
    for (std::size_t m = 0; m < accumulators.size(); ++m) {
      accumulators[m].merge(later.accumulators[m]);
      dropped_permutations[m] += later.dropped_permutations[m];
      dropped_variance[m] += later.dropped_variance[m];
    }
    for (std::size_t i = 0; i < failed_runs.size(); ++i) failed_runs[i] += later.failed_runs[i];
    rows += later.rows;
  }
  void save(ByteWriter& out) const {
    out.u64(accumulators.size());
    for (const auto& a : accumulators) a.save(out);
    out.u64s(dropped_permutations);
    out.u64s(dropped_variance);
    out.u64s(failed_runs);
    out.u64(rows);
  }
  static ShapleyBlock load(ByteReader& in, std::size_t modes) {
    ShapleyBlock blk;
    if (in.u64() != modes) in.fail("one Shapley accumulator per mode");
    for (std::size_t m = 0; m < modes; ++m) blk.accumulators.push_back(ShapleyAccumulator::load(in));
    blk.dropped_permutations = in.u64s();
    blk.dropped_variance = in.u64s();
    blk.failed_runs = in.u64s();
    if (blk.dropped_permutations.size() != modes || blk.dropped_variance.size() != modes ||
        blk.failed_runs.size() != modes * RUN_STATUS_COUNT)
      in.fail("per-mode failure counts");
    blk.rows = in.u64();
    return blk;
  }
};

struct ShapleyScratch {
  std::unique_ptr<ModelWorkspace> workspace;
  ShapleyDesign::Scratch design;
  std::vector<double> u, x, y, ym, copula;
  std::vector<std::size_t> order;
  std::vector<RunStatus> status;
};

/// The problem's dimension, after checking the options.
std::size_t checked_dimension(const Problem& problem, const ShapleyConfig& config) {
  if (problem.dimension() == 0)
    throw ModelError("the distributions file makes no parameter uncertain: nothing to analyse");
  if (config.permutations < 2) throw ModelError("--permutations must be at least 2");
  if (config.variance_runs < 2) throw ModelError("--shapley-variance-runs must be at least 2");
  if (!(config.conf_level > 0 && config.conf_level < 1)) throw ModelError("--conf-level must be in (0, 1)");
  return problem.dimension();
}

/// Shapley effects as a SegmentedStudy (segment_runner.hpp). Work items [0, variance_blocks)
/// are blocks of N_v joint draws (block b from make_engine(seed, shapley_variance, b)); the
/// items after them are blocks of permutations (permutation p from make_engine(seed,
/// shapley_permutation, p)). Segment s holds items [s * segment_blocks, ...). The folded state
/// is the running total. Not movable: the per-thread scratch refers to the study.
class ShapleyStudy {
 public:
  using Block = ShapleyBlock;
  using Segment = ShapleyBlock;

  ShapleyStudy(const Model& model, const Problem& problem, const ShapleyConfig& config);
  ShapleyStudy(const ShapleyStudy&) = delete;
  ShapleyStudy& operator=(const ShapleyStudy&) = delete;

  [[nodiscard]] std::string kind() const { return "shapley"; }
  [[nodiscard]] std::vector<IdentityEntry> identity() const {
    std::vector<IdentityEntry> identity = config_.input_identity;
    for (auto& entry : result_identity(config_)) identity.push_back(std::move(entry));
    return identity;
  }
  [[nodiscard]] std::uint64_t segment_count() const { return (items_ + segment_blocks_ - 1) / segment_blocks_; }
  [[nodiscard]] ItemRange segment_items(std::uint64_t index) const {
    const std::uint64_t first = index * segment_blocks_;
    return {first, std::min<std::uint64_t>(items_, first + segment_blocks_)};
  }
  [[nodiscard]] std::uint64_t wave_items() const { return wave_; }
  [[nodiscard]] Block run_block(std::uint64_t item) const {
    Block blk = fresh();
    if (item < variance_blocks_)
      add_variance_block(item, blk);
    else
      add_permutation_block(item - variance_blocks_, blk);
    return blk;
  }
  [[nodiscard]] Segment empty_segment() const { return fresh(); }
  void absorb_wave(Segment& segment, std::span<const Block> blocks) const {
    for (const auto& blk : blocks) segment.absorb(blk);
  }
  void save_segment(const Segment& segment, ByteWriter& out) const { segment.save(out); }
  [[nodiscard]] Segment load_segment(ByteReader& in) const { return ShapleyBlock::load(in, modes_); }
  bool fold(std::uint64_t /*index*/, Segment&& segment) {
    total_.absorb(segment);
    return true;
  }
  void save_state(ByteWriter& out) const { total_.save(out); }
  void load_state(ByteReader& in) { total_ = ShapleyBlock::load(in, modes_); }
  /// The rows of segments [0, segments) are the rows folded; a finished study folded them all.
  [[nodiscard]] bool state_holds(std::uint64_t segments, bool finished) const {
    if (finished && segments != segment_count()) return false;
    const std::uint64_t last = segments == 0 ? 0 : segment_items(segments - 1).last;
    const std::uint64_t variance_rows =
        std::min<std::uint64_t>(config_.variance_runs, std::min(last, variance_blocks_) * var_block_);
    const std::uint64_t permutations =
        last > variance_blocks_ ? std::min<std::uint64_t>(config_.permutations, (last - variance_blocks_) * perm_block_)
                                : 0;
    return total_.rows == variance_rows + permutations * design_.rows_per_permutation();
  }
  [[nodiscard]] StudyProgress progress() const {
    return {total_.rows, config_.variance_runs + config_.permutations * design_.rows_per_permutation()};
  }
  [[nodiscard]] std::string interrupted_message() const {
    return message("interrupted after ", total_.rows, " model runs");
  }

  /// The result's description, without estimates: what an MPI worker rank returns.
  [[nodiscard]] ShapleyResult empty_result() const;
  /// The estimates of everything folded.
  [[nodiscard]] ShapleyResult result() const;

 private:
  [[nodiscard]] Block fresh() const;
  /// Counts the failed rows of `rows` runs from `status` into blk.failed_runs; returns, per
  /// mode, whether every row was ok (in ok, one flag per mode).
  void tally(std::span<const RunStatus> status, std::size_t rows, Block& blk, std::vector<bool>& ok) const;
  void add_variance_block(std::uint64_t b, Block& blk) const;
  void add_permutation_block(std::uint64_t b, Block& blk) const;
  /// Copies the outputs of mode m of `rows` runs (row-major, all outputs) into s.ym.
  void mode_outputs(const ShapleyScratch& s, std::size_t m, std::size_t first_row, std::size_t rows,
                    std::vector<double>& ym) const;

  const Model& model_;
  const Problem& problem_;
  const ShapleyConfig& config_;
  std::size_t d_;
  ShapleyDesign design_;
  std::size_t modes_;
  std::vector<std::vector<std::size_t>> by_mode_;
  std::size_t k_all_;
  std::size_t perm_block_, var_block_;
  std::uint64_t variance_blocks_, permutation_blocks_, items_;
  std::size_t segment_blocks_;
  std::uint64_t wave_;
  mutable tbb::enumerable_thread_specific<ShapleyScratch> scratch_;
  ShapleyBlock total_;
};

ShapleyStudy::ShapleyStudy(const Model& model, const Problem& problem, const ShapleyConfig& config)
    : model_(model),
      problem_(problem),
      config_(config),
      d_(checked_dimension(problem, config)),
      design_(problem, config.outer, config.inner),
      modes_(model.modes().size()),
      by_mode_(outputs_by_mode(model)),
      k_all_(model.outputs().size()),
      perm_block_(std::max<std::size_t>(1, config.permutation_block)),
      var_block_(std::max<std::size_t>(1, config.variance_block)),
      variance_blocks_((config.variance_runs + var_block_ - 1) / var_block_),
      permutation_blocks_((config.permutations + perm_block_ - 1) / perm_block_),
      items_(variance_blocks_ + permutation_blocks_),
      segment_blocks_(std::max<std::size_t>(1, config.segment_blocks)),
      wave_(2 * static_cast<std::uint64_t>(tbb::this_task_arena::max_concurrency())),
      scratch_([this] {
        ShapleyScratch s;
        const std::size_t rows = std::max(var_block_, perm_block_ * design_.rows_per_permutation());
        s.workspace = model_.make_workspace(rows);
        s.design = design_.make_scratch();
        s.u.resize(d_);
        s.x.resize(rows * d_);
        s.y.resize(rows * k_all_);
        s.status.resize(rows * modes_);
        s.order.resize(d_);
        s.copula.resize(std::max<std::size_t>(1, problem_.scratch_size()));
        return s;
      }) {
  total_ = fresh();
}

ShapleyBlock ShapleyStudy::fresh() const {
  ShapleyBlock blk;
  for (std::size_t m = 0; m < modes_; ++m)
    blk.accumulators.emplace_back(d_, by_mode_[m].size(), config_.outer, config_.inner);
  blk.dropped_permutations.assign(modes_, 0);
  blk.dropped_variance.assign(modes_, 0);
  blk.failed_runs.assign(modes_ * RUN_STATUS_COUNT, 0);
  return blk;
}

void ShapleyStudy::tally(std::span<const RunStatus> status, std::size_t rows, Block& blk, std::vector<bool>& ok) const {
  ok.assign(modes_, true);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t m = 0; m < modes_; ++m) {
      const RunStatus st = status[r * modes_ + m];
      if (st == RunStatus::ok) continue;
      ok[m] = false;
      ++blk.failed_runs[m * RUN_STATUS_COUNT + static_cast<std::size_t>(st)];
    }
}

void ShapleyStudy::mode_outputs(const ShapleyScratch& s, std::size_t m, std::size_t first_row, std::size_t rows,
                                std::vector<double>& ym) const {
  const auto& ks = by_mode_[m];
  ym.resize(rows * ks.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t o = 0; o < ks.size(); ++o) ym[r * ks.size() + o] = s.y[(first_row + r) * k_all_ + ks[o]];
}

void ShapleyStudy::add_variance_block(std::uint64_t b, Block& blk) const {
  ShapleyScratch& s = scratch_.local();
  const std::uint64_t first = b * var_block_;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(var_block_, config_.variance_runs - first));
  Engine engine = make_engine(config_.seed, Stream::shapley_variance, b);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t i = 0; i < d_; ++i) s.u[i] = next_open_unit(engine);
    problem_.to_physical(s.u, std::span<double>(s.x.data() + r * d_, d_), s.copula);
  }
  model_.evaluate(std::span<const double>(s.x.data(), n * d_), n, *s.workspace,
                  std::span<double>(s.y.data(), n * k_all_), std::span<RunStatus>(s.status.data(), n * modes_));
  blk.rows += n;
  std::vector<bool> ok;
  for (std::size_t r = 0; r < n; ++r) {
    tally(std::span<const RunStatus>(s.status.data() + r * modes_, modes_), 1, blk, ok);
    for (std::size_t m = 0; m < modes_; ++m) {
      if (!ok[m]) {  // a failed variance run is dropped alone, for this mode
        ++blk.dropped_variance[m];
        continue;
      }
      mode_outputs(s, m, r, 1, s.ym);
      blk.accumulators[m].add_variance_run(s.ym);
    }
  }
}

void ShapleyStudy::add_permutation_block(std::uint64_t b, Block& blk) const {
  ShapleyScratch& s = scratch_.local();
  const std::size_t per = design_.rows_per_permutation();
  const std::uint64_t first = b * perm_block_;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(perm_block_, config_.permutations - first));
  std::vector<std::size_t> orders(n * d_);
  for (std::size_t p = 0; p < n; ++p) {
    Engine engine = make_engine(config_.seed, Stream::shapley_permutation, first + p);
    design_.permutation(engine, std::span<std::size_t>(orders.data() + p * d_, d_),
                        std::span<double>(s.x.data() + p * per * d_, per * d_), s.design);
  }
  const std::size_t rows = n * per;
  model_.evaluate(std::span<const double>(s.x.data(), rows * d_), rows, *s.workspace,
                  std::span<double>(s.y.data(), rows * k_all_), std::span<RunStatus>(s.status.data(), rows * modes_));
  blk.rows += rows;
  std::vector<bool> ok;
  for (std::size_t p = 0; p < n; ++p) {
    tally(std::span<const RunStatus>(s.status.data() + p * per * modes_, per * modes_), per, blk, ok);
    for (std::size_t m = 0; m < modes_; ++m) {
      if (!ok[m]) {  // a permutation with a failed run is dropped whole, for this mode
        ++blk.dropped_permutations[m];
        continue;
      }
      mode_outputs(s, m, p * per, per, s.ym);
      blk.accumulators[m].add_permutation(std::span<const std::size_t>(orders.data() + p * d_, d_), s.ym);
    }
  }
}

ShapleyResult ShapleyStudy::empty_result() const {
  ShapleyResult result;
  result.config = config_;
  for (const auto& p : problem_.parameters()) result.parameters.push_back(p.name);
  result.modes = model_.modes();
  result.outputs = output_labels_by_mode(model_);
  result.permutation_runs = design_.rows_per_permutation();
  result.dropped_permutations.assign(modes_, 0);
  result.dropped_variance_runs.assign(modes_, 0);
  result.failed_runs.assign(modes_, std::vector<std::uint64_t>(RUN_STATUS_COUNT, 0));
  if (problem_.correlation()) result.correlations = problem_.correlation()->pairs();
  return result;
}

ShapleyResult ShapleyStudy::result() const {
  ShapleyResult result = empty_result();
  result.model_runs = total_.rows;
  result.dropped_permutations = total_.dropped_permutations;
  result.dropped_variance_runs = total_.dropped_variance;
  for (std::size_t m = 0; m < modes_; ++m) {
    for (std::size_t st = 0; st < RUN_STATUS_COUNT; ++st)
      result.failed_runs[m][st] = total_.failed_runs[m * RUN_STATUS_COUNT + st];
    result.estimates.push_back(total_.accumulators[m].finalize(config_.conf_level));
  }
  return result;
}

}  // namespace

ShapleyResult run_shapley(const Model& model, const Problem& problem, const ShapleyConfig& config) {
  ShapleyStudy study(model, problem, config);
  const SegmentRunOutcome outcome =
      run_segmented(study, SegmentRunOptions{config.scheduler, config.checkpoint, config.cancel, config.progress});
  return outcome.root ? study.result() : study.empty_result();
}

}  // namespace symbiomc
