#include "balance/nominal_validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <set>
#include <string>

namespace symbiomc::detail {

namespace {

/// A failed recycle loop leaves its members (and all that reads them) NaN as a consequence:
/// name the loop, not them.
void report_failed_loops(const BalancePlan& plan, const PlanMode& mode, RunStatus status, ErrorList& errors) {
  const PlanData& data = plan.data();
  for (std::size_t i = mode.code_begin; i < mode.code_end; ++i) {
    if (data.code[i].op != Op::loop) continue;
    const LoopBlock& loop = data.loops[data.code[i].a];
    const std::string why = status == RunStatus::singular_recycle
                                ? " has no unique solution at nominal values (its linear system is singular)"
                                : message(" does not converge within ", data.fixed_point_max_iterations,
                                          " iterations at nominal values (case.csv: fixed_point_max_iterations)");
    errors.add(loop.where, message("column '", loop.column, "': mode '", mode.id, "': the recycle loop of ",
                                   loop.description, why));
  }
}

/// Names the commodities of `mode`'s active flows whose energy or mass factor is not finite at
/// nominal values. Checked whatever the mode's status: evaluate() checks only the factors that
/// read a parameter, a constant one (0/0, 1/0) fails here or nowhere.
void report_non_finite_factors(const Network& net, const PlanMode& mode, const BalanceWorkspace& workspace,
                               ErrorList& errors) {
  std::set<std::string> factors_reported;
  for (const PlanFlow& pf : mode.flows) {
    if (!pf.active) continue;
    const Commodity& commodity = *net.find_commodity(net.flows[pf.flow].commodity);
    const auto check = [&](bool has, std::uint32_t slot, const char* column, const char* what) {
      const double factor = workspace.value(slot, 0);
      if (!has || std::isfinite(factor) || !factors_reported.insert(commodity.id + column).second) return;
      errors.add(commodity.where, message("column '", column, "': the ", what, " factor of commodity '", commodity.id,
                                          "' is ", factor, " in mode '", mode.id, "' at nominal values"));
    };
    check(pf.has_energy, pf.energy_factor, "energy_MJ_per_unit", "energy");
    check(pf.has_mass, pf.mass_factor, "mass_t_per_unit", "mass");
  }
}

/// Names the flows, variables and outputs of `mode` that fail at nominal values.
void report_failed_quantities(const Network& net, const PlanMode& mode, const BalanceWorkspace& workspace,
                              ErrorList& errors) {
  for (const PlanFlow& pf : mode.flows) {
    const double q = workspace.value(pf.slot, 0);
    const Flow& flow = net.flows[pf.flow];
    if (pf.active && q < -1e-9)
      errors.add(flow.where, message("column 'quantity': negative nominal flow '", flow.id, "' in mode '", mode.id,
                                     "': expected >= 0, got ", q));
    else if (pf.active && !std::isfinite(q))
      errors.add(flow.where, message("column 'quantity': flow '", flow.id, "' is ", q, " in mode '", mode.id,
                                     "' at nominal values (a division by zero or the log of a non-positive number?)"));
  }
  for (const PlanQuantity& v : mode.variables) {
    if (std::isfinite(workspace.value(v.slot, 0))) continue;
    for (const auto& def : net.variables)
      if (def.name == v.name &&
          (def.modes.empty() || std::find(def.modes.begin(), def.modes.end(), mode.id) != def.modes.end()))
        errors.add(def.where, message("column 'expression': variable '", v.name, "' is ", workspace.value(v.slot, 0),
                                      " in mode '", mode.id, "' at nominal values"));
  }
  for (const PlanQuantity& o : mode.outputs)
    if (!std::isfinite(workspace.value(o.slot, 0)))
      for (const auto& out : net.outputs)
        if (out.name == o.name)
          errors.add(out.where, message("column 'expression': output '", o.name, "' is ", workspace.value(o.slot, 0),
                                        " in mode '", mode.id, "' at nominal values"));
}

}  // namespace

void validate_nominal(const BalancePlan& plan) {
  BalanceWorkspace workspace(plan, 1);
  evaluate(plan, workspace, 1);
  ErrorList errors;
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    const PlanMode& mode = plan.modes()[m];
    const RunStatus status = workspace.status(m, 0);
    if (status == RunStatus::ok) {
      report_non_finite_factors(plan.network(), mode, workspace, errors);
      continue;
    }
    if (m > 0 && workspace.status(0, 0) != RunStatus::ok) continue;
    if (status == RunStatus::singular_recycle || status == RunStatus::not_converged) {
      report_failed_loops(plan, mode, status, errors);
      continue;
    }
    report_failed_quantities(plan.network(), mode, workspace, errors);
    report_non_finite_factors(plan.network(), mode, workspace, errors);
    // Every failure should have a row to name; if none does, at least name the mode.
    if (errors.empty())
      errors.add(
          message(plan.network().name, ": the nominal balance of mode '", mode.id, "' fails: ", to_string(status)));
  }
  errors.throw_if_any();
}

}  // namespace symbiomc::detail
