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

}  // namespace symbiomc
