#include "symbiomc/balance/balance.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include <Eigen/Dense>

namespace symbiomc {

// ---------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------

namespace {

/// A named quantity of one mode that the compiler must place on the tape.
struct Entity {
  enum class Kind { flow, variable, output, factor } kind;
  std::string name;
  std::string unit;
  const Expression* expression = nullptr;  ///< nullptr: constant zero (inactive flow)
  SourceLocation where;
  std::string column;
  std::uint32_t slot = 0;
  bool placed = false;
};

double apply(Op op, double a, double b, double c) noexcept {
  switch (op) {
    case Op::copy: return a;
    case Op::add: return a + b;
    case Op::sub: return a - b;
    case Op::mul: return a * b;
    case Op::div: return a / b;
    case Op::neg: return -a;
    case Op::pow: return std::pow(a, b);
    case Op::min: return std::min(a, b);
    case Op::max: return std::max(a, b);
    case Op::abs: return std::abs(a);
    case Op::sqrt: return std::sqrt(a);
    case Op::exp: return std::exp(a);
    case Op::log: return std::log(a);
    case Op::lt: return a < b ? 1.0 : 0.0;
    case Op::le: return a <= b ? 1.0 : 0.0;
    case Op::gt: return a > b ? 1.0 : 0.0;
    case Op::ge: return a >= b ? 1.0 : 0.0;
    case Op::eq: return a == b ? 1.0 : 0.0;
    case Op::ne: return a != b ? 1.0 : 0.0;
    case Op::logical_and: return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
    case Op::logical_or: return (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
    case Op::logical_not: return a == 0.0 ? 1.0 : 0.0;
    case Op::select: return a != 0.0 ? b : c;
    case Op::clamp: return std::min(std::max(a, b), c);
    case Op::pwl:
    case Op::loop: return 0.0;
  }
  return 0.0;
}

}  // namespace

class PlanCompiler {
 public:
  PlanCompiler(const Network& network, const PlanOptions& options)
      : network_(network), share_subexpressions_(options.share_subexpressions) {
    plan_.network_ = network;
    plan_.fixed_point_tolerance_ = network.fixed_point_tolerance;
    plan_.fixed_point_max_iterations_ = network.fixed_point_max_iterations;
    apply_options(options);
  }

  BalancePlan compile() {
    // Parameter slots come first so a parameter's index is its slot.
    for (std::size_t p = 0; p < plan_.parameters_.size(); ++p) parameter_slot_[plan_.parameters_[p].name] = static_cast<std::uint32_t>(p);
    next_slot_ = static_cast<std::uint32_t>(plan_.parameters_.size());
    for (const auto& o : network_.outputs) plan_.outputs_.push_back({o.name, o.unit, o.description});
    compile_curves();
    // Baseline first: other modes read its values through "base.<name>".
    std::vector<const Mode*> order;
    order.push_back(&network_.modes[network_.baseline_index()]);
    for (const auto& m : network_.modes)
      if (!m.baseline) order.push_back(&m);
    for (const Mode* mode : order) compile_mode(*mode);
    errors_.throw_if_any();
    if (share_subexpressions_) share_subexpressions();
    plan_.slot_count_ = next_slot_;
    collect_checks();
    return std::move(plan_);
  }

 private:
  const Network& network_;
  const bool share_subexpressions_;
  BalancePlan plan_;
  ErrorList errors_;
  std::map<std::string, std::uint32_t> parameter_slot_;
  std::map<double, std::uint32_t> constant_slot_;
  std::map<std::string, std::uint32_t> baseline_slot_;
  std::map<std::string, std::size_t> curve_index_;
  std::uint32_t next_slot_ = 0;
  std::vector<std::uint32_t> free_temps_;
  std::set<std::uint32_t> temp_slots_;  ///< slots handed out by temp(): rewritten by later expressions
  // Per-mode state.
  std::vector<Entity> entities_;
  std::map<std::string, std::size_t> entity_index_;
  const Mode* mode_ = nullptr;
  bool is_baseline_ = false;
  std::vector<std::string> active_processes_;
  std::vector<Instruction>* code_ = nullptr;

  void apply_options(const PlanOptions& options) {
    plan_.parameters_ = network_.parameter_infos();
    for (const auto& [name, choice] : options.choices) {
      const auto opt = std::find_if(network_.options.begin(), network_.options.end(), [&](const CaseOption& o) { return o.name == name; });
      if (opt == network_.options.end()) {
        std::vector<std::string> names;
        for (const auto& o : network_.options) names.push_back(o.name);
        throw InputError(message("--option ", name, "=", choice, ": case '", network_.name, "' has no option '", name, "'",
                                 names.empty() ? std::string(" (it has no options)") : did_you_mean(name, names)));
      }
      const auto ch = std::find_if(opt->choices.begin(), opt->choices.end(), [&](const OptionChoice& c) { return c.name == choice; });
      if (ch == opt->choices.end()) {
        std::string list;
        for (const auto& c : opt->choices) list += (list.empty() ? "" : ", ") + c.name;
        throw InputError(message("--option ", name, "=", choice, ": expected one of ", list));
      }
      for (const auto& [parameter, value] : ch->settings) plan_.parameters_[index_of(parameter)].nominal = value;
      plan_.chosen_options_.emplace_back(name, choice);
    }
    for (const auto& opt : network_.options) {
      const bool chosen = std::any_of(options.choices.begin(), options.choices.end(), [&](const auto& c) { return c.first == opt.name; });
      if (chosen) continue;
      for (const auto& c : opt.choices)
        if (c.is_default) plan_.chosen_options_.emplace_back(opt.name, c.name);
    }
    for (const auto& [name, value] : options.overrides) {
      std::size_t index = 0;
      try {
        index = index_of(name);
      } catch (const InputError& e) {
        throw InputError(message("--set ", name, "=", value, ": ", e.what()));
      }
      ParameterInfo& p = plan_.parameters_[index];
      if (!in_domain(value, p.domain))
        throw InputError(message("--set ", name, "=", value, ": parameter '", name, "' (kind ", to_string(p.domain), ")",
                                 ": expected ", describe(p.domain)));
      p.nominal = value;
    }
  }

  std::size_t index_of(const std::string& name) const {
    for (std::size_t i = 0; i < plan_.parameters_.size(); ++i)
      if (plan_.parameters_[i].name == name) return i;
    std::vector<std::string> names;
    for (const auto& p : plan_.parameters_) names.push_back(p.name);
    throw InputError(message("unknown parameter '", name, "'", did_you_mean(name, names)));
  }

  std::uint32_t constant(double value) {
    auto it = constant_slot_.find(value);
    if (it != constant_slot_.end()) return it->second;
    const std::uint32_t slot = next_slot_++;
    constant_slot_.emplace(value, slot);
    plan_.constants_.emplace_back(slot, value);
    return slot;
  }
  bool is_constant(std::uint32_t slot, double& value) const {
    for (const auto& [s, v] : plan_.constants_)
      if (s == slot) return value = v, true;
    return false;
  }
  std::uint32_t temp() {
    if (!free_temps_.empty()) {
      const auto slot = free_temps_.back();
      free_temps_.pop_back();
      return slot;
    }
    temp_slots_.insert(next_slot_);
    return next_slot_++;
  }

