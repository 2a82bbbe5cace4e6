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
  for (const auto& text : sets) {
    auto [name, value_text] = split_assignment(text, "--set");
    double value = 0;
    const auto result = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    if (result.ec != std::errc() || result.ptr != value_text.data() + value_text.size() || !std::isfinite(value))
      throw InputError(message("--set ", text, ": expected a number after '=', got '", value_text, "'"));
    plan.overrides.emplace_back(name, value);
  }
  for (const auto& text : options) plan.choices.push_back(split_assignment(text, "--option"));
  return plan;
}

}  // namespace symbiomc::cli
