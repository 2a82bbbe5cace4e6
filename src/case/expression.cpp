#include "symbiomc/case/expression.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "symbiomc/base/error.hpp"

// Hand-written recursive-descent parser. We considered muParser (Debian libmuparser-dev): it
// evaluates one expression at a time through its own byte code bound to variable addresses,
// and exposes no syntax tree. The balance engine needs the tree to (1) find the dependencies
// between flows for ordering and recycle-loop detection, (2) decide whether a loop is affine
// (linear solve) or needs fixed-point iteration, and (3) fuse every expression of a mode into
// one flat tape that evaluates a block of runs without a call per expression. The grammar is
// small (arithmetic, comparisons, a few functions), so a parser is ~200 lines.

namespace symbiomc {

const std::vector<FunctionInfo>& expression_functions() {
  static const std::vector<FunctionInfo> functions = {
      {"pwl", 2}, {"active", 1}, {"if", 3},  {"min", -1}, {"max", -1}, {"clamp", 3},
      {"abs", 1}, {"sqrt", 1},   {"exp", 1}, {"log", 1},  {"pow", 2},
  };
  return functions;
}

namespace {

/// Deeper nesting is refused: the parser and the compiler recurse once per level, and no
/// real expression comes near this (split a long formula into variables instead). A level is
/// one pair of parentheses, one function call, one unary operator or one operand of a binary
/// operator, so that "((x))" is 3 levels deep and "a + b + c" 3 as well.
constexpr int MAX_DEPTH = 400;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) { expression_.text = std::string(text); }

  Expression parse() {
    skip_space();
    if (at_end()) fail("expected an expression, found nothing");
    expression_.root = parse_or();
    skip_space();
    if (!at_end()) fail(message("unexpected '", text_[pos_], "' after a complete expression"));
    return std::move(expression_);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  Expression expression_;

  [[noreturn]] void fail(const std::string& what) const { throw ExpressionSyntaxError(pos_ + 1, what); }
  [[nodiscard]] bool at_end() const noexcept { return pos_ >= text_.size(); }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) == token) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  int add(ExprNode node) {
    expression_.nodes.push_back(std::move(node));
    return static_cast<int>(expression_.nodes.size() - 1);
  }
  int binary(char op, int lhs, int rhs, std::size_t column) {
    ExprNode node;
    node.kind = ExprNode::Kind::binary;
    node.op = op;
    node.args = {lhs, rhs};
    node.column = column;
    return add(std::move(node));
  }

  int parse_or() {
    int lhs = parse_and();
    for (;;) {
      const std::size_t column = pos_ + 1;
      if (accept("||")) {
        lhs = binary('|', lhs, parse_and(), column);
      } else {
        return lhs;
      }
    }
  }
  int parse_and() {
    int lhs = parse_comparison();
    for (;;) {
      const std::size_t column = pos_ + 1;
      if (accept("&&")) {
        lhs = binary('&', lhs, parse_comparison(), column);
      } else {
        return lhs;
      }
    }
  }
  int parse_comparison() {
    int lhs = parse_sum();
    for (;;) {
      skip_space();
      const std::size_t column = pos_ + 1;
      char op = 0;
      if (accept("<="))
        op = 'l';
      else if (accept(">="))
        op = 'g';
      else if (accept("=="))
        op = 'e';
      else if (accept("!="))
        op = 'n';
      else if (accept("<"))
        op = '<';
      else if (accept(">"))
        op = '>';
      if (!op) return lhs;
      lhs = binary(op, lhs, parse_sum(), column);
    }
  }
  int parse_sum() {
    int lhs = parse_product();
    for (;;) {
      skip_space();
      const std::size_t column = pos_ + 1;
      if (accept("+"))
        lhs = binary('+', lhs, parse_product(), column);
      else if (accept("-"))
        lhs = binary('-', lhs, parse_product(), column);
      else
        return lhs;
    }
  }
  int parse_product() {
    int lhs = parse_unary();
    for (;;) {
      skip_space();
      const std::size_t column = pos_ + 1;
      if (accept("*"))
        lhs = binary('*', lhs, parse_unary(), column);
      else if (accept("/"))
        lhs = binary('/', lhs, parse_unary(), column);
      else
        return lhs;
    }
  }
  /// Counts nesting levels: every path that nests (parentheses, call arguments, unary
  /// operators, the exponent of '^') enters parse_unary once per level.
  struct DepthGuard {
    Parser& parser;
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > MAX_DEPTH)
        parser.fail(message("expression nested more than ", MAX_DEPTH, " levels deep (split it into variables)"));
    }
    ~DepthGuard() { --parser.depth_; }
  };
  int depth_ = 0;

  int parse_unary() {
    DepthGuard guard(*this);
    skip_space();
    const std::size_t column = pos_ + 1;
    char op = 0;
    if (accept("-"))
      op = '-';
    else if (accept("+"))
      return parse_unary();
    else if (!at_end() && text_[pos_] == '!' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '=')) {
      ++pos_;
      op = '!';
    }
    if (!op) return parse_power();
    ExprNode node;
    node.kind = ExprNode::Kind::unary;
    node.op = op;
    node.args = {parse_unary()};
    node.column = column;
    return add(std::move(node));
  }
  int parse_power() {
    const int base = parse_primary();
    skip_space();
    const std::size_t column = pos_ + 1;
    if (accept("^")) return binary('^', base, parse_unary(), column);  // right-associative; -x^2 = -(x^2)
    return base;
  }
  static bool identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

  int parse_primary() {
    skip_space();
    if (at_end()) fail("expected a number, a name or '(', found the end of the expression");
    const std::size_t start = pos_;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      const int inner = parse_or();
      if (!accept(")")) fail("expected ')'");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (!identifier_start(c)) fail(message("expected a number, a name or '(', found '", c, "'"));
    while (!at_end() && identifier_char(text_[pos_])) ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    if (name.back() == '.') {
      pos_ = start;
      fail(message("name '", name, "' ends with '.'"));
    }
    skip_space();
    ExprNode node;
    node.column = start + 1;
    node.name = name;
    if (!at_end() && text_[pos_] == '(') {
      ++pos_;
      const auto& functions = expression_functions();
      const auto it =
          std::find_if(functions.begin(), functions.end(), [&](const FunctionInfo& f) { return f.name == name; });
      if (it == functions.end()) {
        std::vector<std::string> names;
        for (const auto& f : functions) names.emplace_back(f.name);
        pos_ = start;
        fail(message("unknown function '", name, "'", did_you_mean(name, names)));
      }
      node.kind = ExprNode::Kind::call;
      skip_space();
      if (!accept(")")) {
        do {
          node.args.push_back(parse_or());
        } while (accept(","));
        if (!accept(")")) fail(message("expected ',' or ')' in the arguments of ", name, "()"));
      }
      const int count = static_cast<int>(node.args.size());
      if ((it->arity >= 0 && count != it->arity) || (it->arity < 0 && count < 2)) {
        pos_ = start;
        fail(message(name, "() takes ", it->arity >= 0 ? std::to_string(it->arity) : std::string("two or more"),
                     " arguments, got ", count));
      }
      if (name == "pwl" || name == "active") {
        const ExprNode& first = expression_.nodes[static_cast<std::size_t>(node.args[0])];
        if (first.kind != ExprNode::Kind::identifier) {
          pos_ = start;
          fail(message("the first argument of ", name, "() must be a ", name == "pwl" ? "curve" : "process", " name"));
        }
      }
      return add(std::move(node));
    }
    node.kind = ExprNode::Kind::identifier;
    return add(std::move(node));
  }

  int parse_number() {
    const std::size_t start = pos_;
    double value = 0.0;
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    const auto result = std::from_chars(first, last, value);
    if (result.ec != std::errc() || result.ptr == first) fail("malformed number");
    pos_ += static_cast<std::size_t>(result.ptr - first);
    if (!at_end() && identifier_start(text_[pos_])) {
      fail(message("unexpected '", text_[pos_], "' after the number '", text_.substr(start, pos_ - start), "'"));
    }
    ExprNode node;
    node.kind = ExprNode::Kind::number;
    node.number = value;
    node.column = start + 1;
    return add(std::move(node));
  }
};

