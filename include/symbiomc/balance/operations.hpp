#pragma once
// The instruction set of the balance tape, described once. Each operation has one row in
// `operation_table`: its name, the slots it reads, the expression syntax that compiles to it,
// and its value on one lane (`kernel`). The compiler folds constant operands with that kernel
// (src/balance/tape_emitter.cpp) and the tape runner instantiates its per-operation lane loops
// from it (src/balance/tape_runner.cpp), so folding and running compute the very same double
// operations, and a new operation is its enumerator plus its row here: the static_asserts at
// the end refuse one without the other, and no switch elsewhere lists the operations.
// pwl and loop need more than operand values (a curve, a sub-tape): they have no kernel and
// the runner handles them itself.
//
// The expression parser (src/case/expression.cpp) keeps its own list of function names: the
// case stage comes before this one and cannot read this table.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace symbiomc {

/// Operations of the balance tape; operation_table has one row per enumerator, in this order.
/// `loop` stays last (OP_COUNT counts up to it).
enum class Op : std::uint8_t {
  copy,
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  min,
  max,
  abs,
  sqrt,
  exp,
  log,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  logical_and,
  logical_or,
  logical_not,
  select,
  clamp,
  pwl,
  loop,
};
inline constexpr std::size_t OP_COUNT = static_cast<std::size_t>(Op::loop) + 1;

/// Value of an operation on one lane; operands it does not read are ignored.
using LaneKernel = double (*)(double a, double b, double c);

struct OperationInfo {
  Op op = Op::copy;
  std::string_view name = {};
  /// Slots the instruction reads through Instruction::a, b, c, in that order. pwl reads a (b is
  /// the index of its curve, whose points are parameters or constants); loop reads none here:
  /// its sub-tape does.
  int operands = 0;
  char unary_operator = 0;         ///< ExprNode::op of a unary node compiling to it ('-', '!'); 0: none
  char binary_operator = 0;        ///< ExprNode::op of a binary node ('+', 'l' for <=, ...); 0: none
  std::string_view function = {};  ///< expression function compiling to it ("sqrt", "if"); empty: none
  bool folds_left = false;         ///< f(x1, x2, x3, ...) = f(f(x1, x2), x3), ... (min and max)
  LaneKernel kernel = nullptr;     ///< nullptr for pwl and loop only
  /// pwl and loop: no kernel, the runner evaluates them itself. A flag rather than a test of
  /// `kernel == nullptr` in constant expressions, which GCC refuses under -fsanitize=undefined.
  bool run_by_runner = false;
};

/// min and max that return a NaN operand, whichever side it is on. std::min and std::max
/// return their first operand when the comparison is unordered, so max(0, NaN) would be 0 and
/// a failed run (sqrt of a negative number, say) would be clipped into a valid number. For
/// two numbers they are std::min and std::max, bit for bit (signed zeros included).
[[nodiscard]] constexpr double propagating_min(double a, double b) noexcept { return (b < a || b != b) ? b : a; }
[[nodiscard]] constexpr double propagating_max(double a, double b) noexcept { return (a < b || b != b) ? b : a; }