  void compile_curves() {
    for (const auto& curve : network_.curves) {
      PlanCurve pc;
      pc.id = curve.id;
      double previous = -INFINITY;
      for (const auto& point : curve.points) {
        double x = 0, y = 0;
        pc.x.push_back(point_slot(point.x, x));
        pc.y.push_back(point_slot(point.y, y));
        if (!(x > previous))
          errors_.add(point.where, message("curve '", curve.id, "': x values must be strictly increasing, got ", x,
                                           " after ", previous));
        previous = x;
      }
      curve_index_[curve.id] = plan_.curves_.size();
      plan_.curves_.push_back(std::move(pc));
    }
  }
  std::uint32_t point_slot(const std::string& text, double& nominal) {
    auto it = parameter_slot_.find(text);
    if (it != parameter_slot_.end()) {
      nominal = plan_.parameters_[it->second].nominal;
      return it->second;
    }
    nominal = std::stod(text);  // validated as a number by read_case
    return constant(nominal);
  }

  // --- one mode ---------------------------------------------------------------------

  void compile_mode(const Mode& mode) {
    mode_ = &mode;
    is_baseline_ = mode.baseline;
    entities_.clear();
    entity_index_.clear();
    active_processes_ = network_.active_processes(mode);
    const auto active_flows = network_.active_flows(mode);

    PlanMode pm;
    pm.id = mode.id;
    pm.name = mode.name;
    for (const auto& process : network_.processes)
      pm.active_processes.push_back(std::find(active_processes_.begin(), active_processes_.end(), process.id) != active_processes_.end());

    for (const auto& flow : network_.flows) {
      const bool active = std::find(active_flows.begin(), active_flows.end(), flow.id) != active_flows.end();
      // A flow into or out of a plant that does not run in this mode would escape every balance.
      for (const std::string* end : {&flow.from, &flow.to}) {
        const Process* process = network_.find_process(*end);
        if (active && process->kind != ProcessKind::external &&
            std::find(active_processes_.begin(), active_processes_.end(), *end) == active_processes_.end())
          errors_.add(mode.where, message("mode '", mode.id, "' switches on flow '", flow.id, "' (", flow.from, " -> ",
                                          flow.to, ") but not process '", *end, "': add it to the mode's processes"));
      }
      add_entity({Entity::Kind::flow, flow.id, flow.commodity, active ? &flow.quantity : nullptr, flow.where, "quantity"});
    }
    for (const auto& variable : network_.variables) {
      const bool applies = variable.modes.empty() ||
                           std::find(variable.modes.begin(), variable.modes.end(), mode.id) != variable.modes.end();
      if (applies) add_entity({Entity::Kind::variable, variable.name, variable.unit, &variable.expression, variable.where, "expression"});
    }
    for (const auto& output : network_.outputs)
      add_entity({Entity::Kind::output, output.name, output.unit, &output.expression, output.where, "expression"});
    for (const auto& commodity : network_.commodities) {
      if (commodity.energy_factor)
        add_entity({Entity::Kind::factor, "energy factor of " + commodity.id, "", &*commodity.energy_factor, commodity.where, "energy_MJ_per_unit"});
      if (commodity.mass_factor)
        add_entity({Entity::Kind::factor, "mass factor of " + commodity.id, "", &*commodity.mass_factor, commodity.where, "mass_t_per_unit"});
    }

    code_ = &plan_.code_;
    pm.code_begin = plan_.code_.size();
    place_all();
    pm.code_end = plan_.code_.size();

    for (const auto& output : network_.outputs) pm.outputs.push_back({output.name, output.unit, slot_of(output.name)});
    std::set<std::string> seen;
    for (const auto& variable : network_.variables)
      if (entity_index_.count(variable.name) && seen.insert(variable.name).second)
        pm.variables.push_back({variable.name, variable.unit, slot_of(variable.name)});
    for (std::size_t f = 0; f < network_.flows.size(); ++f) {
      const Flow& flow = network_.flows[f];
      PlanFlow pf;
      pf.flow = f;
      pf.active = entities_[entity_index_.at(flow.id)].expression != nullptr;
      pf.slot = slot_of(flow.id);
      const Commodity* commodity = network_.find_commodity(flow.commodity);
      if (commodity->energy_factor) pf.has_energy = true, pf.energy_factor = slot_of("energy factor of " + commodity->id);
      if (commodity->mass_factor) pf.has_mass = true, pf.mass_factor = slot_of("mass factor of " + commodity->id);
      pm.flows.push_back(pf);
    }
    if (is_baseline_)
      for (const auto& e : entities_) baseline_slot_[e.name] = e.slot;
    plan_.modes_.push_back(std::move(pm));
  }

  void add_entity(Entity e) {
    entity_index_[e.name] = entities_.size();
    entities_.push_back(std::move(e));
  }
  std::uint32_t slot_of(const std::string& name) const { return entities_[entity_index_.at(name)].slot; }

  /// Resolves a name used in an expression of entity `from` to a slot, or to an entity
  /// index (dependency) in this mode.
  struct Resolved {
    std::optional<std::uint32_t> slot;
    std::optional<std::size_t> entity;
  };
  Resolved resolve(const std::string& name, const Entity& from) {
    if (name.rfind("base.", 0) == 0) {
      // In the baseline itself, base.x is x: independent operation compared with itself.
      if (is_baseline_) return resolve(name.substr(5), from);
      auto it = baseline_slot_.find(name.substr(5));
      if (it == baseline_slot_.end()) {
        errors_.add(from.where, message("column '", from.column, "': '", name.substr(5),
                                        "' has no definition in the baseline mode, so '", name, "' is undefined"));
        return {constant(0.0), {}};
      }
      return {it->second, {}};
    }
    if (auto it = parameter_slot_.find(name); it != parameter_slot_.end()) return {it->second, {}};
    if (auto it = entity_index_.find(name); it != entity_index_.end()) return {{}, it->second};
    // read_case checked that the name exists: it must be a variable with no definition here.
    std::string defined;
    for (const auto& v : network_.variables)
      if (v.name == name)
        for (const auto& m : v.modes) defined += (defined.empty() ? "" : " ") + m;
    errors_.add(from.where, message("column '", from.column, "': variable '", name, "' has no definition for mode '",
                                    mode_->id, "' (defined for modes: ", defined, ")"));
    return {constant(0.0), {}};
  }

  std::vector<std::size_t> dependencies(const Entity& e) {
    std::vector<std::size_t> out;
    if (!e.expression) return out;
    for (const auto& name : referenced_names(*e.expression)) {
      const Resolved r = resolve(name, e);
      if (r.entity) out.push_back(*r.entity);
    }
    return out;
  }

