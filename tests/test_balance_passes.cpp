#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <set>
#include <string_view>
#include <vector>

#include "symbiomc/balance/operations.hpp"
#include "symbiomc/balance/strongly_connected_components.hpp"
#include "symbiomc/case/expression.hpp"

// Building blocks of the balance compiler tested on their own: the strongly connected
// components routine that orders a mode's quantities, and the operation table that the
// emitter, the constant folder and the tape runner all read.

namespace symbiomc {
namespace {

using Components = std::vector<std::vector<std::size_t>>;

/// Position of each vertex's component in `components`.
std::vector<std::size_t> component_of(const Components& components, std::size_t vertices) {
  std::vector<std::size_t> out(vertices, components.size());
  for (std::size_t c = 0; c < components.size(); ++c)
    for (std::size_t v : components[c]) out[v] = c;
  return out;
}

// Edges point at what a vertex depends on: 0 -> 1 -> 2 -> 0 is one cycle, 3 <-> 4 another,
// 5 depends on itself, 6 on nothing, and 7 (a later root) on the first cycle.
//
//   7 -> 0 -> 1 -> 2 -> 0      2 -> 3 <-> 4 -> 5 -> 5      5 -> 6
TEST(StronglyConnectedComponents, TwoCyclesAndASelfLoopComeDependenciesFirst) {
  const std::vector<std::vector<std::size_t>> successors = {
      {1}, {2}, {0, 3}, {4}, {3, 5}, {5, 6}, {}, {0},
  };
  const Components components = strongly_connected_components(successors);
  // Depth-first from 0: 6 finishes first, then 5 (alone: a self-loop makes no bigger
  // component), then the 3-4 cycle, then the 0-1-2 cycle; 7 is the next root. Vertices of a
  // component are listed in the order the search reached them.
  const Components expected = {{6}, {5}, {3, 4}, {0, 1, 2}, {7}};
  EXPECT_EQ(components, expected);

  // Topological order: every edge leads to the same or an earlier component.
  const std::vector<std::size_t> where = component_of(components, successors.size());
  for (std::size_t v = 0; v < successors.size(); ++v) {
    ASSERT_LT(where[v], components.size()) << "vertex " << v << " is in no component";
    for (std::size_t w : successors[v]) EXPECT_LE(where[w], where[v]) << "edge " << v << " -> " << w;
  }
}

TEST(StronglyConnectedComponents, EmptyGraphAndIsolatedVerticesInOrder) {
  EXPECT_TRUE(strongly_connected_components(std::vector<std::vector<std::size_t>>{}).empty());
  const Components expected = {{0}, {1}, {2}};
  EXPECT_EQ(strongly_connected_components(std::vector<std::vector<std::size_t>>(3)), expected);
}

TEST(StronglyConnectedComponents, LongChainAndLongCycleDoNotRecurse) {
  // 200000 deep would overflow a recursive search's stack.
  constexpr std::size_t N = 200000;
  std::vector<std::vector<std::size_t>> chain(N);
  for (std::size_t v = 0; v + 1 < N; ++v) chain[v] = {v + 1};
  const Components components = strongly_connected_components(chain);
  ASSERT_EQ(components.size(), N);
  EXPECT_EQ(components.front(), std::vector<std::size_t>{N - 1});
  EXPECT_EQ(components.back(), std::vector<std::size_t>{0});

  chain.back() = {0};  // close the chain into one cycle
  const Components cycle = strongly_connected_components(chain);
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_EQ(cycle[0].size(), N);
  EXPECT_EQ(cycle[0].front(), 0u);
  EXPECT_EQ(cycle[0].back(), N - 1);
}

TEST(OperationTable, EverySyntaxOfTheParserHasItsOperation) {
  for (const char symbol : std::string_view("+-*/^<>lgen&|")) {
    const OperationInfo* info = binary_operation(symbol);
    ASSERT_NE(info, nullptr) << "binary '" << symbol << "'";
    EXPECT_EQ(info->operands, 2);
  }
  EXPECT_EQ(unary_operation('-')->op, Op::neg);
  EXPECT_EQ(unary_operation('!')->op, Op::logical_not);
  EXPECT_EQ(binary_operation('-')->op, Op::sub);
  EXPECT_EQ(binary_operation('l')->op, Op::le);
  // Every function but active() (a per-mode constant) compiles to one operation, with as many
  // operands as the parser lets it have (min and max take two or more and fold left).
  for (const FunctionInfo& function : expression_functions()) {
    if (function.name == "active") continue;
    const OperationInfo* info = function_operation(function.name);
    ASSERT_NE(info, nullptr) << function.name;
    if (function.name == "pwl") continue;  // pwl(curve, x) reads x only
    if (function.arity < 0)
      EXPECT_TRUE(info->folds_left) << function.name;
    else
      EXPECT_EQ(info->operands, function.arity) << function.name;
  }
  EXPECT_EQ(function_operation("if")->op, Op::select);
  EXPECT_EQ(function_operation("nope"), nullptr);
}

TEST(OperationTable, NamesAreDistinctAndKernelsComputeTheirOperation) {
  std::set<std::string_view> names;
  for (const OperationInfo& info : operation_table) EXPECT_TRUE(names.insert(info.name).second) << info.name;
  auto value = [](Op op, double a, double b = 0.0, double c = 0.0) { return operation_info(op).kernel(a, b, c); };
  EXPECT_EQ(value(Op::sub, 5, 3), 2.0);
  EXPECT_EQ(value(Op::div, 1, 4), 0.25);
  EXPECT_EQ(value(Op::pow, 2, 10), 1024.0);
  EXPECT_EQ(value(Op::min, 2, -1), -1.0);
  EXPECT_EQ(value(Op::le, 2, 2), 1.0);
  EXPECT_EQ(value(Op::ne, 2, 2), 0.0);
  EXPECT_EQ(value(Op::logical_and, 2, 0), 0.0);
  EXPECT_EQ(value(Op::logical_or, 0, -3), 1.0);
  EXPECT_EQ(value(Op::logical_not, 0), 1.0);
  EXPECT_EQ(value(Op::select, 0, 7, 9), 9.0);
  EXPECT_EQ(value(Op::clamp, 5, 0, 1), 1.0);
  EXPECT_EQ(value(Op::clamp, -5, 0, 1), 0.0);
  EXPECT_TRUE(std::isnan(value(Op::log, -1)));
  EXPECT_EQ(operation_info(Op::pwl).kernel, nullptr);
  // Exactly the operations the runner evaluates itself lack a kernel (checked here, at run
  // time: the static_assert cannot compare function pointers under -fsanitize=undefined).
  for (const OperationInfo& info : operation_table) EXPECT_EQ(info.kernel == nullptr, info.run_by_runner) << info.name;
  EXPECT_EQ(operation_info(Op::loop).operands, 0);
}

}  // namespace
}  // namespace symbiomc
