#pragma once
// A cancel flag that a study's progress callback raises after a given number of calls: how the
// resume tests stop a run at a chosen segment boundary, as Ctrl-C would.
#include <atomic>
#include <cstdint>
#include <functional>

namespace symbiomc::test {

struct CancelAfter {
  std::atomic<bool> flag{false};
  int remaining;
  explicit CancelAfter(int after) : remaining(after) {}
  /// The progress callback to hand to the study; `flag` is its cancel flag.
  std::function<void(std::uint64_t, std::uint64_t)> callback() {
    return [this](std::uint64_t, std::uint64_t) {
      if (--remaining <= 0) flag = true;
    };
  }
};

}  // namespace symbiomc::test
