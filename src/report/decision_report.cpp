// decision.json, decision.csv and tornado.csv (the layout is described in decision_report.hpp), and the
// helpers the given-data writers share (given_data_format.hpp).
#include "symbiomc/report/decision_report.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include "report/given_data_format.hpp"
#include "report/provenance_format.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/csv_format.hpp"

namespace symbiomc {

namespace detail {

std::string uncertainty_comment(const UncertaintyResult& r, const Provenance& prov) {
  std::ostringstream out;
  out << "# symbiomc " << prov.tool_version << " uncertainty: " << prov.case_name << "; runs " << r.runs << "; seed "
      << r.config.seed << "; method " << to_string(r.config.method) << "; block size " << r.config.block_size << "\n";
  out << provenance_comment_lines(prov);
  return out.str();
}

void add_uncertainty_provenance(nlohmann::json& json, const UncertaintyResult& r, const Provenance& prov) {
  json["tool"] = "symbiomc";
  json["version"] = prov.tool_version;
  json["case"] = prov.case_name;
  json["runs"] = r.runs;
  json["seed"] = r.config.seed;
  json["method"] = std::string(to_string(r.config.method));
  json["block_size"] = r.config.block_size;
  add_provenance_json(json, prov);
}

void write_or_remove(const std::string& directory, const char* name, bool write, const std::string& content) {
  const std::filesystem::path path = std::filesystem::path(directory) / name;
  if (write) {
    write_file_atomically(path.string(), content);
  } else {
    std::error_code ignored;  // nothing to remove is the usual case
    std::filesystem::remove(path, ignored);
  }
}

}  // namespace detail

namespace {

using detail::finite_or_null;
using detail::interval_json;

/// One EVPPI entry with what the CSV and JSON need, for sorting.
struct EvppiRow {
  std::string factor;
  const char* kind;
  const EvppiEstimate* estimate;
};

std::vector<EvppiRow> evppi_rows(const UncertaintyResult& r, const DecisionOutcome& d) {
  std::vector<EvppiRow> rows;
  const DecisionResult& result = *d.result;
  for (std::size_t j = 0; j < result.evppi.size(); ++j)
    rows.push_back({r.inputs[j].name, "parameter", &result.evppi[j]});
  for (std::size_t g = 0; g < result.group_evppi.size(); ++g)
    rows.push_back({d.groups[g].name, "group", &result.group_evppi[g]});
  // Largest first; the computed ones before those that could not be computed, each in input order.
  std::stable_sort(rows.begin(), rows.end(), [](const EvppiRow& a, const EvppiRow& b) {
    if (a.estimate->computed != b.estimate->computed) return a.estimate->computed;
    return a.estimate->value > b.estimate->value;
  });
  return rows;
}

nlohmann::json evppi_json(const UncertaintyResult& r, const EvppiRow& row) {
  const EvppiEstimate& e = *row.estimate;
  nlohmann::json j = {{"factor", row.factor}, {"kind", row.kind}};
  if (std::string(row.kind) == "group") {
    nlohmann::json members = nlohmann::json::array();
    for (const std::size_t m : e.parameters) members.push_back(r.inputs[m].name);
    j["members"] = members;
  }
  j["method"] = e.method == EvppiMethod::regression ? "regression" : "binning";
  if (e.method == EvppiMethod::binning) j["bins_per_member"] = e.bins_per_member;
  if (!e.computed) {
    j["reason"] = e.reason;
    return j;
  }
  j["value"] = finite_or_null(e.value);
  j["ci95"] = interval_json(e.low, e.high);
  j["raw"] = finite_or_null(e.raw);
  j["plug_in"] = finite_or_null(e.plug_in);
  j["clipped"] = e.clipped;
  j["std_error"] = finite_or_null(e.std_error);
  j["consistent_with_zero"] = e.consistent_with_zero;
  if (e.method == EvppiMethod::binning) {
    j["noise_bound"] = finite_or_null(e.noise_bound);
    j["cells"] = e.cells;
  }
  return j;
}

/// The tornado's entries of one decision: parameters in input order, each with every mode in mode order.
nlohmann::json tornado_json(const UncertaintyResult& r, const DecisionOutcome& d) {
  nlohmann::json entries = nlohmann::json::array();
  const std::size_t parameters = r.inputs.size();
  if (d.tornado.size() != r.modes.size() * parameters) return entries;  // no result: no tornado
  for (std::size_t j = 0; j < parameters; ++j) {
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const DecileMeans& t = d.tornado[m * parameters + j];
      entries.push_back({{"parameter", r.inputs[j].name},
                         {"parameter_unit", r.inputs[j].unit},
                         {"mode", r.modes[m]},
                         {"unit", d.unit},
                         {"mean_low_decile", finite_or_null(t.lowest.mean)},
                         {"mean_low_decile_ci95", interval_json(t.lowest.low, t.lowest.high)},
                         {"runs_low_decile", t.lowest.runs},
                         {"mean_high_decile", finite_or_null(t.highest.mean)},
                         {"mean_high_decile_ci95", interval_json(t.highest.low, t.highest.high)},
                         {"runs_high_decile", t.highest.runs}});
    }
  }
  return entries;
}

/// tornado.csv's rows of one decision: one per (parameter, mode, decile).
void add_tornado_rows(const UncertaintyResult& r, const DecisionOutcome& d, std::ostringstream& csv) {
  const std::size_t parameters = r.inputs.size();
  if (d.tornado.size() != r.modes.size() * parameters) return;
  for (std::size_t j = 0; j < parameters; ++j) {
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const DecileMeans& t = d.tornado[m * parameters + j];
      for (const auto& [decile, mean] : {std::pair{"lowest", &t.lowest}, std::pair{"highest", &t.highest}}) {
        csv << csv_text(d.request.output) << "," << to_string(d.request.direction) << "," << csv_text(r.inputs[j].name)
            << "," << csv_text(r.inputs[j].unit) << "," << csv_text(r.modes[m]) << "," << decile << "," << mean->runs
            << "," << csv_number(mean->mean) << "," << csv_number(mean->low) << "," << csv_number(mean->high) << ","
            << csv_text(d.unit) << "\n";
      }
    }
  }
}

