#include "symbiomc/problem/option_conflicts.hpp"

#include <algorithm>

namespace symbiomc {

namespace {

/// The row of `problem` that sets `name` (uncertain or fixed), or nullptr.
const SourceLocation* row_of(const Problem& problem, const std::string& name) {
  for (const auto& p : problem.parameters())
    if (p.name == name) return &p.where;
  for (const auto& f : problem.fixed())
    if (f.name == name) return &f.where;
  return nullptr;
}

bool is_fixed(const Problem& problem, const std::string& name) {
  return std::any_of(problem.fixed().begin(), problem.fixed().end(),
                     [&](const FixedParameter& f) { return f.name == name; });
}

}  // namespace

std::vector<OptionConflict> option_conflicts(const Network& network, const Problem& problem,
                                             std::span<const std::pair<std::string, std::string>> choices) {
  std::vector<OptionConflict> out;
  for (const auto& chosen : choices) {
    // Plain references, not a structured binding: clang 14 (the fuzz build) cannot capture
    // one in a lambda.
    const std::string& option_name = chosen.first;
    const std::string& choice_name = chosen.second;
    const auto option = std::find_if(network.options.begin(), network.options.end(),
                                     [&](const CaseOption& o) { return o.name == option_name; });
    if (option == network.options.end()) continue;
    const auto choice = std::find_if(option->choices.begin(), option->choices.end(),
                                     [&](const OptionChoice& c) { return c.name == choice_name; });
    if (choice == option->choices.end() || choice->is_default) continue;
    for (std::size_t i = 0; i < choice->settings.size(); ++i) {
      const std::string& parameter = choice->settings[i].first;
      if (const SourceLocation* row = row_of(problem, parameter))
        out.push_back({option->name, choice->name, parameter, choice->setting_rows[i], *row});
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> non_default_choices(const Network& network) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& option : network.options)
    for (const auto& choice : option.choices)
      if (!choice.is_default) out.emplace_back(option.name, choice.name);
  return out;
}

std::string describe(const OptionConflict& c, const Problem& problem) {
  return message(to_string(c.setting), "option ", c.option, "=", c.choice, " sets '", c.parameter, "', which ",
                 c.distribution.file, ":", c.distribution.line, " also ",
                 is_fixed(problem, c.parameter) ? "pins ('fixed')" : "perturbs");
}

std::vector<std::string> conflicting_parameters(const std::vector<OptionConflict>& conflicts) {
  std::vector<std::string> out;
  for (const auto& c : conflicts)
    if (std::find(out.begin(), out.end(), c.parameter) == out.end()) out.push_back(c.parameter);
  return out;
}

}  // namespace symbiomc