  /// Tarjan's strongly connected components; emits each component after those it depends on.
  void place_all() {
    const std::size_t n = entities_.size();
    std::vector<std::vector<std::size_t>> deps(n);
    for (std::size_t i = 0; i < n; ++i) deps[i] = dependencies(entities_[i]);
    std::vector<int> index(n, -1), low(n, 0);
    std::vector<bool> on_stack(n, false);
    std::vector<std::size_t> stack;
    int counter = 0;
    // Iterative to stay safe on long dependency chains.
    for (std::size_t root = 0; root < n; ++root) {
      if (index[root] >= 0) continue;
      std::vector<std::pair<std::size_t, std::size_t>> call{{root, 0}};
      index[root] = low[root] = counter++;
      stack.push_back(root);
      on_stack[root] = true;
      while (!call.empty()) {
        auto& [v, next] = call.back();
        if (next < deps[v].size()) {
          const std::size_t w = deps[v][next++];
          if (index[w] < 0) {
            index[w] = low[w] = counter++;
            stack.push_back(w);
            on_stack[w] = true;
            call.emplace_back(w, 0);
          } else if (on_stack[w]) {
            low[v] = std::min(low[v], index[w]);
          }
          continue;
        }
        if (low[v] == index[v]) {
          std::vector<std::size_t> component;
          std::size_t w = 0;
          do {
            w = stack.back();
            stack.pop_back();
            on_stack[w] = false;
            component.push_back(w);
          } while (w != v);
          std::reverse(component.begin(), component.end());
          // A single quantity that depends on itself (x = f(x)) is a loop of one.
          const bool self_loop = component.size() == 1 &&
                                 std::find(deps[v].begin(), deps[v].end(), v) != deps[v].end();
          if (self_loop) place_loop(component);
          else place_component(component);
        }
        const std::size_t finished = v;
        call.pop_back();
        if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[finished]);
      }
    }
  }

  void place_component(const std::vector<std::size_t>& component) {
    if (component.size() == 1) {
      Entity& e = entities_[component[0]];
      if (!e.expression) {
        e.slot = constant(0.0);
      } else if (is_plain_identifier(*e.expression) && e.kind != Entity::Kind::output) {
        // An alias needs no instruction. Outputs keep their own slot so reports can find them.
        e.slot = emit_value(*e.expression, e.expression->root, e);
      } else {
        e.slot = next_slot_++;
        emit_into(*e.expression, e, e.slot);
      }
      e.placed = true;
      return;
    }
    place_loop(component);
  }

  /// A recycle loop: members get their own slots; a sub-tape computes f(members) into
  /// `next` slots; the loop instruction solves x = f(x).
  void place_loop(const std::vector<std::size_t>& component) {
    LoopBlock loop;
    std::set<std::string> names;
    loop.where = entities_[component.front()].where;
    loop.column = entities_[component.front()].column;
    for (std::size_t i : component) {
      Entity& e = entities_[i];
      e.slot = next_slot_++;
      e.placed = true;
      loop.members.push_back(e.slot);
      names.insert(e.name);
      loop.description += (loop.description.empty() ? "" : ", ") + e.name;
    }
    loop.affine = true;
    for (std::size_t i : component) {
      const Entity& e = entities_[i];
      if (!e.expression || !affine(*e.expression, e.expression->root, names)) loop.affine = false;
    }
    std::vector<Instruction>* outer = code_;
    code_ = &plan_.loop_code_;
    loop.code_begin = plan_.loop_code_.size();
    for (std::size_t i : component) {
      Entity& e = entities_[i];
      const std::uint32_t next = next_slot_++;
      loop.next.push_back(next);
      if (e.expression) emit_into(*e.expression, e, next);
      else code_->push_back({Op::copy, next, constant(0.0), 0, 0});
    }
    loop.code_end = plan_.loop_code_.size();
    code_ = outer;
    plan_.max_loop_size_ = std::max(plan_.max_loop_size_, loop.members.size());
    code_->push_back({Op::loop, 0, static_cast<std::uint32_t>(plan_.loops_.size()), 0, 0});
    plan_.loops_.push_back(std::move(loop));
  }

  bool depends_on(const Expression& e, int node, const std::set<std::string>& names) const {
    const ExprNode& n = e.nodes[static_cast<std::size_t>(node)];
    if (n.kind == ExprNode::Kind::identifier) return names.count(n.name) > 0;
    std::size_t first = (n.kind == ExprNode::Kind::call && (n.name == "pwl" || n.name == "active")) ? 1 : 0;
    for (std::size_t i = first; i < n.args.size(); ++i)
      if (depends_on(e, n.args[i], names)) return true;
    return false;
  }
  /// Affine in the loop members: sums of affine terms, products with at most one dependent
  /// factor, division by an independent denominator.
  bool affine(const Expression& e, int node, const std::set<std::string>& names) const {
    if (!depends_on(e, node, names)) return true;
    const ExprNode& n = e.nodes[static_cast<std::size_t>(node)];
    switch (n.kind) {
      case ExprNode::Kind::identifier: return true;
      case ExprNode::Kind::unary: return n.op == '-' && affine(e, n.args[0], names);
      case ExprNode::Kind::binary: {
        const int a = n.args[0], b = n.args[1];
        if (n.op == '+' || n.op == '-') return affine(e, a, names) && affine(e, b, names);
        if (n.op == '*')
          return (!depends_on(e, a, names) && affine(e, b, names)) || (!depends_on(e, b, names) && affine(e, a, names));
        if (n.op == '/') return !depends_on(e, b, names) && affine(e, a, names);
        return false;
      }
      default: return false;
    }
  }

  void release(std::uint32_t slot, bool is_temp) {
    if (is_temp) free_temps_.push_back(slot);
  }

  /// Emits code computing node into a fresh or existing slot and returns it. `temp_out`
  /// tells the caller whether the slot is a reusable temporary.
  std::uint32_t emit(const Expression& e, int node_index, const Entity& owner, bool& temp_out) {
    const ExprNode& n = e.nodes[static_cast<std::size_t>(node_index)];
    temp_out = false;
    switch (n.kind) {
      case ExprNode::Kind::number: return constant(n.number);
      case ExprNode::Kind::identifier: {
        const Resolved r = resolve(n.name, owner);
        if (r.slot) return *r.slot;
        return entities_[*r.entity].slot;  // placed earlier (dependency) or a loop member
      }
      case ExprNode::Kind::unary: {
        bool t = false;
        const std::uint32_t a = emit(e, n.args[0], owner, t);
        return op_result(n.op == '-' ? Op::neg : Op::logical_not, {a}, {t}, temp_out);
      }
      case ExprNode::Kind::binary: {
        bool ta = false, tb = false;
        const std::uint32_t a = emit(e, n.args[0], owner, ta);
        const std::uint32_t b = emit(e, n.args[1], owner, tb);
        Op op = Op::add;
        switch (n.op) {
          case '+': op = Op::add; break;
          case '-': op = Op::sub; break;
          case '*': op = Op::mul; break;
          case '/': op = Op::div; break;
          case '^': op = Op::pow; break;
          case '<': op = Op::lt; break;
          case '>': op = Op::gt; break;
          case 'l': op = Op::le; break;
          case 'g': op = Op::ge; break;
          case 'e': op = Op::eq; break;
          case 'n': op = Op::ne; break;
          case '&': op = Op::logical_and; break;
          case '|': op = Op::logical_or; break;
        }
        return op_result(op, {a, b}, {ta, tb}, temp_out);
      }
      case ExprNode::Kind::call: return emit_call(e, n, owner, temp_out);
    }
    return constant(0.0);
  }

