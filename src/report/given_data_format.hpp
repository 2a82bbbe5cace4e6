#pragma once
// What decision_report.cpp and importance_report.cpp share (private to the result writers):
// the provenance of an uncertainty study in the form every result file carries it.

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "symbiomc/report/provenance.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc::detail {

/// A number, or null when it is not finite (JSON has no NaN).
[[nodiscard]] inline nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

/// [low, high] with nulls for non-finite ends.
[[nodiscard]] inline nlohmann::json interval_json(double low, double high) {
  return nlohmann::json::array({finite_or_null(low), finite_or_null(high)});
}

/// The "# symbiomc <version> uncertainty: ..." comment lines at the top of each CSV (as
/// summary.csv has them).
[[nodiscard]] std::string uncertainty_comment(const UncertaintyResult& result, const Provenance& provenance);

/// tool, version, case, runs, seed, method, block_size, files, options.
void add_uncertainty_provenance(nlohmann::json& json, const UncertaintyResult& result, const Provenance& provenance);

/// Writes `content` to directory/name atomically, or removes directory/name when `write` is false.
void write_or_remove(const std::string& directory, const char* name, bool write, const std::string& content);

}  // namespace symbiomc::detail
