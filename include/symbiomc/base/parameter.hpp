#pragma once
// What every consumer of a case parameter needs to know about it without seeing the whole
// network: name, unit, nominal value and the physical domain its values must stay in. The
// distributions reader validates against this; the balance engine checks sampled values.

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace symbiomc {

/// Physical domain of a parameter (the `kind` column of parameters.csv).
enum class ParameterDomain {
  any,          ///< any finite real (e.g. a temperature difference)
  nonnegative,  ///< >= 0 (supplies, yields, costs)
  positive,     ///< > 0 (heating values, densities, hours)
  fraction,     ///< in [0, 1] (splits, shares)
  efficiency,   ///< in (0, 1] (conversion efficiencies)
};

/// The case-file spelling: "any", "nonnegative", "positive", "fraction", "efficiency".
[[nodiscard]] std::string_view to_string(ParameterDomain domain) noexcept;
/// Parses the spelling above; returns false when `text` is none of them.
[[nodiscard]] bool parse_domain(std::string_view text, ParameterDomain& out) noexcept;
/// True when `value` is finite and inside domain D. Inline and without branches (`&`, not
/// `&&`) so that a loop over many values of one parameter vectorises (the balance engine
/// checks every lane). NaN fails every comparison; |value| <= DBL_MAX is std::isfinite.
template <ParameterDomain D>
[[nodiscard]] bool in_domain(double value) noexcept {
  constexpr double largest = std::numeric_limits<double>::max();
  if constexpr (D == ParameterDomain::any)
    return std::abs(value) <= largest;
  else if constexpr (D == ParameterDomain::nonnegative)
    return (value >= 0.0) & (value <= largest);
  else if constexpr (D == ParameterDomain::positive)
    return (value > 0.0) & (value <= largest);
  else if constexpr (D == ParameterDomain::fraction)
    return (value >= 0.0) & (value <= 1.0);
  else
    return (value > 0.0) & (value <= 1.0);  // efficiency
}
/// True when `value` is finite and inside `domain`.
[[nodiscard]] inline bool in_domain(double value, ParameterDomain domain) noexcept {
  switch (domain) {
    case ParameterDomain::any:
      return in_domain<ParameterDomain::any>(value);
    case ParameterDomain::nonnegative:
      return in_domain<ParameterDomain::nonnegative>(value);
    case ParameterDomain::positive:
      return in_domain<ParameterDomain::positive>(value);
    case ParameterDomain::fraction:
      return in_domain<ParameterDomain::fraction>(value);
    case ParameterDomain::efficiency:
      return in_domain<ParameterDomain::efficiency>(value);
  }
  return false;
}
/// Human description of a domain for messages, e.g. "in (0, 1]".
[[nodiscard]] std::string_view describe(ParameterDomain domain) noexcept;

struct ParameterInfo {
  std::string name;
  std::string unit;  ///< e.g. "t/h", "MJ/kg", "1" for dimensionless
  double nominal = 0.0;
  ParameterDomain domain = ParameterDomain::any;
};

}  // namespace symbiomc