  std::uint32_t emit_call(const Expression& e, const ExprNode& n, const Entity& owner, bool& temp_out) {
    if (n.name == "active") {
      const std::string& process = e.nodes[static_cast<std::size_t>(n.args[0])].name;
      const bool on = std::find(active_processes_.begin(), active_processes_.end(), process) != active_processes_.end();
      return constant(on ? 1.0 : 0.0);
    }
    if (n.name == "pwl") {
      const std::string& curve = e.nodes[static_cast<std::size_t>(n.args[0])].name;
      bool t = false;
      const std::uint32_t x = emit(e, n.args[1], owner, t);
      release(x, t);
      const std::uint32_t dst = temp();
      code_->push_back({Op::pwl, dst, x, static_cast<std::uint32_t>(curve_index_.at(curve)), 0});
      temp_out = true;
      return dst;
    }
    std::vector<std::uint32_t> args;
    std::vector<bool> temps;
    for (int arg : n.args) {
      bool t = false;
      args.push_back(emit(e, arg, owner, t));
      temps.push_back(t);
    }
    static const std::map<std::string, Op> unary = {{"abs", Op::abs}, {"sqrt", Op::sqrt}, {"exp", Op::exp}, {"log", Op::log}};
    if (auto it = unary.find(n.name); it != unary.end()) return op_result(it->second, args, temps, temp_out);
    if (n.name == "pow") return op_result(Op::pow, args, temps, temp_out);
    if (n.name == "if") return op_result(Op::select, args, temps, temp_out);
    if (n.name == "clamp") return op_result(Op::clamp, args, temps, temp_out);
    // min/max with two or more arguments fold left.
    const Op op = n.name == "min" ? Op::min : Op::max;
    std::uint32_t acc = args[0];
    bool acc_temp = temps[0];
    for (std::size_t i = 1; i < args.size(); ++i) {
      bool t = false;
      acc = op_result(op, {acc, args[i]}, {acc_temp, temps[i]}, t);
      acc_temp = t;
    }
    temp_out = acc_temp;
    return acc;
  }

  /// Emits dst = op(args) into a temporary, folding constants.
  std::uint32_t op_result(Op op, std::vector<std::uint32_t> args, std::vector<bool> temps, bool& temp_out) {
    double values[3] = {0, 0, 0};
    bool all_constant = true;
    for (std::size_t i = 0; i < args.size(); ++i) all_constant = is_constant(args[i], values[i]) && all_constant;
    if (all_constant) {
      temp_out = false;
      return constant(apply(op, values[0], values[1], values[2]));
    }
    for (std::size_t i = 0; i < args.size(); ++i) release(args[i], temps[i]);
    const std::uint32_t dst = temp();
    args.resize(3, 0);
    code_->push_back({op, dst, args[0], args[1], args[2]});
    temp_out = true;
    return dst;
  }

  std::uint32_t emit_value(const Expression& e, int node, const Entity& owner) {
    bool t = false;
    return emit(e, node, owner, t);
  }

  /// Emits code that leaves the value of `e` in `target`.
  void emit_into(const Expression& e, const Entity& owner, std::uint32_t target) {
    bool t = false;
    const std::size_t before = code_->size();
    const std::uint32_t slot = emit(e, e.root, owner, t);
    if (t && code_->size() > before && code_->back().dst == slot) {
      code_->back().dst = target;  // write the last instruction straight into the target
      release(slot, true);
    } else {
      code_->push_back({Op::copy, target, slot, 0, 0});
      release(slot, t);
    }
  }

  // --- sharing ------------------------------------------------------------------------

  /// Number of slots an instruction reads through a, b, c (pwl reads a; b is its curve, whose
  /// points are parameters or constants; loop reads nothing here: its sub-tape does).
  static int operand_count(Op op) noexcept {
    switch (op) {
      case Op::copy: case Op::neg: case Op::abs: case Op::sqrt: case Op::exp: case Op::log:
      case Op::logical_not: case Op::pwl:
        return 1;
      case Op::select: case Op::clamp: return 3;
      case Op::loop: return 0;
      default: return 2;
    }
  }