/// Comparisons and logic yield 1.0 or 0.0; a condition is true when it is not 0.0.
inline constexpr std::array<OperationInfo, OP_COUNT> operation_table = {{
    {.op = Op::copy, .name = "copy", .operands = 1, .kernel = [](double a, double, double) { return a; }},
    {.op = Op::add,
     .name = "add",
     .operands = 2,
     .binary_operator = '+',
     .kernel = [](double a, double b, double) { return a + b; }},
    {.op = Op::sub,
     .name = "sub",
     .operands = 2,
     .binary_operator = '-',
     .kernel = [](double a, double b, double) { return a - b; }},
    {.op = Op::mul,
     .name = "mul",
     .operands = 2,
     .binary_operator = '*',
     .kernel = [](double a, double b, double) { return a * b; }},
    {.op = Op::div,
     .name = "div",
     .operands = 2,
     .binary_operator = '/',
     .kernel = [](double a, double b, double) { return a / b; }},
    {.op = Op::neg,
     .name = "neg",
     .operands = 1,
     .unary_operator = '-',
     .kernel = [](double a, double, double) { return -a; }},
    {.op = Op::pow,
     .name = "pow",
     .operands = 2,
     .binary_operator = '^',
     .function = "pow",
     .kernel = [](double a, double b, double) { return std::pow(a, b); }},
    {.op = Op::min,
     .name = "min",
     .operands = 2,
     .function = "min",
     .folds_left = true,
     .kernel = [](double a, double b, double) { return propagating_min(a, b); }},
    {.op = Op::max,
     .name = "max",
     .operands = 2,
     .function = "max",
     .folds_left = true,
     .kernel = [](double a, double b, double) { return propagating_max(a, b); }},
    {.op = Op::abs,
     .name = "abs",
     .operands = 1,
     .function = "abs",
     .kernel = [](double a, double, double) { return std::abs(a); }},
    {.op = Op::sqrt,
     .name = "sqrt",
     .operands = 1,
     .function = "sqrt",
     .kernel = [](double a, double, double) { return std::sqrt(a); }},
    {.op = Op::exp,
     .name = "exp",
     .operands = 1,
     .function = "exp",
     .kernel = [](double a, double, double) { return std::exp(a); }},
    {.op = Op::log,
     .name = "log",
     .operands = 1,
     .function = "log",
     .kernel = [](double a, double, double) { return std::log(a); }},
    {.op = Op::lt,
     .name = "lt",
     .operands = 2,
     .binary_operator = '<',
     .kernel = [](double a, double b, double) { return a < b ? 1.0 : 0.0; }},
    {.op = Op::le,
     .name = "le",
     .operands = 2,
     .binary_operator = 'l',
     .kernel = [](double a, double b, double) { return a <= b ? 1.0 : 0.0; }},
    {.op = Op::gt,
     .name = "gt",
     .operands = 2,
     .binary_operator = '>',
     .kernel = [](double a, double b, double) { return a > b ? 1.0 : 0.0; }},
    {.op = Op::ge,
     .name = "ge",
     .operands = 2,
     .binary_operator = 'g',
     .kernel = [](double a, double b, double) { return a >= b ? 1.0 : 0.0; }},
    {.op = Op::eq,
     .name = "eq",
     .operands = 2,
     .binary_operator = 'e',
     .kernel = [](double a, double b, double) { return a == b ? 1.0 : 0.0; }},
    {.op = Op::ne,
     .name = "ne",
     .operands = 2,
     .binary_operator = 'n',
     .kernel = [](double a, double b, double) { return a != b ? 1.0 : 0.0; }},
    {.op = Op::logical_and,
     .name = "logical_and",
     .operands = 2,
     .binary_operator = '&',
     .kernel = [](double a, double b, double) { return (a != 0.0 && b != 0.0) ? 1.0 : 0.0; }},
    {.op = Op::logical_or,
     .name = "logical_or",
     .operands = 2,
     .binary_operator = '|',
     .kernel = [](double a, double b, double) { return (a != 0.0 || b != 0.0) ? 1.0 : 0.0; }},
    {.op = Op::logical_not,
     .name = "logical_not",
     .operands = 1,
     .unary_operator = '!',
     .kernel = [](double a, double, double) { return a == 0.0 ? 1.0 : 0.0; }},
    {.op = Op::select,
     .name = "select",
     .operands = 3,
     .function = "if",
     .kernel = [](double a, double b, double c) { return a != 0.0 ? b : c; }},
    {.op = Op::clamp,
     .name = "clamp",
     .operands = 3,
     .function = "clamp",
     .kernel = [](double a, double b, double c) { return propagating_min(propagating_max(a, b), c); }},
    {.op = Op::pwl, .name = "pwl", .operands = 1, .function = "pwl", .run_by_runner = true},
    {.op = Op::loop, .name = "loop", .operands = 0, .run_by_runner = true},
}};

[[nodiscard]] constexpr const OperationInfo& operation_info(Op op) noexcept {
  return operation_table[static_cast<std::size_t>(op)];
}

/// The operation a unary, binary or call node of an expression compiles to; nullptr if none
/// (read_case has checked the syntax, so the compiler never meets one).
[[nodiscard]] constexpr const OperationInfo* unary_operation(char symbol) noexcept {
  for (const OperationInfo& info : operation_table)
    if (info.unary_operator != 0 && info.unary_operator == symbol) return &info;
  return nullptr;
}
[[nodiscard]] constexpr const OperationInfo* binary_operation(char symbol) noexcept {
  for (const OperationInfo& info : operation_table)
    if (info.binary_operator != 0 && info.binary_operator == symbol) return &info;
  return nullptr;
}
[[nodiscard]] constexpr const OperationInfo* function_operation(std::string_view function) noexcept {
  for (const OperationInfo& info : operation_table)
    if (!info.function.empty() && info.function == function) return &info;
  return nullptr;
}

namespace detail {
[[nodiscard]] constexpr bool operation_table_is_consistent() noexcept {
  for (std::size_t i = 0; i < operation_table.size(); ++i) {
    const OperationInfo& info = operation_table[i];
    if (static_cast<std::size_t>(info.op) != i || info.name.empty()) return false;
    if (info.run_by_runner != (info.op == Op::pwl || info.op == Op::loop)) return false;
    if (info.operands < 0 || info.operands > 3 || (info.folds_left && info.operands != 2)) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::operation_table_is_consistent(),
              "operation_table: one row per Op in enum order, only pwl and loop run by the runner itself");

}  // namespace symbiomc
