#pragma once
// Slot numbering for the balance compiler. A slot holds one quantity for every lane of a
// workspace. Parameters take the first slots (a parameter's index is its slot), each distinct
// constant gets one slot for the whole plan, a named quantity gets its own, and intermediate
// results of an expression take temporaries that are handed out again once read, which keeps
// the slot array, and the workspace's memory traffic, small.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace symbiomc::detail {

class SlotAllocator {
 public:
  explicit SlotAllocator(std::size_t parameter_count) : next_slot_(static_cast<std::uint32_t>(parameter_count)) {}

  /// A new slot of its own, never handed out again.
  [[nodiscard]] std::uint32_t fresh() noexcept { return next_slot_++; }
  /// The slot of a constant value, shared by all its uses.
  [[nodiscard]] std::uint32_t constant(double value);
  /// The value of a constant's slot; nullopt for any other slot.
  [[nodiscard]] std::optional<double> constant_value(std::uint32_t slot) const noexcept;
  /// A temporary: a slot for an intermediate result, possibly one released before.
  [[nodiscard]] std::uint32_t temporary();
  /// Hands `slot` out again when `is_temporary` (its value has been read for the last time).
  void release(std::uint32_t slot, bool is_temporary);

  [[nodiscard]] std::size_t count() const noexcept { return next_slot_; }
  /// (slot, value) of every constant, in the order they were first asked for.
  [[nodiscard]] const std::vector<std::pair<std::uint32_t, double>>& constants() const noexcept { return constants_; }
  /// Every slot ever handed out as a temporary: later expressions may overwrite it.
  [[nodiscard]] const std::set<std::uint32_t>& temporaries() const noexcept { return temporaries_; }

 private:
  std::uint32_t next_slot_;
  /// Keyed by the bits of the value, not the value: NaN compares unequal to everything (as a
  /// double key it would find whatever slot the search ends on, e.g. an operand of the folded
  /// operation that made it), and -0.0 must not share +0.0's slot (1 / -0.0 is -inf).
  std::map<std::uint64_t, std::uint32_t> constant_slot_;
  std::vector<std::pair<std::uint32_t, double>> constants_;
  std::map<std::uint32_t, double>
      constant_of_slot_;  ///< constants_ by slot (a linear search per operand was quadratic)
  std::vector<std::uint32_t> free_temporaries_;
  std::set<std::uint32_t> temporaries_;
};

}  // namespace symbiomc::detail