void collect(const Expression& e, int index, bool values, std::string_view function, std::vector<std::string>& out) {
  const ExprNode& node = e.nodes[static_cast<std::size_t>(index)];
  auto push = [&](const std::string& name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  if (node.kind == ExprNode::Kind::identifier) {
    if (values) push(node.name);
    return;
  }
  std::size_t first_child = 0;
  if (node.kind == ExprNode::Kind::call && (node.name == "pwl" || node.name == "active")) {
    if (!values && node.name == function) push(e.nodes[static_cast<std::size_t>(node.args[0])].name);
    first_child = 1;
  }
  for (std::size_t i = first_child; i < node.args.size(); ++i) collect(e, node.args[i], values, function, out);
}

}  // namespace

Expression parse_expression(std::string_view text) {
  Expression e = Parser(text).parse();
  // Loops in the parser build left-deep trees for a + b + c + ...; the compiler walks trees
  // recursively, so the tree's depth is bounded too. Children are added before their parent,
  // so one pass in node order gives every node's height (levels below and including it); the
  // first node too high is the operator, read from the left, where the chain becomes too long.
  std::vector<int> height(e.nodes.size(), 1);
  for (std::size_t i = 0; i < e.nodes.size(); ++i) {
    for (const int child : e.nodes[i].args)
      height[i] = std::max(height[i], height[static_cast<std::size_t>(child)] + 1);
    if (height[i] > MAX_DEPTH)
      throw ExpressionSyntaxError(e.nodes[i].column,
                                  message("expression nested more than ", MAX_DEPTH,
                                          " levels deep here (each operator of a chain such as a + b + c nests one "
                                          "level; split it into variables)"));
  }
  return e;
}

std::string expression_excerpt(std::string_view text, std::size_t column) {
  constexpr std::size_t WHOLE_UP_TO = 160;  // characters shown whole: any hand-written formula
  constexpr std::size_t AROUND = 60;        // characters kept on each side of the column otherwise
  if (text.size() <= WHOLE_UP_TO) return std::string(text);
  const std::size_t at = std::min(column > 0 ? column - 1 : 0, text.size());
  const std::size_t first = at > AROUND ? at - AROUND : 0;
  const std::size_t last = std::min(text.size(), at + AROUND);
  return message(first > 0 ? "..." : "", text.substr(first, last - first), last < text.size() ? "..." : "");
}

std::vector<std::string> referenced_names(const Expression& expression) {
  std::vector<std::string> out;
  if (expression.root >= 0) collect(expression, expression.root, true, "", out);
  return out;
}

std::vector<std::string> referenced_curves(const Expression& expression) {
  std::vector<std::string> out;
  if (expression.root >= 0) collect(expression, expression.root, false, "pwl", out);
  return out;
}

std::vector<std::string> referenced_processes(const Expression& expression) {
  std::vector<std::string> out;
  if (expression.root >= 0) collect(expression, expression.root, false, "active", out);
  return out;
}

bool is_plain_identifier(const Expression& expression) noexcept {
  return expression.root >= 0 &&
         expression.nodes[static_cast<std::size_t>(expression.root)].kind == ExprNode::Kind::identifier;
}

}  // namespace symbiomc