  /// Common-subexpression elimination over the tape of every mode. Value numbering gives each
  /// instruction the number of (operation, numbers of its operands); instructions with equal
  /// numbers compute the same bits (same operation, same operands, same order), so only one of
  /// them needs to run:
  ///  - a value first computed by the baseline is reused from there (the baseline always runs);
  ///  - a value that two or more synergy modes compute moves to the shared range, which runs
  ///    after the baseline and before any synergy mode (so evaluating one mode stays correct);
  ///  - a value one mode computes twice is computed once, by its first instruction.
  /// Kept values that others reuse live in a slot no later instruction writes (an entity's own
  /// slot, or a new one instead of a temporary); copies of such values are dropped. Reads and
  /// the slots of PlanMode are redirected accordingly. Recycle loops and their sub-tapes are
  /// kept as they are (their results are new values). If any redirected read would not be
  /// available where it happens, the tape is left unchanged.
  void share_subexpressions() {
    constexpr std::uint32_t NONE = std::numeric_limits<std::uint32_t>::max();
    constexpr int PARAMETER = -1, UNWRITTEN = -2, SHARED = -3;
    const std::vector<Instruction>& code = plan_.code_;
    const std::size_t modes = plan_.modes_.size(), slots = next_slot_;
    if (modes == 0 || plan_.modes_[0].code_begin != 0 || plan_.modes_.back().code_end != code.size()) return;
    std::vector<int> mode_of(code.size(), 0);
    for (std::size_t m = 0; m < modes; ++m) {
      if (m > 0 && plan_.modes_[m].code_begin != plan_.modes_[m - 1].code_end) return;
      for (std::size_t i = plan_.modes_[m].code_begin; i < plan_.modes_[m].code_end; ++i) mode_of[i] = static_cast<int>(m);
    }
    // PlanMode's slots are redirected through their final writes: they must not be temporaries.
    for (const PlanMode& mode : plan_.modes_) {
      for (const auto* quantities : {&mode.outputs, &mode.variables})
        for (const PlanQuantity& q : *quantities)
          if (temp_slots_.count(q.slot)) return;
      for (const PlanFlow& f : mode.flows)
        if (temp_slots_.count(f.slot) || (f.has_energy && temp_slots_.count(f.energy_factor)) ||
            (f.has_mass && temp_slots_.count(f.mass_factor)))
          return;
    }

    // Value numbering in tape order. A synergy mode reads only parameters, constants, the
    // baseline and its own writes; anything else makes the tape ineligible.
    struct Value {
      std::vector<std::size_t> computed_by;  ///< instructions (not copies) that compute it
      std::uint32_t home = NONE;             ///< slot holding it in the new tape
      bool stable = false;                   ///< home is never written again
    };
    std::vector<Value> values;
    auto fresh = [&](std::uint32_t home, bool stable) {
      values.push_back({{}, home, stable});
      return static_cast<std::uint32_t>(values.size() - 1);
    };
    std::vector<std::uint32_t> value_of(slots, NONE);
    std::vector<int> writer(slots, UNWRITTEN);
    for (std::size_t p = 0; p < plan_.parameters_.size(); ++p)
      value_of[p] = fresh(static_cast<std::uint32_t>(p), true), writer[p] = PARAMETER;
    for (const auto& [slot, v] : plan_.constants_) value_of[slot] = fresh(slot, true), writer[slot] = PARAMETER;
    auto readable = [&](std::uint32_t slot, int m) {
      const int w = writer[slot];
      return w == PARAMETER || w == 0 || w == m;
    };
    std::map<std::array<std::uint32_t, 4>, std::uint32_t> table;
    std::vector<std::uint32_t> value(code.size(), NONE);
    for (std::size_t i = 0; i < code.size(); ++i) {
      const Instruction& in = code[i];
      const int m = mode_of[i];
      if (in.op == Op::loop) {
        const LoopBlock& loop = plan_.loops_[in.a];
        for (const std::uint32_t member : loop.members) value_of[member] = fresh(member, true), writer[member] = m;
        for (std::size_t j = loop.code_begin; j < loop.code_end; ++j) {
          const Instruction& sub = plan_.loop_code_[j];
          const std::uint32_t reads[3] = {sub.a, sub.b, sub.c};
          for (int k = 0; k < operand_count(sub.op); ++k)
            if (!readable(reads[k], m)) return;
          value_of[sub.dst] = fresh(sub.dst, false), writer[sub.dst] = m;
        }
        continue;
      }
      const std::uint32_t reads[3] = {in.a, in.b, in.c};
      const int n = operand_count(in.op);
      for (int k = 0; k < n; ++k)
        if (!readable(reads[k], m)) return;
      if (in.op == Op::copy) {
        value[i] = value_of[in.a];
      } else {
        const std::array<std::uint32_t, 4> key = {static_cast<std::uint32_t>(in.op), value_of[in.a],
                                                  in.op == Op::pwl ? in.b : n >= 2 ? value_of[in.b] : 0,
                                                  n >= 3 ? value_of[in.c] : 0};
        const auto [it, inserted] = table.try_emplace(key, static_cast<std::uint32_t>(values.size()));
        if (inserted) fresh(NONE, false);
        value[i] = it->second;
        values[value[i]].computed_by.push_back(i);
      }
      value_of[in.dst] = value[i];
      writer[in.dst] = m;
    }

    enum class Role : std::uint8_t { keep, first, hoist, reuse };
    std::vector<Role> role(code.size(), Role::keep);
    for (const Value& v : values) {
      const auto& by = v.computed_by;
      if (by.size() < 2) continue;
      const int m0 = mode_of[by.front()];
      const bool one_mode = std::all_of(by.begin(), by.end(), [&](std::size_t i) { return mode_of[i] == m0; });
      for (std::size_t k = 0; k < by.size(); ++k)
        role[by[k]] = (m0 == 0 || one_mode) ? (k == 0 ? Role::first : Role::reuse) : Role::hoist;
    }

    // The new tape: baseline, shared range, synergy modes. loc[s] is where the value the old
    // tape would hold in slot s lives now; where[s] which part of the new tape wrote slot s.
    const std::uint32_t saved_next_slot = next_slot_;
    std::vector<std::uint32_t> loc(slots);
    for (std::uint32_t s = 0; s < slots; ++s) loc[s] = s;
    std::vector<int> where(writer.size(), UNWRITTEN);
    for (std::size_t s = 0; s < slots; ++s)
      if (writer[s] == PARAMETER) where[s] = PARAMETER;
    std::vector<std::vector<Instruction>> out(modes);
    std::vector<Instruction> shared;
    std::vector<Instruction> loop_code = plan_.loop_code_;
    bool ok = true;
    auto remap = [&](Instruction in, int m) {
      std::uint32_t* reads[3] = {&in.a, &in.b, &in.c};
      for (int k = 0; k < operand_count(in.op); ++k) {
        std::uint32_t& s = *reads[k];
        s = loc[s];
        const int w = where[s];
        if (!(w == PARAMETER || w == 0 || w == SHARED || w == m)) ok = false;
      }
      return in;
    };
    auto new_slot = [&](int m) {
      where.push_back(m);
      return next_slot_++;
    };
    auto write = [&](std::uint32_t old_slot, std::uint32_t new_slot_index, int m) {
      loc[old_slot] = new_slot_index;
      where[new_slot_index] = m;
    };
    for (std::size_t i = 0; i < code.size() && ok; ++i) {
      const Instruction& in = code[i];
      const int m = mode_of[i];
      if (in.op == Op::loop) {
        const LoopBlock& loop = plan_.loops_[in.a];
        for (const std::uint32_t member : loop.members) write(member, member, m);
        for (std::size_t j = loop.code_begin; j < loop.code_end; ++j) {
          loop_code[j] = remap(loop_code[j], m);
          write(loop_code[j].dst, loop_code[j].dst, m);
        }
        out[m].push_back(in);
        continue;
      }
      Value& v = values[value[i]];
      if (in.op == Op::copy && v.home != NONE && v.stable) {
        loc[in.dst] = v.home;  // the copy is dropped; its readers read the source's home
        continue;
      }
      switch (in.op == Op::copy ? Role::keep : role[i]) {
        case Role::keep: {
          const Instruction e = remap(in, m);
          out[m].push_back(e);
          write(in.dst, in.dst, m);
          if (in.op != Op::copy) v.home = in.dst, v.stable = temp_slots_.count(in.dst) == 0;
          break;
        }
        case Role::first: {
          Instruction e = remap(in, m);
          if (temp_slots_.count(in.dst)) e.dst = new_slot(m);
          out[m].push_back(e);
          write(in.dst, e.dst, m);
          v.home = e.dst, v.stable = true;
          break;
        }
        case Role::hoist: {
          if (v.home == NONE) {
            Instruction e = remap(in, SHARED);
            e.dst = new_slot(SHARED);
            shared.push_back(e);
            v.home = e.dst, v.stable = true;
          }
          loc[in.dst] = v.home;
          break;
        }
        case Role::reuse: {
          if (v.home == NONE || !v.stable) ok = false;
          loc[in.dst] = v.home;
          break;
        }
      }
    }
    if (!ok) {
      next_slot_ = saved_next_slot;
      return;
    }

    std::vector<Instruction> tape;
    tape.reserve(code.size());
    for (std::size_t m = 0; m < modes; ++m) {
      if (m == 1) {
        plan_.shared_begin_ = tape.size();
        tape.insert(tape.end(), shared.begin(), shared.end());
        plan_.shared_end_ = tape.size();
      }
      plan_.modes_[m].code_begin = tape.size();
      tape.insert(tape.end(), out[m].begin(), out[m].end());
      plan_.modes_[m].code_end = tape.size();
    }
    plan_.code_ = std::move(tape);
    plan_.loop_code_ = std::move(loop_code);
    for (PlanMode& mode : plan_.modes_) {
      for (auto& q : mode.outputs) q.slot = loc[q.slot];
      for (auto& q : mode.variables) q.slot = loc[q.slot];
      for (auto& f : mode.flows) {
        f.slot = loc[f.slot];
        if (f.has_energy) f.energy_factor = loc[f.energy_factor];
        if (f.has_mass) f.mass_factor = loc[f.mass_factor];
      }
    }
  }

