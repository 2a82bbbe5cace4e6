#include "symbiomc/case/network.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace symbiomc {

namespace {
template <typename T, typename Key>
const T* find_by(const std::vector<T>& items, Key T::*key, std::string_view value) noexcept {
  for (const auto& item : items)
    if (item.*key == value) return &item;
  return nullptr;
}
}  // namespace

const Parameter* Network::find_parameter(std::string_view name) const noexcept {
  return find_by(parameters, &Parameter::name, name);
}
const Process* Network::find_process(std::string_view id) const noexcept {
  return find_by(processes, &Process::id, id);
}
const Commodity* Network::find_commodity(std::string_view id) const noexcept {
  return find_by(commodities, &Commodity::id, id);
}
const Flow* Network::find_flow(std::string_view id) const noexcept { return find_by(flows, &Flow::id, id); }
const Mode* Network::find_mode(std::string_view id) const noexcept { return find_by(modes, &Mode::id, id); }

std::size_t Network::baseline_index() const {
  for (std::size_t i = 0; i < modes.size(); ++i)
    if (modes[i].baseline) return i;
  throw InputError("case '" + name + "' has no baseline mode");
}

namespace {
/// Own ids first, then the extended mode's (recursively) less the removed ones, each once.
/// `depth` bounds a cyclic `extends` chain, which read_case refuses.
template <typename Member>
std::vector<std::string> closure(const Network& network, const Mode& mode, Member member, std::size_t depth = 0) {
  std::vector<std::string> out;
  for (const auto& id : mode.*member)
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  const Mode* parent = mode.extends.empty() ? nullptr : network.find_mode(mode.extends);
  if (parent == nullptr || depth >= network.modes.size()) return out;
  for (const auto& id : closure(network, *parent, member, depth + 1)) {
    const bool removed = std::find(mode.removes.begin(), mode.removes.end(), id) != mode.removes.end();
    if (!removed && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}
}  // namespace

std::vector<std::string> Network::active_processes(const Mode& mode) const {
  return closure(*this, mode, &Mode::processes);
}
std::vector<std::string> Network::active_flows(const Mode& mode) const { return closure(*this, mode, &Mode::flows); }

std::vector<ParameterInfo> Network::parameter_infos() const {
  std::vector<ParameterInfo> out;
  out.reserve(parameters.size());
  for (const auto& p : parameters) out.push_back({p.name, p.unit, p.value, p.domain});
  return out;
}

}  // namespace symbiomc
