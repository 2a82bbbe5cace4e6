#include "symbiomc/balance/mode_contrast.hpp"

#include <algorithm>
#include <cmath>

namespace symbiomc {

namespace {
// Two modes that compute one quantity along different tapes may round differently.
constexpr double RELATIVE_TOLERANCE = 1e-12;

bool alike(double a, double b) noexcept {
  return a == b || std::abs(a - b) <= RELATIVE_TOLERANCE * std::max(std::abs(a), std::abs(b));
}
}  // namespace

std::vector<std::size_t> outputs_alike_in_every_mode(const BalancePlan& plan,
                                                     std::span<const std::vector<double>> points) {
  const std::size_t modes = plan.modes().size();
  if (modes < 2) return {};
  const std::size_t lanes = std::max<std::size_t>(points.size(), 1);
  BalanceWorkspace workspace(plan, lanes);
  for (std::size_t lane = 0; lane < points.size(); ++lane)
    for (std::size_t p = 0; p < plan.parameters().size() && p < points[lane].size(); ++p)
      workspace.set_parameter(p, lane, points[lane][p]);
  evaluate(plan, workspace, lanes);
  std::vector<bool> balanced(lanes, true);
  bool any_balanced = false;
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    for (std::size_t m = 0; m < modes; ++m)
      balanced[lane] = balanced[lane] && workspace.status(m, lane) == RunStatus::ok;
    any_balanced = any_balanced || balanced[lane];
  }
  if (!any_balanced) return {};
  std::vector<std::size_t> out;
  for (std::size_t o = 0; o < plan.outputs().size(); ++o) {
    bool same = true;
    for (std::size_t lane = 0; lane < lanes && same; ++lane) {
      if (!balanced[lane]) continue;
      const double first = workspace.output(plan, 0, o, lane);
      for (std::size_t m = 1; m < modes && same; ++m) same = alike(workspace.output(plan, m, o, lane), first);
    }
    if (same) out.push_back(o);
  }
  return out;
}

}  // namespace symbiomc
