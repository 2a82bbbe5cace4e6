#include "case_args.hpp"

#include <charconv>
#include <cmath>

namespace symbiomc::cli {

std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw InputError(message(flag, " ", text, ": expected NAME=VALUE"));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

PlanOptions plan_options(const std::vector<std::string>& sets, const std::vector<std::string>& options) {
  PlanOptions plan;
  // A name given twice would leave the run meaning whichever came last: refused, like a
  // repeated single-valued option.
  auto refuse_repeat = [](const std::vector<std::pair<std::string, std::string>>& earlier, const std::string& name,
                          const std::string& text, const char* flag) {
    for (const auto& [earlier_name, earlier_value] : earlier)
      if (earlier_name == name)
        throw InputError(message(flag, " ", text, ": '", name, "' is already given (", flag, " ", name, "=",
                                 earlier_value, "); give each name once"));
  };
  std::vector<std::pair<std::string, std::string>> set_texts;
  for (const auto& text : sets) {
    auto [name, value_text] = split_assignment(text, "--set");
    refuse_repeat(set_texts, name, text, "--set");
    double value = 0;
    const auto result = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    if (result.ec != std::errc() || result.ptr != value_text.data() + value_text.size() || !std::isfinite(value))
      throw InputError(message("--set ", text, ": expected a number after '=', got '", value_text, "'"));
    plan.overrides.emplace_back(name, value);
    set_texts.emplace_back(name, value_text);
  }
  for (const auto& text : options) {
    auto choice = split_assignment(text, "--option");
    refuse_repeat(plan.choices, choice.first, text, "--option");
    plan.choices.push_back(std::move(choice));
  }
  return plan;
}

}  // namespace symbiomc::cli
