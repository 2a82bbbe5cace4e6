#pragma once
// Writes Sobol' and Morris results as CSV and JSON (atomically): per (mode, output, factor)
// indices with intervals and ranks, per-output summaries with warnings, convergence tables.

#include <string>

#include "symbiomc/report/uncertainty_report.hpp"
#include "symbiomc/studies/sensitivity.hpp"

namespace symbiomc {

/// Below this share of variance explained by first-order effects, interactions dominate and
/// the output says so.
inline constexpr double LOW_FIRST_ORDER_SHARE = 0.7;

/// sobol.csv, sobol.json, sobol_outputs.csv, sobol_convergence.csv (and sobol_second_order.csv).
void write_sobol_report(const SobolResult& result, const Provenance& provenance, bool correlation_ignored,
                        const std::string& directory);

/// morris.csv and morris.json.
void write_morris_report(const MorrisResult& result, const Provenance& provenance,
                         const std::vector<std::string>& factor_names, const std::string& directory);

}  // namespace symbiomc