  /// The slots evaluate() checks per mode, each once (see BalancePlan::flow_checks_).
  void collect_checks() {
    for (const PlanMode& mode : plan_.modes_) {
      std::set<std::uint32_t> seen;
      auto& flows = plan_.flow_checks_.emplace_back();
      auto& finite = plan_.finite_checks_.emplace_back();
      for (const PlanFlow& pf : mode.flows)
        if (pf.active && seen.insert(pf.slot).second) flows.push_back(pf.slot);
      finite = flows;
      for (const auto* quantities : {&mode.outputs, &mode.variables})
        for (const PlanQuantity& q : *quantities)
          if (seen.insert(q.slot).second) finite.push_back(q.slot);
    }
  }
};

BalancePlan BalancePlan::compile(const Network& network, const PlanOptions& options) {
  BalancePlan plan = PlanCompiler(network, options).compile();
  // The nominal case must balance: a negative or non-finite nominal flow is an input error.
  BalanceWorkspace workspace(plan, 1);
  evaluate(plan, workspace, 1);
  ErrorList errors;
  const Network& net = plan.network_;
  for (std::size_t m = 0; m < plan.modes_.size(); ++m) {
    const PlanMode& mode = plan.modes_[m];
    const RunStatus status = workspace.status(m, 0);
    if (status == RunStatus::ok) continue;
    // A mode that fails only because the baseline does is not reported again.
    if (m > 0 && workspace.status(0, 0) != RunStatus::ok) continue;
    const bool loop_failed = status == RunStatus::singular_recycle || status == RunStatus::not_converged;
    if (loop_failed) {  // its members are NaN as a consequence: name the loop, not them
      for (std::size_t i = mode.code_begin; i < mode.code_end; ++i)
        if (plan.code_[i].op == Op::loop) {
          const LoopBlock& loop = plan.loops_[plan.code_[i].a];
          errors.add(loop.where, message("column '", loop.column, "': mode '", mode.id, "': the recycle loop of ",
                                         loop.description,
                                         status == RunStatus::singular_recycle
                                             ? " has no unique solution at nominal values (its linear system is singular)"
                                             : message(" does not converge within ", plan.fixed_point_max_iterations_,
                                                       " iterations at nominal values (case.csv: fixed_point_max_iterations)")));
        }
      continue;
    }
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
        if (def.name == v.name && (def.modes.empty() || std::find(def.modes.begin(), def.modes.end(), mode.id) != def.modes.end()))
          errors.add(def.where, message("column 'expression': variable '", v.name, "' is ", workspace.value(v.slot, 0),
                                        " in mode '", mode.id, "' at nominal values"));
    }
    for (const PlanQuantity& o : mode.outputs)
      if (!std::isfinite(workspace.value(o.slot, 0)))
        for (const auto& out : net.outputs)
          if (out.name == o.name)
            errors.add(out.where, message("column 'expression': output '", o.name, "' is ", workspace.value(o.slot, 0),
                                          " in mode '", mode.id, "' at nominal values"));
    if (errors.empty())
      errors.add(message(net.name, ": the nominal balance of mode '", mode.id, "' fails: ", to_string(status)));
  }
  errors.throw_if_any();
  return plan;
}

std::size_t BalancePlan::parameter_index(std::string_view name) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (parameters_[i].name == name) return i;
  std::vector<std::string> names;
  for (const auto& p : parameters_) names.push_back(p.name);
  throw InputError(message("unknown parameter '", name, "'", did_you_mean(name, names)));
}

std::size_t BalancePlan::mode_index(std::string_view id) const {
  for (std::size_t i = 0; i < modes_.size(); ++i)
    if (modes_[i].id == id) return i;
  std::vector<std::string> ids;
  for (const auto& m : modes_) ids.push_back(m.id);
  throw InputError(message("unknown mode '", id, "'", did_you_mean(id, ids)));
}

// ---------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------

struct BalanceWorkspace::Solver {
  // One preallocated LU per loop size: compute() on an object of the same size reuses its
  // storage, so solving a recycle loop allocates nothing.
  std::vector<Eigen::MatrixXd> matrix;
  std::vector<Eigen::VectorXd> rhs, solution;
  std::vector<Eigen::PartialPivLU<Eigen::MatrixXd>> lu;
  explicit Solver(std::size_t max_size) {
    for (std::size_t k = 0; k <= max_size; ++k) {
      const auto n = static_cast<Eigen::Index>(k);
      matrix.emplace_back(n, n);
      rhs.emplace_back(n);
      solution.emplace_back(n);
      lu.emplace_back(n);
    }
  }
};

BalanceWorkspace::BalanceWorkspace(const BalancePlan& plan, std::size_t width)
    : plan_(&plan), width_(std::max<std::size_t>(width, 1)) {
  slots_.assign(plan.slot_count_ * width_, 0.0);
  for (const auto& [slot, value] : plan.constants_) std::fill_n(slots_.begin() + slot * width_, width_, value);
  reset_parameters();
  status_.assign(plan.modes_.size() * width_, RunStatus::ok);
  const std::size_t n = plan.max_loop_size_;
  // Affine loops: n+1 sub-tape passes give b and the columns of A for every lane.
  scratch_.assign((n + 1) * n * width_ + 1, 0.0);
  done_.assign(width_, 0);
  flags_.assign(2 * width_, 0.0);
  if (n > 0) solver_ = std::make_unique<Solver>(n);
}
BalanceWorkspace::~BalanceWorkspace() = default;
BalanceWorkspace::BalanceWorkspace(BalanceWorkspace&&) noexcept = default;
BalanceWorkspace& BalanceWorkspace::operator=(BalanceWorkspace&&) noexcept = default;

void BalanceWorkspace::reset_parameters() noexcept {
  for (std::size_t p = 0; p < plan_->parameters_.size(); ++p)
    std::fill_n(slots_.begin() + p * width_, width_, plan_->parameters_[p].nominal);
}

/// Runs the tape over lanes [0, n) of one workspace. The switch is outside the lane loop so
/// each case is a simple loop the compiler vectorises.
class TapeRunner {
 public:
  TapeRunner(const BalancePlan& plan, BalanceWorkspace& ws, std::vector<RunStatus>& status, std::vector<double>& scratch,
             std::vector<unsigned char>& done, BalanceWorkspace::Solver* solver, double* slots, std::size_t width,
             std::size_t n)
      : plan_(plan), status_(status), scratch_(scratch), done_(done), solver_(solver), slots_(slots), width_(width), n_(n) {
    (void)ws;
  }
  std::size_t mode = 0;

  void fail(std::size_t m, std::size_t lane, RunStatus s) noexcept {
    RunStatus& current = status_[m * width_ + lane];
    if (current == RunStatus::ok) current = s;
  }

