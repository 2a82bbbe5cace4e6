#pragma once
// Writes Shapley effects (studies/shapley_study.hpp) as CSV and JSON, atomically: per (mode,
// output, parameter) effects with intervals and ranks, per-output summaries (variance, the sum
// of the effects, dropped permutations) and the provenance, the correlations included.

#include <string>

#include "symbiomc/report/provenance.hpp"
#include "symbiomc/studies/shapley_study.hpp"

namespace symbiomc {

/// shapley.csv, shapley_outputs.csv and shapley.json in `directory`.
void write_shapley_report(const ShapleyResult& result, const Provenance& provenance, const std::string& directory);

}  // namespace symbiomc
