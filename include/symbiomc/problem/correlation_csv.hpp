#pragma once
// Reader of the rank-correlation file that sits next to a distributions file.

#include <string>

#include "symbiomc/problem/correlation.hpp"

namespace symbiomc {

class Problem;

/// Reads distributions/<case>.corr.csv: named columns parameter_a, parameter_b,
/// rank_correlation (Spearman's rho_s in (-1, 1)) and optional source; '#' comment lines and
/// blank lines are skipped. Names must be uncertain (non-fixed) parameters of `problem`. Every
/// defect is reported at once (InputError / InputErrors, cap 20) as "path:line: ...".
/// Attach the result with Problem::with_correlation().
[[nodiscard]] RankCorrelation read_correlations(const std::string& path, const Problem& problem);

}  // namespace symbiomc
