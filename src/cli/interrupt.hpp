#pragma once
// Ctrl-C / SIGTERM during a long run: the handler only sets a flag that the sampler polls
// between waves, so the run stops cleanly and writes no half files. A signal handler can
// only reach a flag with static storage: this is the program's one piece of global state,
// and it lives in the CLI, not in the library (which takes a pointer to it).

#include <atomic>

namespace symbiomc::cli {

/// Installs SIGINT/SIGTERM handlers for the lifetime of the guard and resets the flag.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  [[nodiscard]] const std::atomic<bool>* flag() const noexcept;
};

}  // namespace symbiomc::cli