/// One decision's object (the contract keys and the extras of decision_report.hpp).
nlohmann::json decision_json(const UncertaintyResult& r, const DecisionOutcome& d) {
  nlohmann::json j;
  j["output"] = d.request.output;
  j["direction"] = to_string(d.request.direction);
  j["unit"] = d.unit;
  j["runs"] = d.runs_seen;
  j["runs_used"] = d.runs_used;
  j["runs_excluded"] = d.runs_seen - d.runs_used;
  j["bins"] = d.bins;
  j["conf_level"] = GIVEN_DATA_CONF_LEVEL;
  nlohmann::json modes = nlohmann::json::array();
  nlohmann::json evppi = nlohmann::json::array(), not_computed = nlohmann::json::array();
  if (!d.result) {
    j["reason"] = d.reason;
    j["best_mode"] = nullptr;
    j["batches"] = nullptr;
    for (const auto& name : r.modes)
      modes.push_back(
          {{"name", name}, {"mean", nullptr}, {"prob_best", nullptr}, {"prob_best_ci95", {nullptr, nullptr}}});
    j["evpi"] = {{"value", nullptr}, {"ci95", {nullptr, nullptr}}};
  } else {
    const DecisionResult& result = *d.result;
    j["best_mode"] = r.modes[result.best_mode];
    j["batches"] = result.batches;
    for (std::size_t m = 0; m < result.modes.size(); ++m) {
      const ModeDecision& md = result.modes[m];
      modes.push_back({{"name", r.modes[m]},
                       {"mean", finite_or_null(md.mean)},
                       {"mean_ci95", interval_json(md.mean_low, md.mean_high)},
                       {"prob_best", finite_or_null(md.p_best)},
                       {"prob_best_ci95", interval_json(md.p_best_low, md.p_best_high)},
                       {"best_runs", md.best_runs}});
    }
    j["evpi"] = {{"value", finite_or_null(result.evpi.value)},
                 {"ci95", interval_json(result.evpi.low, result.evpi.high)},
                 {"std_error", finite_or_null(result.evpi.std_error)}};
    for (const EvppiRow& row : evppi_rows(r, d))
      (row.estimate->computed ? evppi : not_computed).push_back(evppi_json(r, row));
  }
  j["modes"] = modes;
  j["evppi"] = evppi;
  j["evppi_not_computed"] = not_computed;
  j["tornado"] = tornado_json(r, d);
  return j;
}

