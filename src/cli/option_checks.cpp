#include "option_checks.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

#include "symbiomc/base/number_format.hpp"

namespace symbiomc::cli {

namespace {

/// `text` without one leading '+', which std::from_chars does not take ("+5" is 5, "++5" stays bad).
std::string_view without_plus(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
  return text;
}

}  // namespace

CLI::Validator finite_in(double low, double high) {
  const std::string range = "[" + format_number(low) + ", " + format_number(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        const std::string_view digits = without_plus(text);
        double value = 0.0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value))
          return "expected a number in " + range + ", got '" + text + "'";
        if (!(value >= low && value <= high)) return "expected a number in " + range + ", got " + text;
        return {};
      },
      "NUMBER in " + range, "finite_in");
}

CLI::Validator whole_number_in(std::uint64_t low, std::uint64_t high) {
  const std::string range = "[" + std::to_string(low) + ", " + std::to_string(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        const std::string_view digits = without_plus(text);
        std::uint64_t value = 0;
        // from_chars for unsigned takes digits only: no minus sign, so "-1" cannot wrap around;
        // it reports a number past 2^64-1 as out of range instead of clamping it.
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec == std::errc::result_out_of_range)
          return "expected a whole number in " + range + ", got " + text + " (too large)";
        if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
          return "expected a whole number in " + range + ", got '" + text + "'";
        if (value < low || value > high) return "expected a whole number in " + range + ", got " + text;
        return {};
      },
      "UINT in " + range, "whole_number_in");
}

void refuse_repeated_options(CLI::App& app) {
  // Flags are declared with MultiOptionPolicy::TakeLast: "--quiet --quiet" would pass, and so
  // would a flag given once by a script and once by hand. Options that take one value already
  // throw; those that take a list use TakeAll, which stays.
  for (CLI::Option* option : app.get_options())
    if (option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeLast)
      option->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) refuse_repeated_options(*sub);
}

}  // namespace symbiomc::cli
