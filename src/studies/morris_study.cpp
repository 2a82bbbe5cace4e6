#include "symbiomc/studies/morris_study.hpp"

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

std::vector<IdentityEntry> result_identity(const MorrisConfig& c) {
  return {{"trajectories", message(c.trajectories)},
          {"levels", message(c.levels)},
          {"seed", message(c.seed)},
          {"block", message(c.block)},
          {"segment blocks", message(c.segment_blocks)}};
}

namespace {

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

struct MorrisScratch {
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> u, x, y, ym, step, copula;
  std::vector<std::size_t> changed;
  std::vector<RunStatus> status;
};

/// The problem's dimension, after checking that there is something to screen.
std::size_t checked_dimension(const Problem& problem, const MorrisConfig& config) {
  if (problem.dimension() == 0)
    throw ModelError("the distributions file makes no parameter uncertain: nothing to screen");
  if (config.trajectories < 2) throw ModelError("--trajectories must be at least 2");
  return problem.dimension();
}

/// Morris screening as a SegmentedStudy (segment_runner.hpp): work items are index-defined
/// blocks of `block` trajectories (trajectory t always from make_engine(seed, morris, t));
/// segment s holds blocks [s * segment_blocks, ...). The folded state is the running total.
/// Not movable: the per-thread scratch refers to the study.
class MorrisStudy {
 public:
  using Block = MorrisBlock;
  using Segment = MorrisBlock;

  MorrisStudy(const Model& model, const Problem& problem, const MorrisConfig& config);
  MorrisStudy(const MorrisStudy&) = delete;
  MorrisStudy& operator=(const MorrisStudy&) = delete;

  [[nodiscard]] std::string kind() const { return "morris"; }
  [[nodiscard]] std::vector<IdentityEntry> identity() const {
    std::vector<IdentityEntry> identity = config_.input_identity;
    for (auto& entry : result_identity(config_)) identity.push_back(std::move(entry));
    return identity;
  }
  [[nodiscard]] std::uint64_t segment_count() const { return (blocks_ + segment_blocks_ - 1) / segment_blocks_; }
  [[nodiscard]] ItemRange segment_items(std::uint64_t index) const {
    const std::uint64_t first = index * segment_blocks_;
    return {first, std::min<std::uint64_t>(blocks_, first + segment_blocks_)};
  }
  [[nodiscard]] std::uint64_t wave_items() const { return wave_; }
  [[nodiscard]] Block run_block(std::uint64_t item) const {
    Block blk = fresh();
    evaluate(item, blk);
    return blk;
  }
  [[nodiscard]] Segment empty_segment() const { return fresh(); }
  void absorb_wave(Segment& segment, std::span<const Block> blocks) const {
    for (const auto& blk : blocks) segment.absorb(blk);
  }
  void save_segment(const Segment& segment, ByteWriter& out) const { segment.save(out); }
  [[nodiscard]] Segment load_segment(ByteReader& in) const { return MorrisBlock::load(in, modes_); }
  bool fold(std::uint64_t /*index*/, Segment&& segment) {
    total_.absorb(segment);
    return true;
  }
  void save_state(ByteWriter& out) const { total_.save(out); }
  void load_state(ByteReader& in) { total_ = MorrisBlock::load(in, modes_); }
  /// The rows of segments [0, segments) are the rows folded; a finished study folded them all.
  [[nodiscard]] bool state_holds(std::uint64_t segments, bool finished) const {
    if (finished && segments != segment_count()) return false;
    const std::uint64_t last = segments == 0 ? 0 : segment_items(segments - 1).last;
    return total_.rows == std::min<std::uint64_t>(config_.trajectories, last * block_) * points_;
  }
  /// Trajectories folded: every evaluated trajectory has d + 1 rows, dropped or not.
  [[nodiscard]] StudyProgress progress() const { return {total_.rows / points_, config_.trajectories}; }
  [[nodiscard]] std::string interrupted_message() const {
    return message("interrupted after ", total_.rows, " model runs");
  }

  /// The result's description, without estimates: what an MPI worker rank returns.
  [[nodiscard]] MorrisResult empty_result() const;
  /// The estimates of everything folded. Throws ModelError when a mode kept fewer than 2
  /// trajectories.
  [[nodiscard]] MorrisResult result() const;

 private:
  [[nodiscard]] Block fresh() const;
  void evaluate(std::uint64_t b, Block& blk) const;

