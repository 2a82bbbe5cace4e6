// Fuzz target: one expression (the whole input) parsed, compiled into a balance plan as the
// only output of a small case (tests/data/networks/expressions: parameters x = 3, y = 2,
// variable x_squared, flow f), and evaluated at a few values of x and y. The same expression is
// compiled a second time with every number literal turned into a parameter of the same nominal
// value: the compiler folds operations on constants only, so this second plan computes
// everything on the tape.
//
// The output goes into the Network directly rather than through a case file: read_case() costs
// tens of milliseconds per case under ASan (the case_reader target covers it), which would
// leave the fuzzer a few inputs per second. read_case() also checks every name an expression
// refers to, and the compiler relies on that; an expression that refers to anything but the
// case's names is therefore skipped here, as read_case() would refuse it.
//
// With SYMBIOMC_FUZZ_DIFFERENTIAL defined (the default; cmake -DSYMBIOMC_FUZZ_DIFFERENTIAL=OFF
// turns it off), the two plans must agree: both compile or both are refused, and every lane has
// the same status and the same output bits (any NaN matching any NaN). A disagreement aborts,
// so libFuzzer keeps the input. Without it the target only looks for crashes and sanitizer
// reports.
//
// Bad input must end as ExpressionSyntaxError or InputError; anything else that escapes, and
// every sanitizer report, is a crash.

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "named_files.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/expression.hpp"

namespace {

using namespace symbiomc;

/// (x, y) per lane: the nominal values, zeros, signs, a subnormal and values near overflow.
constexpr std::array<std::pair<double, double>, 6> LANES = {
    {{3.0, 2.0}, {0.0, -0.0}, {-1.0, 0.5}, {1e300, -1e300}, {4.9e-324, 7.0}, {-2.5, -8.0}}};

/// What read_case() would accept as names in an output of this case.
bool refers_only_to_case_names(const Expression& expression) {
  for (const std::string& name : referenced_names(expression))
    if (name != "x" && name != "y" && name != "x_squared" && name != "f" && name != "base.x" && name != "base.y" &&
        name != "base.x_squared" && name != "base.f")
      return false;
  for (const std::string& process : referenced_processes(expression))
    if (process != "source_side" && process != "sink_side") return false;
  return referenced_curves(expression).empty();  // the case has no curves
}

/// Names of the parameters that replace number literals (no name of an accepted expression
/// starts so, see refers_only_to_case_names).
constexpr std::string_view CONSTANT_PREFIX = "fuzz_constant_";

/// The case with `expression` as its only output; `numbers_as_parameters` turns every number
/// literal into a parameter of that nominal value, which the compiler cannot fold.
Network with_output(const Network& base, Expression expression, bool numbers_as_parameters) {
  Network network = base;
  if (numbers_as_parameters) {
    for (ExprNode& node : expression.nodes) {
      if (node.kind != ExprNode::Kind::number) continue;
      Parameter constant;
      constant.name = std::string(CONSTANT_PREFIX) + std::to_string(network.parameters.size());
      constant.value = node.number;
      constant.unit = "1";
      network.parameters.push_back(constant);
      node.kind = ExprNode::Kind::identifier;
      node.name = constant.name;
    }
  }
  Output output;
  output.name = "fuzz";
  output.unit = "1";
  output.expression = std::move(expression);
  network.outputs = {std::move(output)};
  return network;
}

struct Outcome {
  bool compiled = false;
  std::string refusal;
  std::array<RunStatus, LANES.size()> status{};
  std::array<double, LANES.size()> value{};
};

Outcome run(const Network& network) {
  Outcome outcome;
  std::optional<BalancePlan> plan;
  try {
    plan = BalancePlan::compile(network);
  } catch (const InputError& e) {
    outcome.refusal = e.what();
    return outcome;
  }
  outcome.compiled = true;
  const std::size_t x = plan->parameter_index("x"), y = plan->parameter_index("y");
  BalanceWorkspace workspace(*plan, LANES.size());
  for (std::size_t lane = 0; lane < LANES.size(); ++lane) {
    workspace.set_parameter(x, lane, LANES[lane].first);
    workspace.set_parameter(y, lane, LANES[lane].second);
  }
  evaluate(*plan, workspace, LANES.size());
  for (std::size_t lane = 0; lane < LANES.size(); ++lane) {
    outcome.status[lane] = workspace.status(0, lane);
    outcome.value[lane] = workspace.output(*plan, 0, 0, lane);
  }
  return outcome;
}

[[maybe_unused]] bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

[[maybe_unused]] void require_same(std::string_view text, const Outcome& folded, const Outcome& unfolded) {
  auto differ = [&](const std::string& what) {
    std::fprintf(stderr, "folded and unfolded plans of '%.*s' differ: %s\n", static_cast<int>(text.size()), text.data(),
                 what.c_str());
    std::abort();
  };
  if (folded.compiled != unfolded.compiled)
    differ(folded.compiled ? "only the unfolded plan was refused: " + unfolded.refusal
                           : "only the folded plan was refused: " + folded.refusal);
  if (!folded.compiled) return;
  for (std::size_t lane = 0; lane < LANES.size(); ++lane) {
    const std::string where =
        "x = " + std::to_string(LANES[lane].first) + ", y = " + std::to_string(LANES[lane].second);
    if (folded.status[lane] != unfolded.status[lane])
      differ(where + ": status " + std::string(to_string(folded.status[lane])) + " folded, " +
             std::string(to_string(unfolded.status[lane])) + " unfolded");
    if (folded.status[lane] == RunStatus::ok && !same_bits(folded.value[lane], unfolded.value[lane]))
      differ(where + ": " + std::to_string(folded.value[lane]) + " folded, " + std::to_string(unfolded.value[lane]) +
             " unfolded");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Network base = read_case(SYMBIOMC_SOURCE_DIR "/tests/data/networks/expressions");
  const std::string_view text = fuzz::as_text(data, size);
  Expression expression;
  try {
    expression = parse_expression(text);
  } catch (const ExpressionSyntaxError&) {
    return 0;
  }
  if (!refers_only_to_case_names(expression)) return 0;
  const Outcome folded = run(with_output(base, expression, false));
  const Outcome unfolded = run(with_output(base, expression, true));
#ifdef SYMBIOMC_FUZZ_DIFFERENTIAL
  require_same(text, folded, unfolded);
#endif
  return 0;
}
