#pragma once
// A SegmentScheduler that computes every segment first, in a shuffled order, then folds them
// in index order: what an MPI root does when ranks finish out of order. Studies must give the
// same bits through it as through the LocalScheduler.

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "random.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"

namespace symbiomc::test {

class ShuffledScheduler final : public SegmentScheduler {
 public:
  /// `seed` picks the order; `processes` is what processes() reports (more than 1: the study
  /// then behaves as under MPI, e.g. no progress within a segment).
  explicit ShuffledScheduler(std::uint64_t seed = 42, int processes = 2) : seed_(seed), processes_(processes) {}

  std::uint64_t run(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) override {
    std::vector<std::uint64_t> order(end - first);
    std::iota(order.begin(), order.end(), first);
    TestEngine engine(seed_);
    shuffle(order, engine);
    if (!std::is_sorted(order.begin(), order.end())) ++shuffled_calls_;
    std::map<std::uint64_t, std::string> done;
    for (std::uint64_t i : order) done[i] = study.compute(i, [] {});
    for (auto& [i, bytes] : done)
      if (!study.fold(i, bytes)) return i + 1;
    return end;
  }
  [[nodiscard]] bool is_root() const noexcept override { return true; }
  [[nodiscard]] int processes() const noexcept override { return processes_; }
  /// How many calls computed their segments out of index order (else a test proves nothing).
  [[nodiscard]] int shuffled_calls() const noexcept { return shuffled_calls_; }

 private:
  std::uint64_t seed_;
  int processes_;
  int shuffled_calls_ = 0;
};

}  // namespace symbiomc::test
