// BalanceWorkspace: one thread's slot values for `width` lanes, statuses and the recycle-loop
// buffers, all sized once from the plan so that evaluate() allocates nothing.

#include "symbiomc/balance/balance.hpp"

#include <algorithm>
#include <memory>

#include "balance/tape_runner.hpp"

namespace symbiomc {

BalanceWorkspace::BalanceWorkspace(const BalancePlan& plan, std::size_t width)
    : plan_(&plan), width_(std::max<std::size_t>(width, 1)) {
  const detail::PlanData& data = plan.data();
  slots_.assign(data.slot_count * width_, 0.0);
  for (const auto& [slot, value] : data.constants) std::fill_n(slots_.begin() + slot * width_, width_, value);
  reset_parameters();
  status_.assign(data.modes.size() * width_, RunStatus::ok);
  const std::size_t n = data.max_affine_loop_size;
  // Affine loops: n+1 sub-tape passes give b and the columns of A for every lane.
  scratch_.assign((n + 1) * n * width_ + 1, 0.0);
  done_.assign(width_, 0);
  flags_.assign(2 * width_, 0.0);
  if (n > 0) solver_ = std::make_unique<Solver>(data.loops);
}
BalanceWorkspace::~BalanceWorkspace() = default;
BalanceWorkspace::BalanceWorkspace(BalanceWorkspace&&) noexcept = default;
BalanceWorkspace& BalanceWorkspace::operator=(BalanceWorkspace&&) noexcept = default;

void BalanceWorkspace::reset_parameters() noexcept {
  const auto& parameters = plan_->parameters();
  for (std::size_t p = 0; p < parameters.size(); ++p)
    std::fill_n(slots_.begin() + p * width_, width_, parameters[p].nominal);
}

}  // namespace symbiomc
