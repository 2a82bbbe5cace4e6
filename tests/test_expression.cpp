#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/paths.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/expression.hpp"

// The expression parser: precedence and associativity (checked on the syntax tree, by a
// small reference evaluator over that tree, and through a compiled case), the names an
// expression refers to, and the column and text of every kind of syntax error.

namespace symbiomc {
namespace {

const ExprNode& node(const Expression& e, int index) { return e.nodes.at(static_cast<std::size_t>(index)); }
const ExprNode& root(const Expression& e) { return node(e, e.root); }
const ExprNode& child(const Expression& e, const ExprNode& n, std::size_t i) { return node(e, n.args.at(i)); }

// A reference evaluator over the tree (arithmetic, comparisons, logic, min/max/pow), so
// that precedence is checked by value as well as by shape, independently of the engine.
double eval(const Expression& e, int index, const std::map<std::string, double>& names) {
  const ExprNode& n = node(e, index);
  auto arg = [&](std::size_t i) { return eval(e, n.args.at(i), names); };
  switch (n.kind) {
    case ExprNode::Kind::number:
      return n.number;
    case ExprNode::Kind::identifier:
      return names.at(n.name);
    case ExprNode::Kind::unary:
      return n.op == '-' ? -arg(0) : (arg(0) == 0.0 ? 1.0 : 0.0);
    case ExprNode::Kind::binary:
      switch (n.op) {
        case '+':
          return arg(0) + arg(1);
        case '-':
          return arg(0) - arg(1);
        case '*':
          return arg(0) * arg(1);
        case '/':
          return arg(0) / arg(1);
        case '^':
          return std::pow(arg(0), arg(1));
        case '<':
          return arg(0) < arg(1) ? 1.0 : 0.0;
        case '>':
          return arg(0) > arg(1) ? 1.0 : 0.0;
        case 'l':
          return arg(0) <= arg(1) ? 1.0 : 0.0;
        case 'g':
          return arg(0) >= arg(1) ? 1.0 : 0.0;
        case 'e':
          return arg(0) == arg(1) ? 1.0 : 0.0;
        case 'n':
          return arg(0) != arg(1) ? 1.0 : 0.0;
        case '&':
          return (arg(0) != 0.0 && arg(1) != 0.0) ? 1.0 : 0.0;
        case '|':
          return (arg(0) != 0.0 || arg(1) != 0.0) ? 1.0 : 0.0;
        default:
          break;
      }
      break;
    case ExprNode::Kind::call: {
      if (n.name == "pow") return std::pow(arg(0), arg(1));
      double acc = arg(0);
      for (std::size_t i = 1; i < n.args.size(); ++i)
        acc = n.name == "min" ? std::min(acc, arg(i)) : std::max(acc, arg(i));
      return acc;
    }
  }
  ADD_FAILURE() << "reference evaluator: unsupported node in '" << e.text << "'";
  return NAN;
}

double eval(std::string_view text, const std::map<std::string, double>& names = {}) {
  const Expression e = parse_expression(text);
  return eval(e, e.root, names);
}

// Parses `text`, expects an ExpressionSyntaxError at `column` with exactly `what`.
void expect_syntax_error(std::string_view text, std::size_t column, std::string_view what) {
  SCOPED_TRACE(std::string("expression '") + std::string(text) + "'");
  try {
    (void)parse_expression(text);
    ADD_FAILURE() << "no ExpressionSyntaxError thrown";
  } catch (const ExpressionSyntaxError& e) {
    EXPECT_EQ(e.column(), column);
    EXPECT_EQ(std::string(e.what()), what);
  }
}

TEST(ExpressionParse, UnaryMinusAppliesToThePower) {
  const Expression e = parse_expression("-x^2");
  const ExprNode& top = root(e);
  ASSERT_EQ(top.kind, ExprNode::Kind::unary);
  EXPECT_EQ(top.op, '-');
  const ExprNode& power = child(e, top, 0);
  ASSERT_EQ(power.kind, ExprNode::Kind::binary);
  EXPECT_EQ(power.op, '^');
  EXPECT_EQ(child(e, power, 0).name, "x");
  EXPECT_EQ(child(e, power, 1).number, 2.0);
  EXPECT_EQ(eval("-x^2", {{"x", 3.0}}), -9.0);  // (-x)^2 would be 9
}

TEST(ExpressionParse, PowerIsRightAssociative) {
  const Expression e = parse_expression("2^3^2");
  const ExprNode& top = root(e);
  ASSERT_EQ(top.kind, ExprNode::Kind::binary);
  EXPECT_EQ(top.op, '^');
  EXPECT_EQ(child(e, top, 0).number, 2.0);
  const ExprNode& exponent = child(e, top, 1);
  ASSERT_EQ(exponent.kind, ExprNode::Kind::binary);
  EXPECT_EQ(exponent.op, '^');
  EXPECT_EQ(child(e, exponent, 0).number, 3.0);
  EXPECT_EQ(child(e, exponent, 1).number, 2.0);
  EXPECT_EQ(eval("2^3^2"), 512.0);  // (2^3)^2 would be 64
  EXPECT_EQ(eval("2^-2"), 0.25);    // a signed exponent needs no parentheses
}

TEST(ExpressionParse, SubtractionAndDivisionAreLeftAssociative) {
  const Expression e = parse_expression("a - b - c");
  ASSERT_EQ(root(e).op, '-');
  EXPECT_EQ(child(e, root(e), 1).name, "c");
  EXPECT_EQ(child(e, root(e), 0).op, '-');
  EXPECT_EQ(eval("10 - 4 - 3"), 3.0);  // 10 - (4 - 3) would be 9
  EXPECT_EQ(eval("8 / 4 / 2"), 1.0);   // 8 / (4 / 2) would be 4
}

TEST(ExpressionParse, PrecedenceRisesFromOrToPower) {
  // || < && < comparisons < + - < * / < unary < ^: each operator's right operand is the
  // next-tighter one.
  const Expression e = parse_expression("a || b && c == d + e * f ^ g");
  const ExprNode* n = &root(e);
  for (char op : {'|', '&', 'e', '+', '*', '^'}) {
    ASSERT_EQ(n->kind, ExprNode::Kind::binary) << "expected operator " << op;
    EXPECT_EQ(n->op, op);
    n = &child(e, *n, 1);
  }
  EXPECT_EQ(n->name, "g");
  EXPECT_EQ(eval("1 + 2 * 3"), 7.0);
  EXPECT_EQ(eval("1 || 0 && 0"), 1.0);    // (1 || 0) && 0 would be 0
  EXPECT_EQ(eval("3 + 1 > 2 * 2"), 0.0);  // 3 + (1 > 2) * 2 would be 3
  EXPECT_EQ(eval("!3 + 1"), 1.0);         // !(3 + 1) would be 0
  EXPECT_EQ(eval("2 <= 2 == 1"), 1.0);    // comparisons chain left to right
  EXPECT_EQ(eval("(1 + 2) * 3"), 9.0);
}

TEST(ExpressionParse, ColumnsAreOneBasedTextPositions) {
  const Expression e = parse_expression("ab + cd*ef");
  EXPECT_EQ(root(e).column, 4u);                            // '+'
  EXPECT_EQ(child(e, root(e), 0).column, 1u);               // ab
  EXPECT_EQ(child(e, root(e), 1).column, 8u);               // '*'
  EXPECT_EQ(child(e, child(e, root(e), 1), 1).column, 9u);  // ef
}

TEST(ExpressionParse, NumbersAndDottedNames) {
  EXPECT_EQ(eval("1.5e3 + .5"), 1500.5);
  const Expression e = parse_expression("base.total_power_MW - total_power_MW");
  EXPECT_EQ(child(e, root(e), 0).kind, ExprNode::Kind::identifier);
  EXPECT_EQ(child(e, root(e), 0).name, "base.total_power_MW");
}

TEST(ExpressionParse, PlainIdentifierIsRecognised) {
  EXPECT_TRUE(is_plain_identifier(parse_expression("chp_straw_t_h")));
  EXPECT_TRUE(is_plain_identifier(parse_expression(" ( x ) ")));
  EXPECT_FALSE(is_plain_identifier(parse_expression("-x")));
  EXPECT_FALSE(is_plain_identifier(parse_expression("x + 0")));
  EXPECT_FALSE(is_plain_identifier(parse_expression("abs(x)")));
}

// The same precedence rules reach the engine: tests/data/networks/expressions has one
// output per rule (constant ones are folded at compile time, the others run on the tape).
// All expected values are exact in binary floating point, so the checks are exact.
TEST(CompiledExpression, PrecedenceSurvivesCompilationAndConstantFolding) {
  const BalancePlan plan = BalancePlan::compile(read_case(test::TEST_DATA + "/networks/expressions"));
  BalanceWorkspace workspace(plan, 1);
  evaluate(plan, workspace, 1);
  ASSERT_EQ(workspace.status(0, 0), RunStatus::ok);
  const std::map<std::string, double> expected = {
      {"neg_square", -9.0},       {"tower_constant", 512.0}, {"tower", 512.0},        {"power_of_negative", 0.25},
      {"left_sub", 0.0},          {"left_div", 0.75},        {"mul_before_add", 7.0}, {"and_before_or", 1.0},
      {"compare_after_sum", 0.0}, {"not_binds_tight", 1.0},  {"functions", 28.5},
  };
  ASSERT_EQ(plan.outputs().size(), expected.size());
  for (std::size_t o = 0; o < plan.outputs().size(); ++o) {
    const std::string& name = plan.outputs()[o].name;
    EXPECT_EQ(workspace.output(plan, 0, o, 0), expected.at(name)) << name;
  }
}

TEST(ReferencedNames, ExcludeFunctionNamesAndCurveAndProcessArguments) {
  const Expression e =
      parse_expression("pwl(eta_curve, load) * active(chp) + max(a, b) + if(active(ad), c, base.d) + sqrt(load)");
  EXPECT_EQ(referenced_names(e), (std::vector<std::string>{"load", "a", "b", "c", "base.d"}));
  EXPECT_EQ(referenced_curves(e), (std::vector<std::string>{"eta_curve"}));
  EXPECT_EQ(referenced_processes(e), (std::vector<std::string>{"chp", "ad"}));
}

TEST(ReferencedNames, ListEachNameOnceInOrderOfFirstAppearance) {
  EXPECT_EQ(referenced_names(parse_expression("z * y + z / x - y ^ 2")), (std::vector<std::string>{"z", "y", "x"}));
  // A curve that shares its name with a value: only the value use counts as a name.
  const Expression e = parse_expression("pwl(load, load)");
  EXPECT_EQ(referenced_names(e), (std::vector<std::string>{"load"}));
  EXPECT_EQ(referenced_curves(e), (std::vector<std::string>{"load"}));
  EXPECT_TRUE(referenced_names(parse_expression("2 * 3.5")).empty());
}

TEST(ExpressionSyntaxError, UnknownFunctionPointsAtItsNameAndSuggestsOne) {
  expect_syntax_error("sqr(x)", 1, "unknown function 'sqr' (did you mean 'sqrt'?)");
  expect_syntax_error("1 + mx(a, b)", 5, "unknown function 'mx' (did you mean 'max'?)");
  expect_syntax_error("foo(x)", 1, "unknown function 'foo'");  // nothing close enough to suggest
}

TEST(ExpressionSyntaxError, WrongArityNamesTheCountExpected) {
  expect_syntax_error("pow(2)", 1, "pow() takes 2 arguments, got 1");
  expect_syntax_error("x + min(1)", 5, "min() takes two or more arguments, got 1");
  expect_syntax_error("if(a, b)", 1, "if() takes 3 arguments, got 2");
  expect_syntax_error("abs()", 1, "abs() takes 1 arguments, got 0");
  expect_syntax_error("pwl(2, x)", 1, "the first argument of pwl() must be a curve name");
  expect_syntax_error("active(1)", 1, "the first argument of active() must be a process name");
}

TEST(ExpressionSyntaxError, TrailingTextPointsAtTheFirstExtraCharacter) {
  expect_syntax_error("a + b c", 7, "unexpected 'c' after a complete expression");
  expect_syntax_error("a = b", 3, "unexpected '=' after a complete expression");
  expect_syntax_error("3x", 2, "unexpected 'x' after the number '3'");
  expect_syntax_error("base. + 1", 1, "name 'base.' ends with '.'");
}

TEST(ExpressionSyntaxError, UnbalancedParenthesesPointAtWhereTheCloseWasExpected) {
  expect_syntax_error("(a + b", 7, "expected ')'");
  expect_syntax_error("((a)", 5, "expected ')'");
  expect_syntax_error("a + b)", 6, "unexpected ')' after a complete expression");
  expect_syntax_error("max(a, b", 9, "expected ',' or ')' in the arguments of max()");
}

TEST(ExpressionSyntaxError, MissingOperandsAreReported) {
  expect_syntax_error("", 1, "expected an expression, found nothing");
  expect_syntax_error("   ", 4, "expected an expression, found nothing");
  expect_syntax_error("a *", 4, "expected a number, a name or '(', found the end of the expression");
  expect_syntax_error("a * # b", 5, "expected a number, a name or '(', found '#'");
}

TEST(ExpressionSyntaxError, DepthCountsOneLevelPerParenthesisPair) {
  // Each pair of parentheses used to count twice, so 200 pairs were "more than 400 levels".
  const std::string nested_200 = std::string(200, '(') + "x" + std::string(200, ')');
  EXPECT_EQ(parse_expression(nested_200).nodes.size(), 1U);
  const std::string nested_399 = std::string(399, '(') + "x" + std::string(399, ')');
  EXPECT_EQ(parse_expression(nested_399).nodes.size(), 1U);
  // Inside the 400th pair is level 401: the error points just after that pair's opening.
  const std::string nested_400 = std::string(400, '(') + "x" + std::string(400, ')');
  expect_syntax_error(nested_400, 401, "expression nested more than 400 levels deep (split it into variables)");
}

TEST(ExpressionSyntaxError, LongChainPointsAtTheOperatorWhereItBecomesTooDeep) {
  // A flat sum nests one level per '+': 400 terms are fine, 401 are one too many, and the error
  // points at the 400th '+' (it pointed at character 3, the first one).
  auto sum_of = [](int terms) {
    std::string sum = "a";
    for (int i = 1; i < terms; ++i) sum += "+a";
    return sum;
  };
  EXPECT_EQ(parse_expression(sum_of(400)).nodes.size(), 799U);
  const std::string too_long = sum_of(401);
  expect_syntax_error(too_long, too_long.size() - 1,
                      "expression nested more than 400 levels deep here (each operator of a chain such as a + b + c "
                      "nests one level; split it into variables)");
}

TEST(ExpressionExcerpt, ShortTextWholeLongTextAroundTheColumn) {
  EXPECT_EQ(expression_excerpt("a + * b", 5), "a + * b");
  const std::string long_text = std::string(1000, 'a') + "*" + std::string(1000, 'b');
  const std::string excerpt = expression_excerpt(long_text, 1001);
  EXPECT_EQ(excerpt, "..." + std::string(60, 'a') + "*" + std::string(59, 'b') + "...");
  EXPECT_EQ(expression_excerpt(long_text, 1), std::string(60, 'a') + "...");
}

}  // namespace
}  // namespace symbiomc
