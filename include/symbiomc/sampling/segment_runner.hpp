#pragma once
// The one skeleton every segmented study runs on: uncertainty, Sobol', Morris, and any study
// added later (a decision analysis, Shapley effects) as a new type, without touching this file.
//
// A study's work is a sequence of index-defined work items ("blocks"): item i always holds the
// same runs with the same random numbers, whoever computes it. Consecutive items form
// index-defined segments, the unit that crosses MPI ranks and that a checkpoint counts.
// run_segmented owns everything around the study's arithmetic:
//   - within a segment, waves of blocks evaluated in parallel (tbb::parallel_for; the study keeps
//     per-thread scratch) and absorbed into the segment in block order;
//   - the segment serialised (ByteWriter) and handed to a SegmentScheduler (this process, or
//     MPI ranks), which folds segments into the study's state strictly in index order on the
//     root, stopping early when fold says so (e.g. Sobol' --target-ci-width met);
//   - checkpoints (every CheckpointOptions::every_seconds, a last one when the study completes,
//     and one on cancel) and resume from one (checkpoint.hpp is the file format);
//   - cancel checks between waves (RunInterrupted), poll() between waves (an MPI root answers
//     its workers there), and progress callbacks.
// Because blocks are index-defined, absorbed in block order and segments folded in index order,
// the study's floating-point operations happen in one fixed order: the result is the same bits
// for any thread count, any number of MPI ranks, and across an interruption and resume.

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"

namespace symbiomc {

/// Work items [first, last) of one segment.
struct ItemRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

/// How far a study is, in its own unit (runs, base samples, trajectories), for a progress bar.
struct StudyProgress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
};

/// What a study type provides to run_segmented. `const` members are the compute side: they run
/// on every MPI rank, concurrently on TBB threads where noted, and never read the folded state
/// except for messages and progress; the non-const members change the folded state and run on
/// the root only (or, for load_state, when resuming).
///
///   Block, Segment          what one work item contributes; what a segment (and, usually, the
///                           running total) holds. Block must be default-constructible (the
///                           wave's slots) and movable.
///   kind()                  "uncertainty", "sobol", ...: the checkpoint's study name.
///   identity()              options and input checksums: compared on resume and across ranks.
///   segment_count()         number of segments planned (fold may stop earlier).
///   segment_items(index)    the work items of segment `index`; consecutive segments follow on.
///   wave_items()            items evaluated in parallel before they are absorbed (at least 1
///                           is used): bounds the memory of a wave, sets how often poll() runs.
///   run_block(item)         evaluates one work item. Called concurrently from TBB threads:
///                           must be thread-safe (per-thread scratch, e.g. a mutable
///                           tbb::enumerable_thread_specific).
///   empty_segment()         a segment holding no block yet.
///   absorb_wave(segment, blocks)
///                           merges a wave of consecutive blocks into `segment`, in block order
///                           (it may parallelise over statistics, never over blocks).
///   save_segment(segment, out) / load_segment(in)
///                           the segment's bytes (what crosses ranks); load checks the shape.
///   fold(index, segment)    folds segment `index` into the state; called for consecutive
///                           indices. Returns false when the study needs no further segment.
///   save_state(out) / load_state(in)
///                           the folded state's bytes (what a checkpoint holds).
///   progress()              progress after the last fold.
///   interrupted_message()   what RunInterrupted says on cancel, e.g. "interrupted after N runs".
///
/// Optionally, `progress_within(segment)` (StudyProgress, see ReportsWithinSegments) reports
/// progress after each wave when the whole study runs in this process; and
/// `state_holds(segments, finished)` (bool, see ChecksResumedState) says whether the state just
/// loaded from a checkpoint holds exactly segments [0, segments) (and, when `finished`, that the
/// study could have stopped there): a checkpoint whose CRC holds but whose counter disagrees
/// with its state (edited, or written by a faulty program) is refused instead of counting runs
/// twice or too few times.
template <class S>
concept SegmentedStudy = std::default_initializable<typename S::Block> && std::movable<typename S::Block> &&
    std::movable<typename S::Segment> &&
    requires(S& study, const S& view, std::uint64_t index, typename S::Segment& segment,
             std::span<const typename S::Block> wave, ByteWriter& out, ByteReader& in) {
  { view.kind() } -> std::convertible_to<std::string>;
  { view.identity() } -> std::same_as<std::vector<IdentityEntry>>;
  { view.segment_count() } -> std::same_as<std::uint64_t>;
  { view.segment_items(index) } -> std::same_as<ItemRange>;
  { view.wave_items() } -> std::same_as<std::uint64_t>;
  { view.run_block(index) } -> std::same_as<typename S::Block>;
  { view.empty_segment() } -> std::same_as<typename S::Segment>;
  { view.absorb_wave(segment, wave) } -> std::same_as<void>;
  { view.save_segment(std::as_const(segment), out) } -> std::same_as<void>;
  { view.load_segment(in) } -> std::same_as<typename S::Segment>;
  { study.fold(index, std::move(segment)) } -> std::same_as<bool>;
  { view.save_state(out) } -> std::same_as<void>;
  { study.load_state(in) } -> std::same_as<void>;
  { view.progress() } -> std::same_as<StudyProgress>;
  { view.interrupted_message() } -> std::convertible_to<std::string>;
};

