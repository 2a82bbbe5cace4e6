#pragma once
// Pass 6 of compiling a balance: the nominal case must balance. Sampled runs that fail are
// data (a RunStatus per run), but a case whose nominal values already give a negative or
// non-finite flow, a non-finite variable or output, or a recycle loop without a solution is
// wrong as written: compiling it is an input error that names the rows to fix, found by
// running the finished tape once at nominal values.

#include "symbiomc/balance/balance.hpp"

namespace symbiomc::detail {

/// Evaluates `plan` at nominal values; throws InputError(s) naming each failing flow, variable,
/// output or recycle loop and its mode. A mode that fails only because the baseline does is
/// not reported again.
void validate_nominal(const BalancePlan& plan);

}  // namespace symbiomc::detail
