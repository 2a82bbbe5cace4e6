#pragma once
// Arithmetic expressions that case files use for flow quantities, intermediate variables and
// outputs ("chp_straw_t_h * 1000 * lhv_straw_MJ_kg"). Parsed once into a small syntax tree;
// the balance compiler turns all trees of a mode into one flat instruction tape.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace symbiomc {

struct ExprNode {
  enum class Kind : unsigned char { number, identifier, unary, binary, call };
  Kind kind = Kind::number;
  /// unary: '-' or '!'; binary: + - * / ^ < > and 'l' (<=), 'g' (>=), 'e' (==), 'n' (!=), '&' (&&), '|' (||)
  char op = 0;
  double number = 0.0;
  std::string name;        ///< identifier, or function name for calls
  std::vector<int> args;   ///< child node indices (unary: 1, binary: 2, call: n)
  std::size_t column = 0;  ///< 1-based position in the expression text, for messages
};

/// A parsed expression; nodes_[root] is the top. Value type, immutable after parsing.
struct Expression {
  std::string text;
  std::vector<ExprNode> nodes;
  int root = -1;
};

/// Syntax error at a 1-based column of the expression text.
class ExpressionSyntaxError : public std::runtime_error {
 public:
  ExpressionSyntaxError(std::size_t column, const std::string& what) : std::runtime_error(what), column_(column) {}
  [[nodiscard]] std::size_t column() const noexcept { return column_; }

 private:
  std::size_t column_;
};

/// The functions expressions may call, with their argument counts (-1 = two or more).
/// pwl(curve, x): piecewise-linear curve from curves.csv, clamped at its end points;
/// active(process): 1 when the process runs in the mode being evaluated, else 0;
/// if(condition, then, else); min/max(a, b, ...); clamp(x, lo, hi); abs, sqrt, exp, log, pow(a, b).
struct FunctionInfo {
  std::string_view name;
  int arity;
};
[[nodiscard]] const std::vector<FunctionInfo>& expression_functions();

/// Parses `text`; throws ExpressionSyntaxError naming the column and what was expected.
/// Grammar (usual precedence): || , && , comparisons, + -, * /, unary - !, ^ (right-assoc),
/// primary = number | identifier | identifier '(' args ')' | '(' expr ')'.
/// Identifiers: letters, digits, '_' and '.', not starting with a digit ("base.total_power_MW").
[[nodiscard]] Expression parse_expression(std::string_view text);

/// The expression text for a message: whole when short, else the part around the 1-based
/// `column` with "..." where it was cut, so that a generated 600 KB cell is not echoed whole.
[[nodiscard]] std::string expression_excerpt(std::string_view text, std::size_t column);

/// Names an expression refers to as values (identifiers, excluding function names and the
/// curve/process arguments of pwl() and active()), in order of first appearance.
[[nodiscard]] std::vector<std::string> referenced_names(const Expression& expression);

/// Curve names used as first argument of pwl(), and process names used in active().
[[nodiscard]] std::vector<std::string> referenced_curves(const Expression& expression);
[[nodiscard]] std::vector<std::string> referenced_processes(const Expression& expression);

/// True when the expression is a single identifier (so the compiler can alias, not copy).
[[nodiscard]] bool is_plain_identifier(const Expression& expression) noexcept;

}  // namespace symbiomc
