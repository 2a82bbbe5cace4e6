#pragma once
// Where a study's segments run. A study (uncertainty, Sobol', Morris) cuts its runs into
// index-defined segments: segment i always holds the same runs with the same random numbers,
// and its contribution is folded into the running state strictly in index order. That makes
// the result a function of the seed and the options only, so the segments may be computed by
// threads of this process, by other MPI ranks, or before and after an interruption, and the
// result files stay byte-identical. The scheduler owns only the "where"; the study owns the
// "what" (compute) and the "how to combine" (fold).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace symbiomc {

/// What a study hands to a scheduler.
struct SegmentStudy {
  /// Computes segment `index` and returns its serialised contribution (see byte_stream.hpp).
  /// Must call `poll` between waves of blocks: an MPI root answers its workers there. Throws
  /// RunInterrupted when the run is cancelled. Runs on every rank.
  std::function<std::string(std::uint64_t index, const std::function<void()>& poll)> compute;
  /// Folds segment `index`'s contribution into the study's state. Called on the root only, for
  /// consecutive indices. Returns false when the study needs no further segment (for example
  /// when --target-ci-width is met), true to go on.
  std::function<bool(std::uint64_t index, std::string_view contribution)> fold;
  /// Text that must be identical on every rank (options and input checksums, one "key=value"
  /// per line): an MPI scheduler refuses to start when a rank's differs, naming the line.
  std::string identity;
  /// Set by a signal handler (Ctrl-C, SIGTERM); a scheduler waiting for other ranks checks it
  /// too and then throws RunInterrupted. May be null.
  const std::atomic<bool>* cancel = nullptr;
};

/// Runs segments and folds them in order.
class SegmentScheduler {
 public:
  virtual ~SegmentScheduler() = default;
  /// Computes and folds segments first, first + 1, ... up to `end` (exclusive) or until fold
  /// returns false. Returns the index of the first segment not folded. On a non-root rank,
  /// returns when the root says the study is over (the return value is then meaningless).
  /// Propagates RunInterrupted (after stopping every rank cleanly) and the study's errors.
  virtual std::uint64_t run(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) = 0;
  /// True on the process that folds and writes results (always, without MPI).
  [[nodiscard]] virtual bool is_root() const noexcept = 0;
  /// Number of processes sharing the segments (1 without MPI).
  [[nodiscard]] virtual int processes() const noexcept = 0;
};

/// Every segment in this process, one after the other (the threads work inside a segment).
class LocalScheduler final : public SegmentScheduler {
 public:
  std::uint64_t run(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) override;
  [[nodiscard]] bool is_root() const noexcept override { return true; }
  [[nodiscard]] int processes() const noexcept override { return 1; }
};

}  // namespace symbiomc
