#include "symbiomc/base/csv_format.hpp"

#include <cmath>

#include "symbiomc/base/number_format.hpp"

namespace symbiomc {

std::string csv_number(double value) { return std::isnan(value) ? std::string() : round_trip_number(value); }

std::string csv_text(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace symbiomc
