#pragma once
// Every way symbiomc writes a double as text, in one place, so that result files, messages,
// terminal tables and the report page agree on what a number looks like. Each style names
// the reader it serves; none depends on the locale.

#include <string>

namespace symbiomc {

/// Shortest text that reads back to the same double ("0.1", "1e-09", "123456789"), the form
/// of result files: no digit is lost and none is invented. "nan", "inf", "-inf".
[[nodiscard]] std::string round_trip_number(double value);

/// For messages: round trip, with exponents as people write them ("1e-9", "1e20", not
/// "1e-09", "1e+20").
[[nodiscard]] std::string format_number(double value);

/// For messages about everyday magnitudes: plain notation from 1e-4 to 1e15 ("100000", not
/// "1e+05"), shortest round trip outside that range. "nan", "inf", "-inf".
[[nodiscard]] std::string plain_number(double value);

/// printf's "%.17g": 17 significant digits, enough to read back any double. Kept for the
/// --dump-runs cells, whose format predates the shortest form (a change would change the file).
[[nodiscard]] std::string seventeen_digit_number(double value);

/// For terminal tables: about `significant` significant digits in fixed notation (at most six
/// decimals), the integer part grouped in thousands ("47,619.4"); "-" for NaN.
[[nodiscard]] std::string grouped_number(double value, int significant = 5);

/// `value` rounded to `digits` significant digits (what a page prints, with a smaller blob);
/// non-finite values are returned unchanged.
[[nodiscard]] double round_to_significant(double value, int digits);

}  // namespace symbiomc
