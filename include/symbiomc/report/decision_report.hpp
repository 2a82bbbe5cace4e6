#pragma once
// Writes what an uncertainty study learns beyond the output distributions (decision_analysis.hpp)
// as CSV and JSON, atomically, with the provenance of every other result file:
//
// decision.json - only with --decision. For one decision it is that decision's object, whose
//   contract keys are
//     output, direction ("max" | "min"), unit, best_mode (a mode name as in summary.json),
//     modes: [{name, mean, prob_best, prob_best_ci95: [low, high]}] in mode order (means over the runs
//       used, see runs_used),
//     evpi: {value, ci95: [low, high]},
//     evppi: [{factor, kind ("parameter" | "group"), value, ci95: [low, high]}] by value, largest first;
//   with several --decision options, the top level is the first decision's object, and
//   "decisions" lists every decision's object in command-line order (it is always present, so a
//   script may iterate it whatever the count). Extra keys: runs, runs_used, runs_excluded (runs in
//   which some mode failed: a decision compares every mode in the same run), bins, batches,
//   conf_level (0.95: the "ci95" keys), mean_ci95 and best_runs per mode, std_error per
//   estimate, and per EVPPI raw (jackknife bias-corrected, before the clip into [0, EVPI]),
//   plug_in, clipped, consistent_with_zero, members (groups), method ("binning": Strong & Oakley's
//   bins, with bins_per_member, cells and noise_bound; "regression": the linear metamodel of
//   groups too large to bin, stats/decision.hpp); evppi_not_computed lists estimates that could
//   not be made (with the reason; empty unless a future estimator declines), and reason replaces the
//   values (null) when too few runs were usable. tornado (stats/decile_means.hpp): [{parameter,
//   parameter_unit, mode, unit (the output's), mean_low_decile, mean_low_decile_ci95,
//   runs_low_decile, mean_high_decile, mean_high_decile_ci95, runs_high_decile}], parameters in
//   input order, each with every mode in mode order: the output's mean over the runs used in
//   which the parameter's marginal uniform lies below 0.1 and at or above 0.9 (empty without a
//   result). The provenance (tool, version, case, seed, method, files, options) is at the top
//   level only.
// decision.csv - one row per reported quantity: output, direction, quantity (best_mode, mean,
//   prob_best, evpi, evppi, runs_used, runs_excluded), subject (mode or factor), kind
//   (parameter | group for evppi), value, ci95_low, ci95_high, unit (of value; "1" for a
//   probability), note (consistent with zero, clipped, not computed: reason).
// tornado.csv - only with --decision: decision.json's tornado, one row per (decision, parameter,
//   mode, decile): output, direction, parameter, parameter_unit, mode, decile (lowest | highest),
//   runs, mean, ci95_low, ci95_high, unit (of the mean: the output's).
//
// importance.json / importance.csv / targets.csv - on every run unless --importance-runs 0:
//   indices: [{mode, output, unit, parameter, first_order, first_order_ci95, delta, delta_ci95,
//   srrc, srrc_ci95, ...}], one per (mode, output, parameter); a measure not computed for that
//   output (delta outside the --decision and --threshold outputs; SRRC of a constant rank) is
//   absent, not zero. targets: [{target, kind ("threshold" | "comparison"), output, unit, mode
//   (threshold) or mode_a and mode_b (comparison: the indicator is mode_a > mode_b), threshold,
//   probability (of the indicator over the runs used), parameter, first_order,
//   first_order_ci95}]. runs_used and runs_excluded count the runs behind them (the first
//   max_runs runs, whole blocks).

#include <string>

#include "symbiomc/report/provenance.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {

/// decision.json, decision.csv and tornado.csv into `directory` when the study made decisions; otherwise
/// removes such files left there by an earlier run, so that the folder holds one study's results.
void write_decision_report(const UncertaintyResult& result, const Provenance& provenance, const std::string& directory);

/// importance.json, importance.csv and targets.csv into `directory` when the study computed
/// importance measures (removing stale ones otherwise, as above).
void write_importance_report(const UncertaintyResult& result, const Provenance& provenance,
                             const std::string& directory);

}  // namespace symbiomc
