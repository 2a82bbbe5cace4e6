#include "symbiomc/sampling/segment_runner.hpp"

#include <chrono>

namespace symbiomc::detail {

namespace {

/// Writes the study's folded state as checkpoints: on the root only, and only with --checkpoint.
class CheckpointWriter {
 public:
  CheckpointWriter(const ResumableSegments& study, std::vector<IdentityEntry> identity,
                   const CheckpointOptions& options, bool root)
      : study_(study),
        identity_(std::move(identity)),
        options_(options),
        enabled_(root && !options.path.empty()),
        last_write_(Clock::now()) {}

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

  /// Writes a checkpoint when --checkpoint-every seconds have passed since the last one.
  void when_due(std::uint64_t folded) {
    if (enabled_ && std::chrono::duration<double>(Clock::now() - last_write_).count() >= options_.every_seconds)
      write(folded, false);
  }

  void write(std::uint64_t folded, bool finished) {
    if (!enabled_) return;
    ByteWriter state;
    study_.save_state(state);
    write_checkpoint(options_.path, Checkpoint{study_.kind(), identity_, folded, finished, state.take()});
    last_write_ = Clock::now();
  }

 private:
  using Clock = std::chrono::steady_clock;
  const ResumableSegments& study_;
  std::vector<IdentityEntry> identity_;
  const CheckpointOptions& options_;
  bool enabled_;
  Clock::time_point last_write_;
};

/// Loads the state of options.resume_path into `study` (root only) and returns the first
/// segment still to compute: `end` when the checkpoint says the study had finished.
std::uint64_t resume(ResumableSegments& study, const std::vector<IdentityEntry>& identity,
                     const CheckpointOptions& options, bool root, std::uint64_t end) {
  if (!root || options.resume_path.empty()) return 0;
  const Checkpoint saved = read_checkpoint(options.resume_path);
  require_same_study(saved, study.kind(), identity, options.resume_path);
  // The CRC proves the bytes are those written; these checks, that what they say is coherent.
  if (saved.next_segment > end)
    throw InputError(
        SourceLocation{options.resume_path, 0, 0},
        message("inconsistent checkpoint: it counts ", saved.next_segment, " completed segments, but this study has ",
                end, "; it was edited or damaged: start afresh without --resume"));
  ByteReader state(saved.state, "checkpoint " + options.resume_path);
  study.load_state(state);
  state.expect_end();
  if (!study.state_holds(saved.next_segment, saved.finished))
    throw InputError(SourceLocation{options.resume_path, 0, 0},
                     message("inconsistent checkpoint: its saved state does not hold the ", saved.next_segment,
                             " completed segments", saved.finished ? " of a finished study" : "",
                             " that it counts; it was edited or damaged: start afresh without --resume"));
  return saved.finished ? end : saved.next_segment;
}

}  // namespace

std::uint64_t run_resumable(ResumableSegments& study, SegmentScheduler& scheduler, const CheckpointOptions& options,
                            const std::atomic<bool>* cancel) {
  const std::vector<IdentityEntry> identity = study.identity();
  const std::uint64_t end = study.segment_count();
  const bool root = scheduler.is_root();
  const std::uint64_t first = resume(study, identity, options, root, end);
  std::uint64_t folded = first;  // segments [0, folded) are in the study's state
  CheckpointWriter checkpoints(study, identity, options, root);

  SegmentStudy segments;
  segments.identity = identity_text(identity);
  segments.cancel = cancel;
  segments.compute = [&](std::uint64_t index, const std::function<void()>& poll) { return study.compute(index, poll); };
  segments.fold = [&](std::uint64_t index, std::string_view contribution) {
    const bool more = study.fold(index, contribution);
    folded = index + 1;
    if (more) checkpoints.when_due(folded);
    return more;
  };
  try {
    // Called even when nothing is left (a finished checkpoint): the other MPI ranks are waiting
    // in the scheduler for rank 0 to tell them the study is over.
    scheduler.run(segments, first, end);
  } catch (const RunInterrupted& e) {
    if (!(cancel && cancel->load()) || !checkpoints.enabled()) throw;
    checkpoints.write(folded, false);
    throw RunInterrupted(message(e.what(), "; checkpoint of ", folded, " completed segments written to ", options.path,
                                 ": continue with --resume ", options.path));
  }
  // The study is complete: a last checkpoint that cannot be written (disk full) must not cost
  // its results, which go elsewhere. Warn when the caller listens; otherwise fail as before.
  try {
    checkpoints.write(folded, true);
  } catch (const InputError& e) {
    if (!options.warn) throw;
    options.warn(message("the final checkpoint was not written (", e.what(),
                         "); the study is complete and its results are written all the same"));
  }
  return folded;
}

}  // namespace symbiomc::detail
