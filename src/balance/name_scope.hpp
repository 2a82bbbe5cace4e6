#pragma once
// What a name in an expression of one mode refers to. The compiler compiles one mode at a time;
// in it, a name is a parameter (one slot for all modes), "base.x" (the baseline's x, compiled
// before every other mode), or a quantity of this mode: a flow, variable, output or energy/mass
// factor, which becomes a dependency to place on the tape before the expression that reads it.
// A name with no definition in this mode (a variable defined for other modes only, or a
// "base.x" the baseline lacks) is reported and reads 0 so that compilation goes on and every
// such error is reported at once.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "balance/slot_allocator.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/expression.hpp"
#include "symbiomc/case/network.hpp"

namespace symbiomc::detail {

/// A named quantity of one mode that the compiler must place on the tape.
struct Entity {
  enum class Kind { flow, variable, output, factor } kind;
  std::string name;
  std::string unit;
  const Expression* expression = nullptr;  ///< nullptr: constant zero (inactive flow)
  SourceLocation where;
  std::string column;
  std::uint32_t slot = 0;  ///< where its value is, once placed on the tape
};

/// The quantities of one mode and the names its expressions can use.
class ModeScope {
 public:
  /// A name's meaning: a slot that already holds its value, or a quantity of this mode.
  struct Resolved {
    std::optional<std::uint32_t> slot;
    std::optional<std::size_t> entity;  ///< index into entities()
  };

  /// `parameter_slots` and `baseline_slots` (empty while compiling the baseline) map names
  /// to slots. Unresolvable names are reported to `errors` and read a constant 0 of `slots`.
  ModeScope(const Network& network, const Mode& mode, const std::map<std::string, std::uint32_t>& parameter_slots,
            const std::map<std::string, std::uint32_t>& baseline_slots, SlotAllocator& slots, ErrorList& errors);

  [[nodiscard]] const Mode& mode() const noexcept { return mode_; }
  [[nodiscard]] bool process_active(const std::string& process) const;
  [[nodiscard]] const std::vector<std::string>& active_processes() const noexcept { return active_processes_; }

  void add(Entity entity);
  [[nodiscard]] std::vector<Entity>& entities() noexcept { return entities_; }
  [[nodiscard]] const Entity& entity(const std::string& name) const { return entities_[entity_index_.at(name)]; }
  [[nodiscard]] bool has(const std::string& name) const { return entity_index_.count(name) > 0; }
  [[nodiscard]] std::uint32_t slot_of(const std::string& name) const { return entity(name).slot; }

  /// What `name`, used in an expression of `from`, refers to.
  Resolved resolve(const std::string& name, const Entity& from);
  /// The slot holding the value of `name` as read by `from`: for a quantity of this mode, the
  /// slot it was placed in (a dependency is placed first; a loop member has its slot already).
  std::uint32_t slot_for(const std::string& name, const Entity& from);
  /// Indices of the quantities of this mode that the expression of `entity` reads.
  std::vector<std::size_t> dependencies(const Entity& entity);

 private:
  const Network& network_;
  const Mode& mode_;
  const std::map<std::string, std::uint32_t>& parameter_slots_;
  const std::map<std::string, std::uint32_t>& baseline_slots_;
  SlotAllocator& slots_;
  ErrorList& errors_;
  std::vector<std::string> active_processes_;
  std::vector<Entity> entities_;
  std::map<std::string, std::size_t> entity_index_;
};

}  // namespace symbiomc::detail