/// decision.csv's rows of one decision.
void add_csv_rows(const UncertaintyResult& r, const DecisionOutcome& d, std::ostringstream& csv) {
  const std::string prefix = csv_text(d.request.output) + "," + to_string(d.request.direction) + ",";
  const std::string unit = csv_text(d.unit);
  auto row = [&](const char* quantity, const std::string& subject, const char* kind, const std::string& value,
                 double low, double high, const std::string& value_unit, const std::string& note) {
    csv << prefix << quantity << "," << csv_text(subject) << "," << kind << "," << value << "," << csv_number(low)
        << "," << csv_number(high) << "," << value_unit << "," << csv_text(note) << "\n";
  };
  const double nan = std::nan("");
  row("runs_used", "", "", std::to_string(d.runs_used), nan, nan, "runs", "");
  row("runs_excluded", "", "", std::to_string(d.runs_seen - d.runs_used), nan, nan, "runs",
      "runs in which some mode failed");
  if (!d.result) {
    row("evpi", "", "", "", nan, nan, unit, "not computed: " + d.reason);
    return;
  }
  const DecisionResult& result = *d.result;
  const ModeDecision& best = result.modes[result.best_mode];
  row("best_mode", r.modes[result.best_mode], "", csv_number(best.mean), best.mean_low, best.mean_high, unit,
      "expected value");
  for (std::size_t m = 0; m < result.modes.size(); ++m)
    row("mean", r.modes[m], "", csv_number(result.modes[m].mean), result.modes[m].mean_low, result.modes[m].mean_high,
        unit, "");
  for (std::size_t m = 0; m < result.modes.size(); ++m)
    row("prob_best", r.modes[m], "", csv_number(result.modes[m].p_best), result.modes[m].p_best_low,
        result.modes[m].p_best_high, "1", "");
  row("evpi", "", "", csv_number(result.evpi.value), result.evpi.low, result.evpi.high, unit, "");
  for (const EvppiRow& e : evppi_rows(r, d)) {
    const EvppiEstimate& x = *e.estimate;
    if (!x.computed) {
      row("evppi", e.factor, e.kind, "", nan, nan, unit, "not computed: " + x.reason);
      continue;
    }
    std::string note = x.method == EvppiMethod::regression ? "linear regression on the members" : "";
    if (x.consistent_with_zero) note += message(note.empty() ? "" : "; ", "consistent with zero");
    if (x.clipped) note += message(note.empty() ? "" : "; ", "clipped from ", csv_number(x.raw));
    row("evppi", e.factor, e.kind, csv_number(x.value), x.low, x.high, unit, note);
  }
}

}  // namespace

void write_decision_report(const UncertaintyResult& r, const Provenance& prov, const std::string& directory) {
  const bool any = !r.decisions.empty();
  std::ostringstream csv, tornado;
  nlohmann::json file;
  if (any) {
    csv << detail::uncertainty_comment(r, prov)
        << "output,direction,quantity,subject,kind,value,ci95_low,ci95_high,unit,note\n";
    tornado << detail::uncertainty_comment(r, prov)
            << "output,direction,parameter,parameter_unit,mode,decile,runs,mean,ci95_low,ci95_high,unit\n";
    nlohmann::json all = nlohmann::json::array();
    for (const DecisionOutcome& d : r.decisions) {
      all.push_back(decision_json(r, d));
      add_csv_rows(r, d, csv);
      add_tornado_rows(r, d, tornado);
    }
    file = all.front();
    detail::add_uncertainty_provenance(file, r, prov);
    file["decisions"] = all;
  }
  detail::write_or_remove(directory, "decision.csv", any, csv.str());
  detail::write_or_remove(directory, "decision.json", any, any ? file.dump(2) + "\n" : std::string());
  detail::write_or_remove(directory, "tornado.csv", any, tornado.str());
}

}  // namespace symbiomc
