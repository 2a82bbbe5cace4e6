#pragma once
// Cells of the CSV result files, as RFC 4180 reads them: numbers in their shortest round-trip
// form (empty when not available), text quoted whenever it holds a comma, a quote or a line
// break, so that a unit such as `MW, net` stays in its column.

#include <string>
#include <string_view>

namespace symbiomc {

/// A number cell: shortest round-trip text, "" for NaN (not available), "inf"/"-inf".
[[nodiscard]] std::string csv_number(double value);

/// A text cell: as is, or in double quotes with inner quotes doubled when it holds a comma,
/// a double quote, a carriage return or a line feed (RFC 4180, section 2, rules 6 and 7).
[[nodiscard]] std::string csv_text(std::string_view text);

}  // namespace symbiomc
