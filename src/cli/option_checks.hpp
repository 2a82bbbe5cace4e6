#pragma once
// Checks every command's options share, so that a bad value or a repeated option is refused
// while the command line is parsed (exit 2, the option named), before anything is read or run.
// CLI11's own Range lets NaN through (every comparison with NaN is false) and its unsigned
// conversion turns "-1" into 2^64-1 and clamps "2^64" to it; these validators do not.

#include <CLI/CLI.hpp>

#include <cstdint>

namespace symbiomc::cli {

/// A finite number in [low, high]; "nan", "inf" and anything else are refused.
[[nodiscard]] CLI::Validator finite_in(double low, double high);

/// A whole number in [low, high] written in decimal digits alone (no sign, no exponent), so
/// that "-1" and numbers past 2^64-1 are refused instead of wrapping or clamping.
[[nodiscard]] CLI::Validator whole_number_in(std::uint64_t low, std::uint64_t high);

/// Makes every flag of `app` and of its subcommands refuse being given twice, as CLI11 already
/// does for options that take one value; options that take a list (--set, --option, ...) keep
/// collecting. Call after the last option is declared.
void refuse_repeated_options(CLI::App& app);

}  // namespace symbiomc::cli
