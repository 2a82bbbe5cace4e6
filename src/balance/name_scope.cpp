#include "balance/name_scope.hpp"

#include <algorithm>
#include <utility>

namespace symbiomc::detail {

ModeScope::ModeScope(const Network& network, const Mode& mode,
                     const std::map<std::string, std::uint32_t>& parameter_slots,
                     const std::map<std::string, std::uint32_t>& baseline_slots, SlotAllocator& slots,
                     ErrorList& errors)
    : network_(network),
      mode_(mode),
      parameter_slots_(parameter_slots),
      baseline_slots_(baseline_slots),
      slots_(slots),
      errors_(errors),
      active_processes_(network.active_processes(mode)) {}

bool ModeScope::process_active(const std::string& process) const {
  return std::find(active_processes_.begin(), active_processes_.end(), process) != active_processes_.end();
}

void ModeScope::add(Entity entity) {
  entity_index_[entity.name] = entities_.size();
  entities_.push_back(std::move(entity));
}

ModeScope::Resolved ModeScope::resolve(const std::string& name, const Entity& from) {
  if (name.rfind("base.", 0) == 0) {
    // In the baseline itself, base.x is x: independent operation compared with itself.
    if (mode_.baseline) return resolve(name.substr(5), from);
    const auto it = baseline_slots_.find(name.substr(5));
    if (it == baseline_slots_.end()) {
      errors_.add(from.where, message("column '", from.column, "': '", name.substr(5),
                                      "' has no definition in the baseline mode, so '", name, "' is undefined"));
      return {slots_.constant(0.0), {}};
    }
    return {it->second, {}};
  }
  if (const auto it = parameter_slots_.find(name); it != parameter_slots_.end()) return {it->second, {}};
  if (const auto it = entity_index_.find(name); it != entity_index_.end()) return {{}, it->second};
  // read_case checked that the name exists: it must be a variable with no definition here.
  std::string defined;
  for (const auto& v : network_.variables)
    if (v.name == name)
      for (const auto& m : v.modes) defined += (defined.empty() ? "" : " ") + m;
  errors_.add(from.where, message("column '", from.column, "': variable '", name, "' has no definition for mode '",
                                  mode_.id, "' (defined for modes: ", defined, ")"));
  return {slots_.constant(0.0), {}};
}

std::uint32_t ModeScope::slot_for(const std::string& name, const Entity& from) {
  const Resolved r = resolve(name, from);
  if (r.slot) return *r.slot;
  return entities_[*r.entity].slot;
}

std::vector<std::size_t> ModeScope::dependencies(const Entity& entity) {
  std::vector<std::size_t> out;
  if (!entity.expression) return out;
  for (const auto& name : referenced_names(*entity.expression)) {
    const Resolved r = resolve(name, entity);
    if (r.entity) out.push_back(*r.entity);
  }
  return out;
}

}  // namespace symbiomc::detail