/// A study that can say how far it is in the middle of a segment (the uncertainty study's
/// progress bar moves per wave, not per segment).
template <class S>
concept ReportsWithinSegments = SegmentedStudy<S> && requires(const S& view, const typename S::Segment& segment) {
  { view.progress_within(segment) } -> std::same_as<StudyProgress>;
};

/// A study that can check a resumed state against the checkpoint's segment counter.
template <class S>
concept ChecksResumedState = SegmentedStudy<S> && requires(const S& view, std::uint64_t segments, bool finished) {
  { view.state_holds(segments, finished) } -> std::same_as<bool>;
};

/// Where and how a study runs.
struct SegmentRunOptions {
  SegmentScheduler* scheduler = nullptr;      ///< where segments run; null = this process (LocalScheduler)
  CheckpointOptions checkpoint;               ///< --checkpoint / --checkpoint-every / --resume
  const std::atomic<bool>* cancel = nullptr;  ///< set by a signal handler (Ctrl-C, SIGTERM)
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  ///< after each fold (and wave)
};

struct SegmentRunOutcome {
  std::uint64_t folded = 0;  ///< segments [0, folded) are in the study's state
  bool root = true;          ///< this process holds the folded state (false on MPI worker ranks)
};

namespace detail {

/// The type-erased face of a study that the checkpointing loop needs: segments as bytes and the
/// folded state. Keeps the checkpoint logic compiled once (segment_runner.cpp), not per study.
class ResumableSegments {
 public:
  virtual ~ResumableSegments() = default;
  [[nodiscard]] virtual std::string kind() const = 0;
  [[nodiscard]] virtual std::vector<IdentityEntry> identity() const = 0;
  [[nodiscard]] virtual std::uint64_t segment_count() const = 0;
  virtual std::string compute(std::uint64_t index, const std::function<void()>& poll) = 0;
  virtual bool fold(std::uint64_t index, std::string_view contribution) = 0;
  virtual void save_state(ByteWriter& out) const = 0;
  virtual void load_state(ByteReader& in) = 0;
  /// After load_state: whether the state holds exactly segments [0, segments) (true when the
  /// study cannot tell).
  [[nodiscard]] virtual bool state_holds(std::uint64_t segments, bool finished) const = 0;
};

/// Runs `study`'s segments through `scheduler`: resumes from options.resume_path (root only),
/// writes a checkpoint at most every options.every_seconds and a last one when the study
/// completes, and, when `cancel` is set (Ctrl-C, SIGTERM), writes a final checkpoint of
/// everything folded before rethrowing RunInterrupted with the resume command in its message.
/// Returns the number of segments folded.
std::uint64_t run_resumable(ResumableSegments& study, SegmentScheduler& scheduler, const CheckpointOptions& options,
                            const std::atomic<bool>* cancel);

/// A SegmentedStudy seen through ResumableSegments: the wave loop, with the study's types.
template <SegmentedStudy Study>
class StudySegments final : public ResumableSegments {
 public:
  StudySegments(Study& study, const SegmentRunOptions& options, bool report_within)
      : study_(study), options_(options), report_within_(report_within) {}

