#include "balance/slot_allocator.hpp"

#include <bit>

namespace symbiomc::detail {

std::uint32_t SlotAllocator::constant(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const auto it = constant_slot_.find(bits);
  if (it != constant_slot_.end()) return it->second;
  const std::uint32_t slot = next_slot_++;
  constant_slot_.emplace(bits, slot);
  constants_.emplace_back(slot, value);
  constant_of_slot_.emplace(slot, value);
  return slot;
}

std::optional<double> SlotAllocator::constant_value(std::uint32_t slot) const noexcept {
  const auto it = constant_of_slot_.find(slot);
  if (it == constant_of_slot_.end()) return std::nullopt;
  return it->second;
}

std::uint32_t SlotAllocator::temporary() {
  if (!free_temporaries_.empty()) {
    const std::uint32_t slot = free_temporaries_.back();
    free_temporaries_.pop_back();
    return slot;
  }
  temporaries_.insert(next_slot_);
  return next_slot_++;
}

void SlotAllocator::release(std::uint32_t slot, bool is_temporary) {
  if (is_temporary) free_temporaries_.push_back(slot);
}

}  // namespace symbiomc::detail
