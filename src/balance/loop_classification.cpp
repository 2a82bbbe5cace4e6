#include "balance/loop_classification.hpp"

#include <cstddef>

namespace symbiomc::detail {

namespace {

bool depends_on(const Expression& e, int node, const std::set<std::string>& names) {
  const ExprNode& n = e.nodes[static_cast<std::size_t>(node)];
  if (n.kind == ExprNode::Kind::identifier) return names.count(n.name) > 0;
  // The first argument of pwl() and active() names a curve or a process, not a value.
  const std::size_t first = (n.kind == ExprNode::Kind::call && (n.name == "pwl" || n.name == "active")) ? 1 : 0;
  for (std::size_t i = first; i < n.args.size(); ++i)
    if (depends_on(e, n.args[i], names)) return true;
  return false;
}

bool affine(const Expression& e, int node, const std::set<std::string>& names) {
  if (!depends_on(e, node, names)) return true;
  const ExprNode& n = e.nodes[static_cast<std::size_t>(node)];
  switch (n.kind) {
    case ExprNode::Kind::identifier:
      return true;
    case ExprNode::Kind::unary:
      return n.op == '-' && affine(e, n.args[0], names);
    case ExprNode::Kind::binary: {
      const int a = n.args[0], b = n.args[1];
      if (n.op == '+' || n.op == '-') return affine(e, a, names) && affine(e, b, names);
      if (n.op == '*')
        return (!depends_on(e, a, names) && affine(e, b, names)) || (!depends_on(e, b, names) && affine(e, a, names));
      if (n.op == '/') return !depends_on(e, b, names) && affine(e, a, names);
      return false;
    }
    default:
      return false;
  }
}

}  // namespace

bool is_affine_in(const Expression& expression, const std::set<std::string>& loop_members) {
  return affine(expression, expression.root, loop_members);
}

}  // namespace symbiomc::detail
