#include "symbiomc/sampling/segment_scheduler.hpp"

namespace symbiomc {

std::uint64_t LocalScheduler::run(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) {
  const std::function<void()> no_poll = [] {};
  for (std::uint64_t i = first; i < end; ++i) {
    const std::string contribution = study.compute(i, no_poll);
    if (!study.fold(i, contribution)) return i + 1;
  }
  return end;
}

}  // namespace symbiomc
