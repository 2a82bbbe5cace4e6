#pragma once
// Reader of distributions/<case>.csv: one row per case parameter that is uncertain (or pinned),
// named columns in any order, one column per distribution parameter (unlike SALib's overloaded
// `bounds`). Every defect of the file is reported at once, each with file, line and column.

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "symbiomc/base/checksum.hpp"
#include "symbiomc/base/parameter.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

/// Reads and validates the distributions file at `path` against the case's parameters.
/// Columns (header names, any order; only parameter, dist, unit required; blank = n/a):
/// parameter, dist, unit, value, low, high, mode, mean, sd, median, gsd, alpha, beta, values,
/// probabilities (';'-separated lists), group, source. '#' lines and blank lines are skipped.
/// Returns the Problem: non-fixed rows as UncertainParameter in file order, 'fixed' rows as
/// FixedParameter overrides, case_index into `case_parameters`. Throws InputError (one defect)
/// or InputErrors (several, cap 20), each "path:line: column 'c' (parameter 'p'): ...".
/// See distributions/README.md for the rules.
[[nodiscard]] Problem read_distributions(const std::string& path, std::span<const ParameterInfo> case_parameters);


namespace detail {
// Shared by the distributions and correlation readers; not part of the API.

/// The file's bytes; InputError "path: cannot read <what> file: <reason>" when it cannot be read.
[[nodiscard]] std::string read_file_bytes(const std::string& path, std::string_view what);
/// Parses a whole (trimmed) cell as a double: optional sign, decimal or exponent form,
/// correctly rounded. NaN is refused; infinities ("inf", "-inf") only when allowed.
[[nodiscard]] bool parse_number(std::string_view text, double& out, bool allow_infinite = false) noexcept;
/// Message, with path and line, for an exception thrown by fast-cpp-csv-parser (io::error::*)
/// while reading `path`; `reader_line` is the reader's current line, for header errors that
/// carry none. `columns` are the known column names (for "did you mean"); `synonyms` maps
/// names users bring from elsewhere (SALib's "lower", "upper") to ours for the same hint.
[[nodiscard]] std::string csv_error_message(
    const std::exception& error, const std::string& path, std::size_t reader_line,
    const std::vector<std::string>& columns,
    const std::vector<std::pair<std::string, std::string>>& synonyms = {});
/// "'a', 'b', 'c'".
[[nodiscard]] std::string quoted_list(const std::vector<std::string>& items);
}  // namespace detail

}  // namespace symbiomc
