#pragma once
// Which solver a recycle loop gets. A loop x = f(x) whose f is affine in the loop's members
// (x = b + A x) is solved exactly, per lane, as the linear system (I - A) x = b; the tape
// runner reads b and A off k + 1 runs of the loop's sub-tape. Any other loop (a division by a
// member, a pwl of a member, ...) is iterated to a fixed point. The test is syntactic and
// conservative: an expression that happens to be affine but is not written so is iterated.

#include <set>
#include <string>

#include "symbiomc/case/expression.hpp"

namespace symbiomc::detail {

/// True when `expression` is affine in the quantities `loop_members`: sums and differences
/// of affine terms, negations, products with at most one factor that depends on a member,
/// and divisions of an affine term by a denominator that does not.
[[nodiscard]] bool is_affine_in(const Expression& expression, const std::set<std::string>& loop_members);

}  // namespace symbiomc::detail
