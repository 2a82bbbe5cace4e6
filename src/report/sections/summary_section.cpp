// The summary at the top of the page: which output and mode it talks about, and the notes on
// inputs that do not describe the same study. Made after the other sections, from what they
// recorded in the PageBuilder.
#include "report/sections/registry.hpp"

#include <limits>
#include <set>
#include <string>

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;

/// What the summary at the top talks about: the output a planner cares most about (the one
/// a --threshold was given for, else one named "savings", else the first) and the mode with
/// the highest mean (or nominal value) of it.
json choose_focus(const PageBuilder& page) {
  const json& data = page.data;
  std::string key;
  if (data.contains("uncertainty"))
    for (const auto& s : data["uncertainty"]["stats"])
      if (!s["thresholds"].empty()) {
        key = s["output"];
        break;
      }
  if (key.empty())
    for (const auto& name : page.output_order)
      if (name.find("saving") != std::string::npos) {
        key = name;
        break;
      }
  if (key.empty() && !page.output_order.empty()) key = page.output_order.front();
  std::string best;
  double best_value = -std::numeric_limits<double>::infinity();
  auto consider = [&](const json& list, const char* value_key) {
    for (const auto& s : list)
      if (s["output"] == key && s[value_key].is_number() && s[value_key].get<double>() > best_value) {
        best_value = s[value_key].get<double>();
        best = s["mode"];
      }
  };
  if (data.contains("uncertainty"))
    consider(data["uncertainty"]["stats"], "mean");
  else if (data.contains("flows"))
    consider(data["flows"]["nominal"], "value");
  if (best.empty())
    for (const auto& m : page.mode_order)
      if (m != "independent") {
        best = m;
        break;
      }
  if (best.empty() && !page.mode_order.empty()) best = page.mode_order.front();
  return json{{"output", key}, {"mode", best}};
}

/// Notes when the inputs do not describe the same study: another case, another version of a
/// file (checksum), other structural options.
void check_consistency(PageBuilder& page) {
  std::set<std::string> cases;
  for (const auto& [run, name] : page.cases)
    if (!name.empty()) cases.insert(name);
  if (cases.size() > 1) {
    std::string list;
    for (const auto& [run, name] : page.cases) list += (list.empty() ? "" : ", ") + run + ": " + name;
    page.notes.push_back("the inputs come from different cases (" + list + ")");
  }
  for (const auto& [path, seen] : page.checksums) {
    std::set<std::string> distinct;
    for (const auto& [run, checksum] : seen) distinct.insert(checksum);
    if (distinct.size() < 2) continue;
    std::string list;
    for (const auto& [run, checksum] : seen) list += (list.empty() ? "" : ", ") + run + " " + checksum;
    page.notes.push_back("the file " + path + " differs between the runs (fnv1a64 " + list +
                         "): the sections describe different inputs");
  }
  std::set<std::string> option_sets;
  for (const auto& [run, options] : page.options) option_sets.insert(options.dump());
  if (option_sets.size() > 1) page.notes.push_back("the runs chose different case options (see Provenance)");
}

}  // namespace

json build_summary_section(PageBuilder& page) {
  json focus = choose_focus(page);
  check_consistency(page);
  return focus;
}

}  // namespace symbiomc::detail
