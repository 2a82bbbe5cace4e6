#pragma once
// Writes an uncertainty study's results as CSV tables and summary.json into a directory,
// each file written to a temporary and renamed. Every file records the seed, method, run
// count and the input files with their checksums, so the study can be reproduced.

#include <string>
#include <vector>

#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/report/provenance.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {

/// Quantile levels reported everywhere.
inline constexpr double REPORTED_QUANTILES[] = {0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99};

/// A quantile with its binning error bound and a distribution-free CI (order statistics).
struct QuantileReport {
  double p = 0, value = 0, error_bound = 0, ci_low = 0, ci_high = 0;
};
[[nodiscard]] QuantileReport report_quantile(const Histogram& histogram, double p, double conf_level);

/// Writes summary.csv, quantiles.csv, histograms.csv, comparisons.csv, failures.csv,
/// thresholds.csv and summary.json into `directory`.
void write_uncertainty_report(const UncertaintyResult& result, const Provenance& provenance,
                              const std::string& directory);

}  // namespace symbiomc
