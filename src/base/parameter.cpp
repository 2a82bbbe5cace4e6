#include "symbiomc/base/parameter.hpp"

namespace symbiomc {

std::string_view to_string(ParameterDomain domain) noexcept {
  switch (domain) {
    case ParameterDomain::any:
      return "any";
    case ParameterDomain::nonnegative:
      return "nonnegative";
    case ParameterDomain::positive:
      return "positive";
    case ParameterDomain::fraction:
      return "fraction";
    case ParameterDomain::efficiency:
      return "efficiency";
  }
  return "any";
}

bool parse_domain(std::string_view text, ParameterDomain& out) noexcept {
  for (auto d : {ParameterDomain::any, ParameterDomain::nonnegative, ParameterDomain::positive,
                 ParameterDomain::fraction, ParameterDomain::efficiency}) {
    if (text == to_string(d)) {
      out = d;
      return true;
    }
  }
  return false;
}

std::string_view describe(ParameterDomain domain) noexcept {
  switch (domain) {
    case ParameterDomain::any:
      return "finite";
    case ParameterDomain::nonnegative:
      return ">= 0";
    case ParameterDomain::positive:
      return "> 0";
    case ParameterDomain::fraction:
      return "in [0, 1]";
    case ParameterDomain::efficiency:
      return "in (0, 1]";
  }
  return "finite";
}

}  // namespace symbiomc
