#include "balance/plan_options.hpp"

#include <algorithm>
#include <string>

namespace symbiomc::detail {

namespace {

/// Applies the settings of `--option name=choice`.
void apply_choice(const Network& network, const std::string& name, const std::string& choice, PlanData& plan) {
  const auto option =
      std::find_if(network.options.begin(), network.options.end(), [&](const CaseOption& o) { return o.name == name; });
  if (option == network.options.end()) {
    std::vector<std::string> names;
    for (const auto& o : network.options) names.push_back(o.name);
    throw InputError(message("--option ", name, "=", choice, ": case '", network.name, "' has no option '", name, "'",
                             names.empty() ? std::string(" (it has no options)") : did_you_mean(name, names)));
  }
  const auto chosen = std::find_if(option->choices.begin(), option->choices.end(),
                                   [&](const OptionChoice& c) { return c.name == choice; });
  if (chosen == option->choices.end()) {
    std::string list;
    for (const auto& c : option->choices) list += (list.empty() ? "" : ", ") + c.name;
    throw InputError(message("--option ", name, "=", choice, ": expected one of ", list));
  }
  for (const auto& [parameter, value] : chosen->settings)
    plan.parameters[find_parameter(plan.parameters, parameter)].nominal = value;
  plan.chosen_options.emplace_back(name, choice);
}

/// Applies `--set name=value`.
void apply_override(const std::string& name, double value, PlanData& plan) {
  std::size_t index = 0;
  try {
    index = find_parameter(plan.parameters, name);
  } catch (const InputError& e) {
    throw InputError(message("--set ", name, "=", value, ": ", e.what()));
  }
  ParameterInfo& p = plan.parameters[index];
  if (!in_domain(value, p.domain))
    throw InputError(message("--set ", name, "=", value, ": parameter '", name, "' (kind ", to_string(p.domain), ")",
                             ": expected ", describe(p.domain)));
  p.nominal = value;
}

}  // namespace

void apply_options(const Network& network, const PlanOptions& options, PlanData& plan) {
  plan.parameters = network.parameter_infos();
  for (const auto& [name, choice] : options.choices) apply_choice(network, name, choice, plan);
  for (const auto& option : network.options) {
    const bool chosen = std::any_of(options.choices.begin(), options.choices.end(),
                                    [&](const auto& c) { return c.first == option.name; });
    if (chosen) continue;
    for (const auto& c : option.choices)
      if (c.is_default) plan.chosen_options.emplace_back(option.name, c.name);
  }
  // Overrides come last so that --set wins over an option's setting of the same parameter.
  for (const auto& [name, value] : options.overrides) apply_override(name, value, plan);
}

std::size_t find_parameter(const std::vector<ParameterInfo>& parameters, std::string_view name) {
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].name == name) return i;
  std::vector<std::string> names;
  for (const auto& p : parameters) names.push_back(p.name);
  throw InputError(message("unknown parameter '", name, "'", did_you_mean(name, names)));
}

}  // namespace symbiomc::detail
