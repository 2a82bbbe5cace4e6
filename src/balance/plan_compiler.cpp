#include "balance/plan_compiler.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "balance/loop_classification.hpp"
#include "symbiomc/balance/strongly_connected_components.hpp"

namespace symbiomc::detail {

PlanCompiler::PlanCompiler(const Network& network, PlanData& plan, bool fold_constants)
    : network_(network), plan_(plan), fold_constants_(fold_constants), slots_(plan.parameters.size()) {}

void PlanCompiler::compile() {
  // Parameter slots come first so a parameter's index is its slot.
  for (std::size_t p = 0; p < plan_.parameters.size(); ++p)
    parameter_slot_[plan_.parameters[p].name] = static_cast<std::uint32_t>(p);
  for (const auto& o : network_.outputs) plan_.outputs.push_back({o.name, o.unit, o.description});
  compile_curves();
  // Baseline first: other modes read its values through "base.<name>".
  std::vector<const Mode*> order;
  order.push_back(&network_.modes[network_.baseline_index()]);
  for (const auto& m : network_.modes)
    if (!m.baseline) order.push_back(&m);
  for (const Mode* mode : order) compile_mode(*mode);
  errors_.throw_if_any();
  plan_.constants = slots_.constants();
  plan_.slot_count = slots_.count();
}

// --- curves ---------------------------------------------------------------------------------

void PlanCompiler::compile_curves() {
  for (const auto& curve : network_.curves) {
    PlanCurve pc;
    pc.id = curve.id;
    double previous = -INFINITY;
    for (const auto& point : curve.points) {
      double x = 0, y = 0;
      pc.x.push_back(point_slot(point.x, x));
      pc.x_sampled = pc.x_sampled || pc.x.back() < plan_.parameters.size();
      pc.y.push_back(point_slot(point.y, y));
      if (!(x > previous))
        errors_.add(point.where, message("curve '", curve.id, "': x values must be strictly increasing, got ", x,
                                         " after ", previous));
      previous = x;
    }
    plan_.has_sampled_curve = plan_.has_sampled_curve || pc.x_sampled;
    curve_index_[curve.id] = plan_.curves.size();
    plan_.curves.push_back(std::move(pc));
  }
}

/// A curve point is a parameter (sampled like any other) or a number.
std::uint32_t PlanCompiler::point_slot(const std::string& text, double& nominal) {
  const auto it = parameter_slot_.find(text);
  if (it != parameter_slot_.end()) {
    nominal = plan_.parameters[it->second].nominal;
    return it->second;
  }
  nominal = std::stod(text);  // validated as a number by read_case
  return slots_.constant(nominal);
}

// --- one mode -------------------------------------------------------------------------------

void PlanCompiler::compile_mode(const Mode& mode) {
  ModeScope scope(network_, mode, parameter_slot_, baseline_slot_, slots_, errors_);
  collect_quantities(scope);
  PlanMode pm;
  pm.id = mode.id;
  pm.name = mode.name;
  for (const auto& process : network_.processes) pm.active_processes.push_back(scope.process_active(process.id));
  pm.code_begin = plan_.code.size();
  place_all(scope);
  pm.code_end = plan_.code.size();
  describe_mode(scope, pm);
  if (mode.baseline)
    for (const auto& e : scope.entities()) baseline_slot_[e.name] = e.slot;
  plan_.modes.push_back(std::move(pm));
}

/// The quantities the mode's tape computes, in the order that also decides the tape's order
/// among independent quantities: flows, variables, outputs, factors.
void PlanCompiler::collect_quantities(ModeScope& scope) {
  const Mode& mode = scope.mode();
  const auto active_flows = network_.active_flows(mode);
  for (const auto& flow : network_.flows) {
    const bool active = std::find(active_flows.begin(), active_flows.end(), flow.id) != active_flows.end();
    // A flow into or out of a plant that does not run in this mode would escape every balance.
    for (const std::string* end : {&flow.from, &flow.to}) {
      const Process* process = network_.find_process(*end);
      if (active && process->kind != ProcessKind::external && !scope.process_active(*end)) {
        const bool removed = std::find(mode.removes.begin(), mode.removes.end(), *end) != mode.removes.end();
        errors_.add(mode.where,
                    removed
                        ? message("mode '", mode.id, "' removes process '", *end, "' but still switches on its flow '",
                                  flow.id, "' (", flow.from, " -> ", flow.to, "): add the flow to the mode's removes")
                        : message("mode '", mode.id, "' switches on flow '", flow.id, "' (", flow.from, " -> ", flow.to,
                                  ") but not process '", *end, "': add it to the mode's processes"));
      }
    }
    scope.add({Entity::Kind::flow, flow.id, flow.commodity, active ? &flow.quantity : nullptr, flow.where, "quantity"});
  }
  for (const auto& variable : network_.variables) {
    const bool applies = variable.modes.empty() ||
                         std::find(variable.modes.begin(), variable.modes.end(), mode.id) != variable.modes.end();
    if (applies)
      scope.add(
          {Entity::Kind::variable, variable.name, variable.unit, &variable.expression, variable.where, "expression"});
  }
  for (const auto& output : network_.outputs)
    scope.add({Entity::Kind::output, output.name, output.unit, &output.expression, output.where, "expression"});
  for (const auto& commodity : network_.commodities) {
    if (commodity.energy_factor)
      scope.add({Entity::Kind::factor, "energy factor of " + commodity.id, "", &*commodity.energy_factor,
                 commodity.where, "energy_MJ_per_unit"});
    if (commodity.mass_factor)
      scope.add({Entity::Kind::factor, "mass factor of " + commodity.id, "", &*commodity.mass_factor, commodity.where,
                 "mass_t_per_unit"});
  }
}

/// Where the mode's outputs, variables and flows ended up.
void PlanCompiler::describe_mode(const ModeScope& scope, PlanMode& pm) const {
  for (const auto& output : network_.outputs)
    pm.outputs.push_back({output.name, output.unit, scope.slot_of(output.name)});
  std::set<std::string> seen;
  for (const auto& variable : network_.variables)
    if (scope.has(variable.name) && seen.insert(variable.name).second)
      pm.variables.push_back({variable.name, variable.unit, scope.slot_of(variable.name)});
  for (std::size_t f = 0; f < network_.flows.size(); ++f) {
    const Flow& flow = network_.flows[f];
    PlanFlow pf;
    pf.flow = f;
    pf.active = scope.entity(flow.id).expression != nullptr;
    pf.slot = scope.slot_of(flow.id);
    const Commodity* commodity = network_.find_commodity(flow.commodity);
    if (commodity->energy_factor)
      pf.has_energy = true, pf.energy_factor = scope.slot_of("energy factor of " + commodity->id);
    if (commodity->mass_factor) pf.has_mass = true, pf.mass_factor = scope.slot_of("mass factor of " + commodity->id);
    pm.flows.push_back(pf);
  }
}

// --- placing quantities on the tape ---------------------------------------------------------

void PlanCompiler::place_all(ModeScope& scope) {
  std::vector<Entity>& entities = scope.entities();
  std::vector<std::vector<std::size_t>> dependencies(entities.size());
  for (std::size_t i = 0; i < entities.size(); ++i) dependencies[i] = scope.dependencies(entities[i]);
  for (const std::vector<std::size_t>& component : strongly_connected_components(dependencies)) {
    const std::size_t first = component.front();
    // A single quantity that depends on itself (x = f(x)) is a loop of one.
    const bool self_loop = component.size() == 1 && std::find(dependencies[first].begin(), dependencies[first].end(),
                                                              first) != dependencies[first].end();
    if (component.size() == 1 && !self_loop)
      place_single(scope, entities[first]);
    else
      place_loop(scope, component);
  }
}

void PlanCompiler::place_single(ModeScope& scope, Entity& e) {
  if (!e.expression) {
    e.slot = slots_.constant(0.0);
  } else if (is_plain_identifier(*e.expression) && e.kind != Entity::Kind::output) {
    // An alias needs no instruction. Outputs keep their own slot so reports can find them.
    e.slot = emitter(scope, plan_.code).emit_value(e);
  } else {
    e.slot = slots_.fresh();
    emitter(scope, plan_.code).emit_into(e, e.slot);
  }
}

/// A recycle loop: members get their own slots; a sub-tape computes f(members) into `next`
/// slots; the loop instruction on the mode's tape solves x = f(x).
void PlanCompiler::place_loop(ModeScope& scope, const std::vector<std::size_t>& component) {
  std::vector<Entity>& entities = scope.entities();
  LoopBlock loop;
  std::set<std::string> names;
  loop.where = entities[component.front()].where;
  loop.column = entities[component.front()].column;
  for (std::size_t i : component) {
    Entity& e = entities[i];
    e.slot = slots_.fresh();
    loop.members.push_back(e.slot);
    names.insert(e.name);
    loop.description += (loop.description.empty() ? "" : ", ") + e.name;
  }
  loop.affine = std::all_of(component.begin(), component.end(), [&](std::size_t i) {
    return entities[i].expression != nullptr && is_affine_in(*entities[i].expression, names);
  });
  TapeEmitter sub_tape = emitter(scope, plan_.loop_code);
  loop.code_begin = plan_.loop_code.size();
  for (std::size_t i : component) {
    const Entity& e = entities[i];
    const std::uint32_t next = slots_.fresh();
    loop.next.push_back(next);
    if (e.expression)
      sub_tape.emit_into(e, next);
    else
      plan_.loop_code.push_back({Op::copy, next, slots_.constant(0.0), 0, 0});
  }
  loop.code_end = plan_.loop_code.size();
  if (loop.affine && loop.members.size() > MAX_LINEAR_LOOP_QUANTITIES) {
    std::string first_names;
    for (std::size_t i = 0; i < 5; ++i) first_names += entities[component[i]].name + ", ";
    errors_.add(loop.where,
                message("column '", loop.column, "': mode '", scope.mode().id, "': the recycle loop of ", first_names,
                        "... is linear in ", loop.members.size(), " quantities; at most ", MAX_LINEAR_LOOP_QUANTITIES,
                        " can be solved together (a dense linear system per run: time grows as the cube "
                        "of the size, memory as its square); split the loop into smaller ones"));
  }
  if (loop.affine) plan_.max_affine_loop_size = std::max(plan_.max_affine_loop_size, loop.members.size());
  plan_.code.push_back({Op::loop, 0, static_cast<std::uint32_t>(plan_.loops.size()), 0, 0});
  plan_.loops.push_back(std::move(loop));
}

}  // namespace symbiomc::detail
