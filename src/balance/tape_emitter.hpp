#pragma once
// Code generation: turns one expression into tape instructions. Operands are emitted depth
// first, left to right, and each node becomes one instruction of operation_table, so the tape
// performs the expression's double operations in the order written (bit-identical to
// evaluating the tree). Two savings on the way:
//  - constant folding: an operation whose operands are all constants is computed now, with
//    the same kernel the runner would use, and becomes a constant slot;
//  - temporaries: an intermediate result lives in a temporary slot that is reused as soon as
//    it has been read, and the last instruction writes straight into the quantity's slot.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "balance/name_scope.hpp"
#include "balance/slot_allocator.hpp"
#include "symbiomc/balance/tape.hpp"
#include "symbiomc/case/expression.hpp"

namespace symbiomc::detail {

/// Appends the instructions of expressions of one mode to one tape (a mode's tape, or a
/// recycle loop's sub-tape).
class TapeEmitter {
 public:
  /// `curve_index` maps a curve id to its index in the plan's curves; `fold_constants` as in
  /// PlanOptions.
  TapeEmitter(ModeScope& scope, SlotAllocator& slots, const std::map<std::string, std::size_t>& curve_index,
              std::vector<Instruction>& code, bool fold_constants = true)
      : scope_(scope), slots_(slots), curve_index_(curve_index), code_(code), fold_constants_(fold_constants) {}

  /// Emits what computing the expression of `owner` takes and returns the slot holding its
  /// value; nothing is emitted for a constant, a parameter or another quantity's slot.
  std::uint32_t emit_value(const Entity& owner);
  /// Emits code that leaves the value of the expression of `owner` in `target`.
  void emit_into(const Entity& owner, std::uint32_t target);

 private:
  ModeScope& scope_;
  SlotAllocator& slots_;
  const std::map<std::string, std::size_t>& curve_index_;
  std::vector<Instruction>& code_;
  bool fold_constants_;

  /// Emits code computing node `node_index` of `e` and returns its slot; `temp_out` tells the
  /// caller whether that slot is a temporary to release once read.
  std::uint32_t emit(const Expression& e, int node_index, const Entity& owner, bool& temp_out);
  std::uint32_t emit_call(const Expression& e, const ExprNode& n, const Entity& owner, bool& temp_out);
  /// Emits dst = op(args) into a temporary, or folds it into a constant (whatever its value,
  /// NaN included: the constant then fails every run, as the unfolded instruction would).
  std::uint32_t op_result(Op op, std::vector<std::uint32_t> args, std::vector<bool> temps, bool& temp_out);
};

}  // namespace symbiomc::detail
