#pragma once
// A one-line progress bar with runs/s and ETA on stderr, only when stderr is a terminal
// (nothing of it in pipes, logs or CI).

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>

namespace symbiomc::cli {

class ProgressBar {
 public:
  /// Enabled only when `enabled` and stderr is a terminal.
  ProgressBar(std::ostream& err, bool enabled, const char* what);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(std::uint64_t done, std::uint64_t total);
  /// A callback for the library's progress hook (nullptr-equivalent when disabled).
  [[nodiscard]] std::function<void(std::uint64_t, std::uint64_t)> callback();
  void finish();

 private:
  std::ostream& err_;
  bool enabled_;
  const char* what_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

}  // namespace symbiomc::cli