  void run(const Instruction* begin, const Instruction* end) noexcept {
    const std::size_t n = n_, width = width_;
    double* slots = slots_;
    for (const Instruction* in = begin; in != end; ++in) {
      double* d = slots + in->dst * width;
      const double* a = slots + in->a * width;
      const double* b = slots + in->b * width;
      const double* c = slots + in->c * width;
      switch (in->op) {
        case Op::copy: for (std::size_t r = 0; r < n; ++r) d[r] = a[r]; break;
        case Op::add: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] + b[r]; break;
        case Op::sub: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] - b[r]; break;
        case Op::mul: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] * b[r]; break;
        case Op::div: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] / b[r]; break;
        case Op::neg: for (std::size_t r = 0; r < n; ++r) d[r] = -a[r]; break;
        case Op::pow: for (std::size_t r = 0; r < n; ++r) d[r] = std::pow(a[r], b[r]); break;
        case Op::min: for (std::size_t r = 0; r < n; ++r) d[r] = std::min(a[r], b[r]); break;
        case Op::max: for (std::size_t r = 0; r < n; ++r) d[r] = std::max(a[r], b[r]); break;
        case Op::abs: for (std::size_t r = 0; r < n; ++r) d[r] = std::abs(a[r]); break;
        case Op::sqrt: for (std::size_t r = 0; r < n; ++r) d[r] = std::sqrt(a[r]); break;
        case Op::exp: for (std::size_t r = 0; r < n; ++r) d[r] = std::exp(a[r]); break;
        case Op::log: for (std::size_t r = 0; r < n; ++r) d[r] = std::log(a[r]); break;
        case Op::lt: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] < b[r] ? 1.0 : 0.0; break;
        case Op::le: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] <= b[r] ? 1.0 : 0.0; break;
        case Op::gt: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] > b[r] ? 1.0 : 0.0; break;
        case Op::ge: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] >= b[r] ? 1.0 : 0.0; break;
        case Op::eq: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] == b[r] ? 1.0 : 0.0; break;
        case Op::ne: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] != b[r] ? 1.0 : 0.0; break;
        case Op::logical_and: for (std::size_t r = 0; r < n; ++r) d[r] = (a[r] != 0.0 && b[r] != 0.0) ? 1.0 : 0.0; break;
        case Op::logical_or: for (std::size_t r = 0; r < n; ++r) d[r] = (a[r] != 0.0 || b[r] != 0.0) ? 1.0 : 0.0; break;
        case Op::logical_not: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] == 0.0 ? 1.0 : 0.0; break;
        case Op::select: for (std::size_t r = 0; r < n; ++r) d[r] = a[r] != 0.0 ? b[r] : c[r]; break;
        case Op::clamp: for (std::size_t r = 0; r < n; ++r) d[r] = std::min(std::max(a[r], b[r]), c[r]); break;
        case Op::pwl: pwl(plan_.curves_[in->b], a, d); break;
        case Op::loop: loop(plan_.loops_[in->a]); break;
      }
    }
  }

 private:
  const BalancePlan& plan_;
  std::vector<RunStatus>& status_;
  std::vector<double>& scratch_;
  std::vector<unsigned char>& done_;
  BalanceWorkspace::Solver* solver_;
  double* slots_;
  std::size_t width_, n_;

  /// Piecewise-linear interpolation, clamped at the end points.
  void pwl(const PlanCurve& curve, const double* x_values, double* d) noexcept {
    const std::size_t points = curve.x.size();
    for (std::size_t r = 0; r < n_; ++r) {
      const double x = x_values[r];
      auto px = [&](std::size_t i) { return slots_[curve.x[i] * width_ + r]; };
      auto py = [&](std::size_t i) { return slots_[curve.y[i] * width_ + r]; };
      double result = 0.0;
      if (std::isnan(x)) {
        result = NAN;
      } else if (x <= px(0)) {
        result = py(0);
      } else if (x >= px(points - 1)) {
        result = py(points - 1);
      } else {
        std::size_t i = 1;
        while (i < points - 1 && x >= px(i)) ++i;
        const double x0 = px(i - 1), x1 = px(i);
        // Perturbed curve points that are no longer increasing make the curve meaningless:
        // the NaN fails the run as non_finite rather than returning an arbitrary value.
        result = (x1 > x0) ? py(i - 1) + (py(i) - py(i - 1)) * (x - x0) / (x1 - x0) : NAN;
      }
      d[r] = result;
    }
  }

  double* member(const LoopBlock& loop, std::size_t i) noexcept { return slots_ + loop.members[i] * width_; }
  double* next(const LoopBlock& loop, std::size_t i) noexcept { return slots_ + loop.next[i] * width_; }

  void loop(const LoopBlock& loop) noexcept {
    const std::size_t k = loop.members.size();
    const Instruction* begin = plan_.loop_code_.data() + loop.code_begin;
    const Instruction* end = plan_.loop_code_.data() + loop.code_end;
    if (loop.affine) {
      // x = b + A x: b from f(0), column j of A from f(e_j) - b (exact for affine f up to
      // rounding); then solve (I - A) x = b per lane.
      double* store = scratch_.data();  // [(j)][i][lane]
      for (std::size_t j = 0; j <= k; ++j) {
        for (std::size_t i = 0; i < k; ++i) std::fill_n(member(loop, i), n_, (j > 0 && i == j - 1) ? 1.0 : 0.0);
        run(begin, end);
        for (std::size_t i = 0; i < k; ++i) std::copy_n(next(loop, i), n_, store + (j * k + i) * width_);
      }
      Eigen::MatrixXd& matrix = solver_->matrix[k];
      Eigen::VectorXd& rhs = solver_->rhs[k];
      Eigen::VectorXd& solution = solver_->solution[k];
      auto& lu = solver_->lu[k];
      for (std::size_t r = 0; r < n_; ++r) {
        for (std::size_t i = 0; i < k; ++i) {
          const double b = store[i * width_ + r];
          rhs[static_cast<Eigen::Index>(i)] = b;
          for (std::size_t j = 0; j < k; ++j)
            matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                (i == j ? 1.0 : 0.0) - (store[((j + 1) * k + i) * width_ + r] - b);
        }
        bool singular = !matrix.allFinite() || !rhs.allFinite();
        if (!singular) {
          lu.compute(matrix);
          const auto diagonal = lu.matrixLU().diagonal().cwiseAbs();
          singular = diagonal.minCoeff() <= 1e-12 * std::max(1.0, diagonal.maxCoeff());
          if (!singular) solution = lu.solve(rhs);
        }
        for (std::size_t i = 0; i < k; ++i)
          member(loop, i)[r] = singular ? NAN : solution[static_cast<Eigen::Index>(i)];
        if (singular) fail(mode, r, RunStatus::singular_recycle);
      }
      return;
    }
    // Fixed-point iteration from zero. A lane stops changing once it has converged, so its
    // result does not depend on which other lanes share the block.
    for (std::size_t i = 0; i < k; ++i) std::fill_n(member(loop, i), n_, 0.0);
    std::fill_n(done_.begin(), n_, 0);
    std::size_t remaining = n_;
    for (int iteration = 0; iteration < plan_.fixed_point_max_iterations_ && remaining > 0; ++iteration) {
      run(begin, end);
      for (std::size_t r = 0; r < n_; ++r) {
        if (done_[r]) continue;
        bool converged = true;
        for (std::size_t i = 0; i < k; ++i) {
          const double old_value = member(loop, i)[r], new_value = next(loop, i)[r];
          if (!(std::abs(new_value - old_value) <= plan_.fixed_point_tolerance_ * std::max(1.0, std::abs(new_value))))
            converged = false;
          member(loop, i)[r] = new_value;
        }
        if (converged) done_[r] = 1, --remaining;
      }
    }
    for (std::size_t r = 0; r < n_; ++r)
      if (!done_[r]) fail(mode, r, RunStatus::not_converged);
  }
};