  [[nodiscard]] std::string kind() const override { return std::string(study_.kind()); }
  [[nodiscard]] std::vector<IdentityEntry> identity() const override { return study_.identity(); }
  [[nodiscard]] std::uint64_t segment_count() const override { return study_.segment_count(); }

  std::string compute(std::uint64_t index, const std::function<void()>& poll) override {
    const Study& view = study_;  // the compute side only: it runs on every rank
    typename Study::Segment segment = view.empty_segment();
    const ItemRange items = view.segment_items(index);
    const std::uint64_t wave = std::max<std::uint64_t>(1, view.wave_items());
    std::vector<typename Study::Block> blocks;
    for (std::uint64_t start = items.first; start < items.last; start += wave) {
      if (options_.cancel && options_.cancel->load()) throw RunInterrupted(std::string(view.interrupted_message()));
      const std::uint64_t end = std::min(items.last, start + wave);
      blocks.assign(static_cast<std::size_t>(end - start), typename Study::Block{});
      tbb::parallel_for(std::size_t{0}, blocks.size(), [&](std::size_t i) { blocks[i] = view.run_block(start + i); });
      view.absorb_wave(segment, std::span<const typename Study::Block>(blocks));
      poll();
      if constexpr (ReportsWithinSegments<Study>) {
        if (report_within_) {
          const StudyProgress p = view.progress_within(segment);
          options_.progress(p.done, p.total);
        }
      }
    }
    ByteWriter out;
    view.save_segment(segment, out);
    return out.take();
  }

  bool fold(std::uint64_t index, std::string_view contribution) override {
    ByteReader in(contribution, message("segment ", index));
    typename Study::Segment segment = study_.load_segment(in);
    in.expect_end();
    const bool more = study_.fold(index, std::move(segment));
    if (options_.progress) {
      const StudyProgress p = study_.progress();
      options_.progress(p.done, p.total);
    }
    return more;
  }

  void save_state(ByteWriter& out) const override { study_.save_state(out); }
  void load_state(ByteReader& in) override { study_.load_state(in); }
  [[nodiscard]] bool state_holds(std::uint64_t segments, bool finished) const override {
    if constexpr (ChecksResumedState<Study>)
      return study_.state_holds(segments, finished);
    else
      return true;
  }

 private:
  Study& study_;
  const SegmentRunOptions& options_;
  bool report_within_;
};

}  // namespace detail

/// Runs `study` to completion (all segments, or until fold returns false), resuming from and
/// writing checkpoints as `options` say. Throws RunInterrupted on cancel (after writing a
/// checkpoint when one is configured) and whatever the study throws. With an MPI scheduler,
/// only the root's study holds the folded state afterwards (outcome.root).
template <SegmentedStudy Study>
SegmentRunOutcome run_segmented(Study& study, const SegmentRunOptions& options) {
  LocalScheduler local;
  SegmentScheduler& scheduler = options.scheduler ? *options.scheduler : local;
  // Within-segment progress only when this process computes every segment: with MPI ranks the
  // folded total plus one rank's partial segment would not be a count of anything.
  const bool report_within = scheduler.processes() == 1 && static_cast<bool>(options.progress);
  detail::StudySegments<Study> segments(study, options, report_within);
  const std::uint64_t folded = detail::run_resumable(segments, scheduler, options.checkpoint, options.cancel);
  return {folded, scheduler.is_root()};
}

}  // namespace symbiomc
