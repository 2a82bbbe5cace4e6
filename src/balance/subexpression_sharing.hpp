#pragma once
// Pass 5 of compiling a balance: common-subexpression elimination across modes. The synergy
// modes of a park mostly compute what the baseline and each other compute (the same plant
// models on the same parameters), so one mode in isolation is cheap to compile but the modes
// together repeat much work. Value numbering finds the instructions that compute the same bits
// (same operation on the same values in the same order), and only one of each runs:
//  - a value first computed by the baseline is reused from there (the baseline always runs);
//  - a value that two or more synergy modes compute moves to the shared range of the tape,
//    which runs after the baseline and before any synergy mode (so evaluating one mode alone
//    stays correct);
//  - a value one mode computes twice is computed once, by its first instruction.
// Results stay bit-identical: no instruction changes its operation or operands' values.

#include <cstdint>
#include <set>

#include "symbiomc/balance/balance.hpp"

namespace symbiomc::detail {

/// Rewrites plan.code (and the loops' sub-tapes, PlanMode's slots, slot_count, shared range)
/// to compute each shared value once. `temporaries` are the slots later instructions may
/// overwrite (SlotAllocator::temporaries). Leaves the plan unchanged when its tape is not laid
/// out as the compiler lays it out, or when a redirected read would not be available where it
/// happens.
void share_subexpressions(PlanData& plan, const std::set<std::uint32_t>& temporaries);

}  // namespace symbiomc::detail
