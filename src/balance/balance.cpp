// BalancePlan::compile runs the compiler's passes in order, each in its own file:
//   1. plan_options        parameters' nominal values after --option choices and --set overrides
//   2. plan_compiler       per mode, baseline first: the mode's quantities, ordered by
//                          strongly_connected_components (dependencies first, recycle loops
//                          as one block), name_scope resolving what their expressions read,
//   3.                     loop_classification choosing each loop's solver, and
//   4.                     tape_emitter writing the instructions (operation_table, constant
//                          folding, temporaries from slot_allocator)
//   5. subexpression_sharing  computing once what several modes compute alike
//   6. nominal_validation  the finished plan must balance at nominal values
// Evaluation is tape_runner (instructions, curves, recycle loops) under evaluate (validity).

#include "symbiomc/balance/balance.hpp"

#include <set>

#include "balance/nominal_validation.hpp"
#include "balance/plan_compiler.hpp"
#include "balance/plan_options.hpp"
#include "balance/subexpression_sharing.hpp"
#include "symbiomc/case/expression.hpp"

namespace symbiomc {

namespace {

/// Whether an expression's value can change from run to run (it reads a parameter, a quantity
/// or a curve, whose points may be parameters).
bool varies(const Expression& expression) {
  return !referenced_names(expression).empty() || !referenced_curves(expression).empty();
}

/// The slots evaluate() checks per mode, each once (see PlanData::flow_checks).
void collect_checks(detail::PlanData& plan) {
  for (const PlanMode& mode : plan.modes) {
    std::set<std::uint32_t> seen;
    auto& flows = plan.flow_checks.emplace_back();
    auto& finite = plan.finite_checks.emplace_back();
    for (const PlanFlow& pf : mode.flows)
      if (pf.active && seen.insert(pf.slot).second) flows.push_back(pf.slot);
    finite = flows;
    for (const auto* quantities : {&mode.outputs, &mode.variables})
      for (const PlanQuantity& q : *quantities)
        if (seen.insert(q.slot).second) finite.push_back(q.slot);
    // The energy and mass factors of what flows: process balances multiply them in. A factor
    // that reads no parameter (3600, 1) is the same in every run: the nominal check covers it.
    for (const PlanFlow& pf : mode.flows) {
      if (!pf.active) continue;
      const Commodity& commodity = *plan.network.find_commodity(plan.network.flows[pf.flow].commodity);
      if (pf.has_energy && varies(*commodity.energy_factor) && seen.insert(pf.energy_factor).second)
        finite.push_back(pf.energy_factor);
      if (pf.has_mass && varies(*commodity.mass_factor) && seen.insert(pf.mass_factor).second)
        finite.push_back(pf.mass_factor);
    }
  }
}

}  // namespace

BalancePlan BalancePlan::compile(const Network& network, const PlanOptions& options) {
  BalancePlan plan;
  detail::PlanData& data = plan.data_;
  data.network = network;
  data.fixed_point_tolerance = network.fixed_point_tolerance;
  data.fixed_point_max_iterations = network.fixed_point_max_iterations;
  detail::apply_options(network, options, data);
  detail::PlanCompiler compiler(network, data, options.fold_constants);
  compiler.compile();
  if (options.share_subexpressions) detail::share_subexpressions(data, compiler.slots().temporaries());
  collect_checks(data);
  detail::validate_nominal(plan);
  return plan;
}

std::size_t BalancePlan::parameter_index(std::string_view name) const {
  return detail::find_parameter(data_.parameters, name);
}

std::size_t BalancePlan::mode_index(std::string_view id) const {
  for (std::size_t i = 0; i < data_.modes.size(); ++i)
    if (data_.modes[i].id == id) return i;
  std::vector<std::string> ids;
  for (const auto& m : data_.modes) ids.push_back(m.id);
  throw InputError(message("unknown mode '", id, "'", did_you_mean(id, ids)));
}

}  // namespace symbiomc
