// importance.json, importance.csv and targets.csv (the layout is described in decision_report.hpp).
#include "symbiomc/report/decision_report.hpp"

#include <cmath>
#include <sstream>
#include <vector>

#include "report/given_data_format.hpp"
#include "symbiomc/base/csv_format.hpp"

namespace symbiomc {

namespace {

using detail::finite_or_null;
using detail::interval_json;

/// Where output o's delta estimates are, if it has any.
const std::vector<DeltaEstimate>* delta_of(const ImportanceOutcome& imp, std::size_t o) {
  for (std::size_t i = 0; i < imp.delta_outputs.size(); ++i)
    if (imp.delta_outputs[i] == o && imp.delta_reason[i].empty()) return &imp.delta[i];
  return nullptr;
}

/// The per-output facts (variance, SRRC's R^2 or why it is missing, delta's reason).
nlohmann::json output_json(const UncertaintyResult& r, std::size_t o) {
  const ImportanceOutcome& imp = r.importance;
  const ModelOutput& label = r.outputs[o].label;
  nlohmann::json j = {{"mode", r.modes[label.mode_index]}, {"output", label.output}, {"unit", label.unit}};
  if (!imp.first_order.empty()) {
    j["mean"] = finite_or_null(imp.first_order[o].mean);
    j["variance"] = finite_or_null(imp.first_order[o].variance);
    j["zero_variance"] = imp.first_order[o].zero_variance;
  }
  if (!imp.srrc.empty()) {
    const RankRegressionOutput& rr = imp.srrc[o];
    if (rr.computed) {
      j["srrc_r_squared"] = finite_or_null(rr.r_squared);
    } else {
      j["srrc_reason"] = rr.reason;
    }
  }
  for (std::size_t i = 0; i < imp.delta_outputs.size(); ++i)
    if (imp.delta_outputs[i] == o && !imp.delta_reason[i].empty()) j["delta_reason"] = imp.delta_reason[i];
  j["delta"] = delta_of(imp, o) != nullptr;
  return j;
}

/// importance.json's and importance.csv's entry of (output o, parameter p).
nlohmann::json index_json(const UncertaintyResult& r, std::size_t o, std::size_t p, std::ostringstream& csv) {
  const ImportanceOutcome& imp = r.importance;
  const ModelOutput& label = r.outputs[o].label;
  nlohmann::json j = {{"mode", r.modes[label.mode_index]},
                      {"output", label.output},
                      {"unit", label.unit},
                      {"parameter", r.inputs[p].name}};
  csv << csv_text(r.modes[label.mode_index]) << "," << csv_text(label.output) << "," << csv_text(label.unit) << ","
      << csv_text(r.inputs[p].name);
  auto cells = [&](double value, double low, double high) {
    csv << "," << csv_number(value) << "," << csv_number(low) << "," << csv_number(high);
  };
  const double nan = std::nan("");
  if (!imp.first_order.empty()) {
    const FirstOrderEstimate& e = imp.first_order[o].index[p];
    j["first_order"] = finite_or_null(e.value);
    j["first_order_ci95"] = interval_json(e.low, e.high);
    j["first_order_std_error"] = finite_or_null(e.std_error);
    j["eta_squared"] = finite_or_null(e.uncorrected);
    cells(e.value, e.low, e.high);
  } else {
    cells(nan, nan, nan);
  }
  if (const auto* delta = delta_of(imp, o)) {
    const DeltaEstimate& e = (*delta)[p];
    j["delta"] = finite_or_null(e.value);
    j["delta_ci95"] = interval_json(e.low, e.high);
    j["delta_std_error"] = finite_or_null(e.std_error);
    j["delta_consistent_with_zero"] = e.consistent_with_zero;
    cells(e.value, e.low, e.high);
  } else {
    cells(nan, nan, nan);
  }
  if (!imp.srrc.empty() && imp.srrc[o].computed) {
    const BatchEstimate& e = imp.srrc[o].srrc[p];
    j["srrc"] = finite_or_null(e.value);
    j["srrc_ci95"] = interval_json(e.low, e.high);
    cells(e.value, e.low, e.high);
  } else {
    cells(nan, nan, nan);
  }
  csv << "\n";
  return j;
}

/// importance.json's "targets" and targets.csv's rows.
nlohmann::json targets_json(const UncertaintyResult& r, std::ostringstream& csv) {
  const ImportanceOutcome& imp = r.importance;
  nlohmann::json targets = nlohmann::json::array();
  for (std::size_t t = 0; t < imp.targets.size() && !imp.target_first_order.empty(); ++t) {
    const TargetSpec& spec = imp.targets[t];
    const FirstOrderOutput& fo = imp.target_first_order[t];
    const bool threshold = spec.kind == TargetKind::threshold;
    for (std::size_t p = 0; p < fo.index.size(); ++p) {
      const FirstOrderEstimate& e = fo.index[p];
      nlohmann::json j = {{"target", spec.label},
                          {"kind", threshold ? "threshold" : "comparison"},
                          {"output", spec.output},
                          {"unit", spec.unit},
                          {"probability", finite_or_null(fo.mean)},
                          {"zero_variance", fo.zero_variance},
                          {"parameter", r.inputs[p].name},
                          {"first_order", finite_or_null(e.value)},
                          {"first_order_ci95", interval_json(e.low, e.high)}};
      if (threshold) {
        j["mode"] = r.modes[spec.mode_a];
        j["threshold"] = spec.threshold;
      } else {
        j["mode_a"] = r.modes[spec.mode_a];
        j["mode_b"] = r.modes[spec.mode_b];
      }
      targets.push_back(std::move(j));
      csv << csv_text(spec.label) << "," << (threshold ? "threshold" : "comparison") << "," << csv_text(spec.output)
          << "," << csv_text(spec.unit) << "," << (threshold ? csv_text(r.modes[spec.mode_a]) : "") << ","
          << (threshold ? "" : csv_text(r.modes[spec.mode_a])) << ","
          << (threshold ? "" : csv_text(r.modes[spec.mode_b])) << "," << (threshold ? csv_number(spec.threshold) : "")
          << "," << csv_number(fo.mean) << "," << csv_text(r.inputs[p].name) << "," << csv_number(e.value) << ","
          << csv_number(e.low) << "," << csv_number(e.high) << "\n";
    }
  }
  return targets;
}

}  // namespace

void write_importance_report(const UncertaintyResult& r, const Provenance& prov, const std::string& directory) {
  const ImportanceOutcome& imp = r.importance;
  const bool any = imp.enabled;
  std::ostringstream csv, targets_csv;
  nlohmann::json json;
  if (any) {
    const std::string comment = detail::uncertainty_comment(r, prov);
    csv << comment
        << "mode,output,unit,parameter,first_order,first_order_ci95_low,first_order_ci95_high,delta,delta_ci95_low,"
           "delta_ci95_high,srrc,srrc_ci95_low,srrc_ci95_high\n";
    targets_csv << comment
                << "target,kind,output,unit,mode,mode_a,mode_b,threshold,probability,parameter,first_order,"
                   "first_order_ci95_low,first_order_ci95_high\n";
    detail::add_uncertainty_provenance(json, r, prov);
    json["max_runs"] = imp.max_runs;
    json["runs_used"] = imp.runs_used;
    json["runs_excluded"] = imp.runs_seen - imp.runs_used;
    json["first_order_bins"] = imp.first_order_bins;
    json["delta_bins"] = imp.delta_bins;
    json["batches"] = imp.batches;
    json["delta_batches"] = imp.delta_batches;
    json["conf_level"] = GIVEN_DATA_CONF_LEVEL;
    nlohmann::json reasons = nlohmann::json::object();
    if (!imp.first_order_reason.empty()) reasons["first_order"] = imp.first_order_reason;
    if (!imp.srrc_reason.empty()) reasons["srrc"] = imp.srrc_reason;
    if (!imp.target_reason.empty()) reasons["targets"] = imp.target_reason;
    json["not_computed"] = reasons;
    nlohmann::json outputs = nlohmann::json::array(), indices = nlohmann::json::array();
    for (std::size_t o = 0; o < r.outputs.size(); ++o) {
      outputs.push_back(output_json(r, o));
      for (std::size_t p = 0; p < r.inputs.size(); ++p) indices.push_back(index_json(r, o, p, csv));
    }
    json["outputs"] = outputs;
    json["indices"] = indices;
    json["targets"] = targets_json(r, targets_csv);
  }
  detail::write_or_remove(directory, "importance.csv", any, csv.str());
  detail::write_or_remove(directory, "targets.csv", any, targets_csv.str());
  detail::write_or_remove(directory, "importance.json", any, any ? json.dump(2) + "\n" : std::string());
}

}  // namespace symbiomc
