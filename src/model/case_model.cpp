#include "symbiomc/model/case_model.hpp"

#include <algorithm>

namespace symbiomc {

namespace {
struct CaseWorkspace final : ModelWorkspace {
  explicit CaseWorkspace(const BalancePlan& plan) : balance(plan, CaseModel::LANES) {}
  BalanceWorkspace balance;
};
}  // namespace

CaseModel::CaseModel(const BalancePlan& plan, const Problem& problem) : plan_(plan) {
  for (const auto& p : problem.parameters()) {
    const std::size_t index = plan.parameter_index(p.name);
    input_parameter_.push_back(index);
    inputs_.push_back({p.name, p.unit, plan.parameters()[index].nominal});
  }
  for (const auto& f : problem.fixed()) fixed_.emplace_back(plan.parameter_index(f.name), f.value);
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    modes_.push_back(plan.modes()[m].id);
    for (const auto& o : plan.outputs()) outputs_.push_back({plan.modes()[m].id, o.name, o.unit, m});
    for (const auto& q : plan.modes()[m].outputs) output_slot_.push_back(q.slot);
  }
}

std::unique_ptr<ModelWorkspace> CaseModel::make_workspace(std::size_t) const {
  auto ws = std::make_unique<CaseWorkspace>(plan_);
  for (const auto& [index, value] : fixed_)
    for (std::size_t lane = 0; lane < LANES; ++lane) ws->balance.set_parameter(index, lane, value);
  return ws;
}

void CaseModel::evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                         std::span<RunStatus> status) const {
  auto& ws = static_cast<CaseWorkspace&>(workspace).balance;
  const std::size_t d = inputs_.size(), k = outputs_.size(), modes = modes_.size();
  for (std::size_t first = 0; first < n; first += LANES) {
    const std::size_t lanes = std::min(LANES, n - first);
    // Inputs in, outputs and statuses out, one slot (all its lanes) at a time.
    for (std::size_t i = 0; i < d; ++i) {
      double* to = ws.parameter_values(input_parameter_[i]);
      const double* from = x.data() + first * d + i;
      for (std::size_t lane = 0; lane < lanes; ++lane) to[lane] = from[lane * d];
    }
    symbiomc::evaluate(plan_, ws, lanes);
    for (std::size_t j = 0; j < k; ++j) {
      const double* from = ws.values(output_slot_[j]);
      double* to = y.data() + first * k + j;
      for (std::size_t lane = 0; lane < lanes; ++lane) to[lane * k] = from[lane];
    }
    for (std::size_t m = 0; m < modes; ++m)
      for (std::size_t lane = 0; lane < lanes; ++lane) status[(first + lane) * modes + m] = ws.status(m, lane);
  }
}

}  // namespace symbiomc
