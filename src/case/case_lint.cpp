#include "symbiomc/case/case_lint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>

namespace symbiomc {

bool is_placeholder_source(const std::string& source) {
  std::string lower;
  for (const char c : source)
    if (!std::isspace(static_cast<unsigned char>(c)))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr std::array<std::string_view, 12> PLACEHOLDERS = {"",   "todo", "tbd", "?",    "??",  "-",
                                                             "--", "n/a",  "na",  "none", "xxx", "unknown"};
  return std::find(PLACEHOLDERS.begin(), PLACEHOLDERS.end(), lower) != PLACEHOLDERS.end();
}

namespace {

/// Every name that some expression or curve point reads (base.x counts as x).
std::set<std::string> names_in_use(const Network& network) {
  std::set<std::string> used;
  auto add = [&](const Expression& e) {
    for (const auto& name : referenced_names(e)) used.insert(name.rfind("base.", 0) == 0 ? name.substr(5) : name);
  };
  for (const auto& c : network.commodities) {
    if (c.energy_factor) add(*c.energy_factor);
    if (c.mass_factor) add(*c.mass_factor);
  }
  for (const auto& f : network.flows) add(f.quantity);
  for (const auto& v : network.variables) add(v.expression);
  for (const auto& o : network.outputs) add(o.expression);
  for (const auto& curve : network.curves)
    for (const auto& point : curve.points) {
      used.insert(point.x);
      used.insert(point.y);
    }
  return used;
}

}  // namespace

std::vector<CaseWarning> lint_case(const Network& network) {
  std::vector<CaseWarning> out;
  const auto used = names_in_use(network);
  for (const auto& p : network.parameters) {
    if (!used.count(p.name))
      out.push_back({p.where, message("column 'name': parameter '", p.name,
                                      "' is used by no flow, variable, output, commodity or curve (expected to be "
                                      "read by at least one, or removed)")});
    if (is_placeholder_source(p.source))
      out.push_back({p.where, message("column 'source': parameter '", p.name, "' has no source ('", p.source,
                                      "'; expected where the number comes from)")});
  }
  std::set<std::string> connected;
  for (const auto& f : network.flows) {
    connected.insert(f.from);
    connected.insert(f.to);
  }
  for (const auto& p : network.processes)
    if (!connected.count(p.id))
      out.push_back({p.where, message("column 'id': process '", p.id,
                                      "' has no flows (expected at least one flow in flows.csv from or to it)")});
  std::set<std::string> switched_on;
  for (const auto& m : network.modes)
    for (const auto& f : network.active_flows(m)) switched_on.insert(f);
  for (const auto& f : network.flows)
    if (!switched_on.count(f.id))
      out.push_back({f.where, message("column 'id': flow '", f.id,
                                      "' is switched on by no mode (expected in the 'flows' list of a mode in "
                                      "modes.csv; otherwise it is 0 everywhere)")});
  return out;
}

}  // namespace symbiomc