  const Model& model_;
  const Problem& problem_;
  const MorrisConfig& config_;
  std::size_t d_;
  MorrisDesign design_;
  std::size_t modes_;
  std::vector<std::vector<std::size_t>> by_mode_;
  std::size_t k_all_, points_, block_;
  std::uint64_t blocks_;
  std::size_t segment_blocks_;
  std::uint64_t wave_;
  mutable tbb::enumerable_thread_specific<MorrisScratch> scratch_;
  MorrisBlock total_;
};

MorrisStudy::MorrisStudy(const Model& model, const Problem& problem, const MorrisConfig& config)
    : model_(model),
      problem_(problem),
      config_(config),
      d_(checked_dimension(problem, config)),
      design_(d_, config.levels),
      modes_(model.modes().size()),
      by_mode_(outputs_by_mode(model)),
      k_all_(model.outputs().size()),
      points_(d_ + 1),
      block_(std::max<std::size_t>(1, config.block)),
      blocks_((config.trajectories + block_ - 1) / block_),
      segment_blocks_(std::max<std::size_t>(1, config.segment_blocks)),
      wave_(4 * static_cast<std::uint64_t>(tbb::this_task_arena::max_concurrency())),
      scratch_([this] {
        MorrisScratch s;
        s.workspace = model_.make_workspace(block_ * points_);
        s.u.resize(block_ * points_ * d_);
        s.x.resize(block_ * points_ * d_);
        s.y.resize(block_ * points_ * k_all_);
        s.ym.resize(points_ * k_all_);
        s.step.resize(block_ * d_);
        s.changed.resize(block_ * d_);
        s.status.resize(block_ * points_ * modes_);
        s.copula.resize(std::max<std::size_t>(1, problem_.scratch_size()));
        return s;
      }) {
  total_ = fresh();
}

MorrisBlock MorrisStudy::fresh() const {
  MorrisBlock blk;
  for (std::size_t m = 0; m < modes_; ++m) blk.accumulators.emplace_back(d_, by_mode_[m].size());
  blk.dropped.assign(modes_, 0);
  return blk;
}

void MorrisStudy::evaluate(std::uint64_t b, Block& blk) const {
  const std::size_t d = d_, points = points_, k_all = k_all_, modes = modes_;
  MorrisScratch& s = scratch_.local();
  const std::uint64_t first = b * block_;
  const std::uint64_t n = std::min<std::uint64_t>(block_, config_.trajectories - first);
  for (std::uint64_t t = 0; t < n; ++t) {
    Engine engine = make_engine(config_.seed, Stream::morris, first + t);
    design_.trajectory(engine, std::span<double>(s.u.data() + t * points * d, points * d),
                       std::span<std::size_t>(s.changed.data() + t * d, d),
                       std::span<double>(s.step.data() + t * d, d));
    for (std::size_t p = 0; p < points; ++p)
      problem_.to_physical(std::span<const double>(s.u.data() + (t * points + p) * d, d),
                           std::span<double>(s.x.data() + (t * points + p) * d, d), s.copula);
  }
  const std::uint64_t rows = n * points;
  model_.evaluate(std::span<const double>(s.x.data(), rows * d), rows, *s.workspace,
                  std::span<double>(s.y.data(), rows * k_all), std::span<RunStatus>(s.status.data(), rows * modes));
  blk.rows += rows;
  for (std::uint64_t t = 0; t < n; ++t)
    for (std::size_t m = 0; m < modes; ++m) {
      bool valid = true;
      for (std::size_t p = 0; p < points; ++p) valid = valid && s.status[(t * points + p) * modes + m] == RunStatus::ok;
      if (!valid) {
        ++blk.dropped[m];
        continue;
      }
      const auto& ks = by_mode_[m];
      for (std::size_t p = 0; p < points; ++p)
        for (std::size_t o = 0; o < ks.size(); ++o) s.ym[p * ks.size() + o] = s.y[(t * points + p) * k_all + ks[o]];
      blk.accumulators[m].add(std::span<const double>(s.ym.data(), points * ks.size()),
                              std::span<const std::size_t>(s.changed.data() + t * d, d),
                              std::span<const double>(s.step.data() + t * d, d));
    }
}

MorrisResult MorrisStudy::empty_result() const {
  MorrisResult result;
  result.config = config_;
  result.modes = model_.modes();
  result.outputs = output_labels_by_mode(model_);
  return result;
}

MorrisResult MorrisStudy::result() const {
  MorrisResult result = empty_result();
  result.model_runs = total_.rows;
  result.dropped_trajectories = total_.dropped;
  for (std::size_t m = 0; m < modes_; ++m) {
    if (config_.trajectories - total_.dropped[m] < 2)
      throw ModelError(message("mode '", model_.modes()[m], "': fewer than 2 trajectories without a failed run (",
                               total_.dropped[m], " of ", config_.trajectories, " dropped)"));
    result.estimates.push_back(total_.accumulators[m].finalize());
  }
  return result;
}

}  // namespace

MorrisResult run_morris(const Model& model, const Problem& problem, const MorrisConfig& config) {
  MorrisStudy study(model, problem, config);
  const SegmentRunOutcome outcome =
      run_segmented(study, SegmentRunOptions{config.scheduler, config.checkpoint, config.cancel, config.progress});
  return outcome.root ? study.result() : study.empty_result();
}

}  // namespace symbiomc
