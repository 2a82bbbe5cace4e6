#pragma once
// Passes 2 to 4 of compiling a balance, mode by mode, baseline first (other modes read its
// values through "base.<name>"): collect the mode's named quantities (flows, variables,
// outputs, energy and mass factors), order them by what they read (strongly connected
// components: a quantity comes after its dependencies; quantities that read each other form a
// recycle loop), classify each loop (affine or fixed point), and emit the tape. The result is
// one tape per mode plus the loops' sub-tapes and the curves; sharing subexpressions and
// checking the nominal balance come after (balance.cpp runs the passes in order).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "balance/name_scope.hpp"
#include "balance/slot_allocator.hpp"
#include "balance/tape_emitter.hpp"
#include "symbiomc/balance/balance.hpp"

namespace symbiomc::detail {

/// The most quantities a linear (affine) recycle loop may have. Each run solves such a loop as
/// a dense linear system: reading off the matrix takes size + 1 passes of its sub-tape, the LU
/// size^3 / 3 multiplications, and every workspace (size + 1) * size doubles per lane (34 MB for
/// 256 at the 64 lanes CaseModel uses). Past this size a case is refused when compiled, rather
/// than taking minutes per block or running out of memory; park recycle loops have a handful.
inline constexpr std::size_t MAX_LINEAR_LOOP_QUANTITIES = 256;

class PlanCompiler {
 public:
  /// `plan.parameters` must hold the nominal values already (apply_options). `fold_constants`
  /// as in PlanOptions.
  PlanCompiler(const Network& network, PlanData& plan, bool fold_constants = true);

  /// Fills in the plan's outputs, curves, modes, tapes, loops, constants and slot count;
  /// throws InputError(s) for names without a definition in a mode and for bad curves.
  void compile();
  /// The slots handed out, for the passes after this one.
  [[nodiscard]] const SlotAllocator& slots() const noexcept { return slots_; }

 private:
  const Network& network_;
  PlanData& plan_;
  bool fold_constants_;
  ErrorList errors_;
  SlotAllocator slots_;
  std::map<std::string, std::uint32_t> parameter_slot_;
  std::map<std::string, std::uint32_t> baseline_slot_;  ///< filled once the baseline is compiled
  std::map<std::string, std::size_t> curve_index_;

  void compile_curves();
  std::uint32_t point_slot(const std::string& text, double& nominal);

  void compile_mode(const Mode& mode);
  void collect_quantities(ModeScope& scope);
  void describe_mode(const ModeScope& scope, PlanMode& mode) const;

  /// Places every quantity of the mode, dependencies first.
  void place_all(ModeScope& scope);
  void place_single(ModeScope& scope, Entity& entity);
  void place_loop(ModeScope& scope, const std::vector<std::size_t>& component);
  [[nodiscard]] TapeEmitter emitter(ModeScope& scope, std::vector<Instruction>& code) {
    return {scope, slots_, curve_index_, code, fold_constants_};
  }
};

}  // namespace symbiomc::detail
