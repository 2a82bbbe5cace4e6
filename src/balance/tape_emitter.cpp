#include "balance/tape_emitter.hpp"

#include <optional>
#include <stdexcept>
#include <string>

#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

namespace {

/// The operation found for a piece of syntax. read_case has checked every operator and
/// function name, so a miss is a bug in the compiler, not an input error.
const OperationInfo& known(const OperationInfo* info, const ExprNode& node) {
  if (info != nullptr) return *info;
  const std::string syntax = node.kind == ExprNode::Kind::call ? node.name : std::string(1, node.op);
  throw std::logic_error(message("balance compiler: no tape operation for '", syntax, "'"));
}

}  // namespace

std::uint32_t TapeEmitter::emit_value(const Entity& owner) {
  bool t = false;
  return emit(*owner.expression, owner.expression->root, owner, t);
}

void TapeEmitter::emit_into(const Entity& owner, std::uint32_t target) {
  bool t = false;
  const std::size_t before = code_.size();
  const std::uint32_t slot = emit(*owner.expression, owner.expression->root, owner, t);
  if (t && code_.size() > before && code_.back().dst == slot) {
    code_.back().dst = target;  // write the last instruction straight into the target
    slots_.release(slot, true);
  } else {
    code_.push_back({Op::copy, target, slot, 0, 0});
    slots_.release(slot, t);
  }
}

std::uint32_t TapeEmitter::emit(const Expression& e, int node_index, const Entity& owner, bool& temp_out) {
  const ExprNode& n = e.nodes[static_cast<std::size_t>(node_index)];
  temp_out = false;
  switch (n.kind) {
    case ExprNode::Kind::number:
      return slots_.constant(n.number);
    case ExprNode::Kind::identifier:
      return scope_.slot_for(n.name, owner);
    case ExprNode::Kind::unary: {
      bool t = false;
      const std::uint32_t a = emit(e, n.args[0], owner, t);
      const Op op = known(unary_operation(n.op), n).op;
      return op_result(op, {a}, {t}, temp_out);
    }
    case ExprNode::Kind::binary: {
      bool ta = false, tb = false;
      const std::uint32_t a = emit(e, n.args[0], owner, ta);
      const std::uint32_t b = emit(e, n.args[1], owner, tb);
      const Op op = known(binary_operation(n.op), n).op;
      return op_result(op, {a, b}, {ta, tb}, temp_out);
    }
    case ExprNode::Kind::call:
      return emit_call(e, n, owner, temp_out);
  }
  return slots_.constant(0.0);
}

std::uint32_t TapeEmitter::emit_call(const Expression& e, const ExprNode& n, const Entity& owner, bool& temp_out) {
  // active(process) is known per mode at compile time; pwl(curve, x) names its curve in its
  // first argument. Both are not plain operations on values.
  if (n.name == "active") {
    const std::string& process = e.nodes[static_cast<std::size_t>(n.args[0])].name;
    return slots_.constant(scope_.process_active(process) ? 1.0 : 0.0);
  }
  if (n.name == "pwl") {
    const std::string& curve = e.nodes[static_cast<std::size_t>(n.args[0])].name;
    bool t = false;
    const std::uint32_t x = emit(e, n.args[1], owner, t);
    slots_.release(x, t);
    const std::uint32_t dst = slots_.temporary();
    code_.push_back({Op::pwl, dst, x, static_cast<std::uint32_t>(curve_index_.at(curve)), 0});
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
  const OperationInfo& info = known(function_operation(n.name), n);
  if (!info.folds_left) return op_result(info.op, args, temps, temp_out);
  std::uint32_t acc = args[0];
  bool acc_temp = temps[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    bool t = false;
    acc = op_result(info.op, {acc, args[i]}, {acc_temp, temps[i]}, t);
    acc_temp = t;
  }
  temp_out = acc_temp;
  return acc;
}

std::uint32_t TapeEmitter::op_result(Op op, std::vector<std::uint32_t> args, std::vector<bool> temps, bool& temp_out) {
  double values[3] = {0, 0, 0};
  bool all_constant = fold_constants_;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::optional<double> value = slots_.constant_value(args[i]);
    if (value) values[i] = *value;
    all_constant = value.has_value() && all_constant;
  }
  if (all_constant) {
    temp_out = false;
    return slots_.constant(operation_info(op).kernel(values[0], values[1], values[2]));
  }
  for (std::size_t i = 0; i < args.size(); ++i) slots_.release(args[i], temps[i]);
  const std::uint32_t dst = slots_.temporary();
  args.resize(3, 0);
  code_.push_back({op, dst, args[0], args[1], args[2]});
  temp_out = true;
  return dst;
}

}  // namespace symbiomc::detail
