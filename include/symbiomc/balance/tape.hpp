#pragma once
// The compiled form of a balance: flat instruction tapes over numbered slots (one slot holds a
// quantity for every lane of a workspace), recycle loops with their sub-tapes, and curves.
// BalancePlan holds them; the compiler passes under src/balance/ write them and the tape
// runner executes them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "symbiomc/balance/operations.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

/// dst = op(a, b, c) over all lanes; slots are indices into the workspace's slot array.
struct Instruction {
  Op op;
  std::uint32_t dst = 0, a = 0, b = 0, c = 0;
};

/// A set of flows/variables that depend on each other (a recycle loop). Affine loops are
/// solved as a linear system (Eigen LU); others by fixed-point iteration.
struct LoopBlock {
  std::vector<std::uint32_t> members;        ///< slots of the loop's quantities
  std::vector<std::uint32_t> next;           ///< slots the sub-tape writes f(members) into
  std::size_t code_begin = 0, code_end = 0;  ///< range in BalancePlan's loop code
  bool affine = false;
  std::string description;  ///< member names, for messages
  SourceLocation where;     ///< row of the first member, for messages
  std::string column;       ///< its expression column
};

struct PlanCurve {
  std::string id;
  std::vector<std::uint32_t> x, y;  ///< slots of the points (parameters or constants)
  /// Some x point is a parameter: evaluate() checks per run that the x points still increase
  /// (the compiler has checked the nominal values, and constants do not change).
  bool x_sampled = false;
};

}  // namespace symbiomc