namespace {

// Per-lane checks of evaluate(), one slot (all its lanes) at a time. The lane loops accumulate
// into per-lane doubles without branches so that GCC vectorises them (SSE2 already; a select on
// a comparison GCC would not if-convert under -ftrapping-math is avoided); the few failing lanes
// are sorted out afterwards.

/// flags[r] != 0 for the lanes whose value of a parameter lies outside domain D.
template <ParameterDomain D>
void flag_out_of_domain(const double* values, double* flags, std::size_t n) noexcept {
  for (std::size_t r = 0; r < n; ++r) flags[r] += in_domain<D>(values[r]) ? 0.0 : 1.0;
}

/// lowest[r] becomes the smallest value of the listed slots in lane r, NaN ignored (four at a
/// time; a NaN may hide a smaller value of its group, which matters not: evaluate() decides a
/// lane with a non-finite value flow by flow).
void scan_lowest(const double* slots, std::size_t width, const std::vector<std::uint32_t>& list, double* lowest,
                 std::size_t n) noexcept {
  auto smaller = [](double x, double y) { return x < y ? x : y; };  // y when unordered
  std::size_t i = 0;
  for (; i + 4 <= list.size(); i += 4) {
    const double* a = slots + list[i] * width;
    const double* b = slots + list[i + 1] * width;
    const double* c = slots + list[i + 2] * width;
    const double* d = slots + list[i + 3] * width;
    for (std::size_t r = 0; r < n; ++r) lowest[r] = smaller(smaller(smaller(a[r], b[r]), smaller(c[r], d[r])), lowest[r]);
  }
  for (; i < list.size(); ++i) {
    const double* a = slots + list[i] * width;
    for (std::size_t r = 0; r < n; ++r) lowest[r] = smaller(a[r], lowest[r]);
  }
}

/// not_finite[r] becomes NaN when one of the listed slots is not finite in lane r (four at a time).
void scan_finite(const double* slots, std::size_t width, const std::vector<std::uint32_t>& list, double* not_finite,
                 std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 4 <= list.size(); i += 4) {
    const double* a = slots + list[i] * width;
    const double* b = slots + list[i + 1] * width;
    const double* c = slots + list[i + 2] * width;
    const double* d = slots + list[i + 3] * width;
    for (std::size_t r = 0; r < n; ++r) not_finite[r] += ((a[r] - a[r]) + (b[r] - b[r])) + ((c[r] - c[r]) + (d[r] - d[r]));
  }
  for (; i < list.size(); ++i) {
    const double* a = slots + list[i] * width;
    for (std::size_t r = 0; r < n; ++r) not_finite[r] += a[r] - a[r];
  }
}

/// status[r] keeps its failure; an ok lane takes the baseline's status.
void merge_status(unsigned char* status, const unsigned char* baseline, std::size_t n) noexcept {
  for (std::size_t r = 0; r < n; ++r) {
    const unsigned char s = status[r], b = baseline[r];
    status[r] = s != 0 ? s : b;
  }
}

}  // namespace

void evaluate(const BalancePlan& plan, BalanceWorkspace& ws, std::size_t lanes, std::size_t only_mode) noexcept {
  const std::size_t width = ws.width_;
  const std::size_t n = std::min(lanes, width);
  const std::size_t modes = plan.modes_.size();
  double* slots = ws.slots_.data();
  TapeRunner runner(plan, ws, ws.status_, ws.scratch_, ws.done_, ws.solver_.get(), slots, width, n);
  // RunStatus is one byte with ok = 0: the lane loops below work on its bytes.
  static_assert(sizeof(RunStatus) == 1 && static_cast<int>(RunStatus::ok) == 0);
  double* flags = ws.flags_.data();
  auto* status = reinterpret_cast<unsigned char*>(ws.status_.data());

  // Sampled parameters outside their physical domain invalidate the whole run (every mode).
  std::fill_n(flags, n, 0.0);
  for (std::size_t p = 0; p < plan.parameters_.size(); ++p) {
    const double* v = slots + p * width;
    switch (plan.parameters_[p].domain) {
      case ParameterDomain::any: flag_out_of_domain<ParameterDomain::any>(v, flags, n); break;
      case ParameterDomain::nonnegative: flag_out_of_domain<ParameterDomain::nonnegative>(v, flags, n); break;
      case ParameterDomain::positive: flag_out_of_domain<ParameterDomain::positive>(v, flags, n); break;
      case ParameterDomain::fraction: flag_out_of_domain<ParameterDomain::fraction>(v, flags, n); break;
      case ParameterDomain::efficiency: flag_out_of_domain<ParameterDomain::efficiency>(v, flags, n); break;
    }
  }
  std::fill(ws.status_.begin(), ws.status_.end(), RunStatus::ok);
  constexpr auto out_of_domain = static_cast<unsigned char>(RunStatus::out_of_domain);
  for (std::size_t m = 0; m < modes; ++m)
    for (std::size_t r = 0; r < n; ++r) status[m * width + r] = flags[r] != 0.0 ? out_of_domain : 0;

  const bool all_modes = only_mode == static_cast<std::size_t>(-1);
  for (std::size_t m = 0; m < modes; ++m) {
    if (m != 0 && !all_modes && m != only_mode) continue;
    if (m == 1 || (m == only_mode && m > 1))  // values the synergy modes share, once
      runner.run(plan.code_.data() + plan.shared_begin_, plan.code_.data() + plan.shared_end_);
    runner.mode = m;
    const PlanMode& mode = plan.modes_[m];
    runner.run(plan.code_.data() + mode.code_begin, plan.code_.data() + mode.code_end);
    // Validity: every active flow is a non-negative finite number; every output and variable is
    // finite. A lane keeps its first failure: the tape's (loops), else that of the first failing
    // flow in flow order (non_finite or negative_flow), else non_finite if an output or variable
    // is not, else (synergy modes) the baseline's. Order matters only in a lane with a
    // non-finite value: that rare lane is decided flow by flow.
    double* not_finite = flags;
    double* lowest = flags + width;
    std::fill_n(not_finite, n, 0.0);
    std::fill_n(lowest, n, 0.0);
    scan_finite(slots, width, plan.finite_checks_[m], not_finite, n);
    scan_lowest(slots, width, plan.flow_checks_[m], lowest, n);
    unsigned char* st = status + m * width;
    for (std::size_t r = 0; r < n; ++r) {
      if (st[r] != 0) continue;
      if (!std::isnan(not_finite[r])) {
        if (lowest[r] < -1e-9) st[r] = static_cast<unsigned char>(RunStatus::negative_flow);
        continue;
      }
      st[r] = static_cast<unsigned char>(RunStatus::non_finite);  // unless a flow fails first
      for (const std::uint32_t slot : plan.flow_checks_[m]) {
        const double q = slots[slot * width + r];
        if (!std::isfinite(q)) break;
        if (q < -1e-9) {
          st[r] = static_cast<unsigned char>(RunStatus::negative_flow);
          break;
        }
      }
    }
    if (m != 0) merge_status(status + m * width, status, n);  // a mode compared with a failed baseline is not valid either
  }
}

std::vector<ProcessBalance> process_balances(const BalancePlan& plan, const BalanceWorkspace& ws, std::size_t mode_index,
                                             std::size_t lane) {
  const Network& network = plan.network();
  const PlanMode& mode = plan.modes()[mode_index];
  std::vector<ProcessBalance> out;
  for (std::size_t p = 0; p < network.processes.size(); ++p) {
    const Process& process = network.processes[p];
    if (process.kind == ProcessKind::external || !mode.active_processes[p]) continue;
    ProcessBalance b;
    b.process = process.id;
    for (const PlanFlow& pf : mode.flows) {
      if (!pf.active) continue;
      const Flow& flow = network.flows[pf.flow];
      const double q = ws.value(pf.slot, lane);
      const double energy = pf.has_energy ? q * ws.value(pf.energy_factor, lane) : 0.0;
      const double mass = pf.has_mass ? q * ws.value(pf.mass_factor, lane) : 0.0;
      if (flow.to == process.id) b.energy_in_MJ_per_h += energy, b.mass_in_t_per_h += mass;
      if (flow.from == process.id) b.energy_out_MJ_per_h += energy, b.mass_out_t_per_h += mass;
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace symbiomc
