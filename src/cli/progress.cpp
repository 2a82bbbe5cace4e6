#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace symbiomc::cli {

ProgressBar::ProgressBar(std::ostream& err, bool enabled, const char* what)
    : err_(err),
      enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      what_(what),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
  constexpr int WIDTH = 30;
  const int filled = static_cast<int>(fraction * WIDTH);
  char line[160];
  std::snprintf(line, sizeof line, "\r%s [%-*s] %5.1f%%  %.3g runs/s  ETA %.0f s ", what_, WIDTH,
                std::string(static_cast<std::size_t>(filled), '=').c_str(), 100 * fraction, rate, eta);
  err_ << line << std::flush;
  drawn_ = true;
}

std::function<void(std::uint64_t, std::uint64_t)> ProgressBar::callback() {
  if (!enabled_) return {};
  return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

void ProgressBar::finish() {
  if (drawn_) err_ << "\r" << std::string(78, ' ') << "\r" << std::flush;
  drawn_ = false;
}

}  // namespace symbiomc::cli
