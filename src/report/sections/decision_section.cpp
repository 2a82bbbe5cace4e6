// The "decision" section, from decision.json of `symbiomc uncertainty --decision` (one block per
// decision of its "decisions" array): the best mode, each mode's mean and P(best), EVPI, the
// EVPPI of every parameter and group (what to measure first), the probabilistic tornado, and,
// from importance.json beside it, the first-order index and delta of every parameter for the
// decision's output. Drawn at the top of the page (report/report.js).
#include "report/sections/registry.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"
#include "symbiomc/base/csv_format.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;

constexpr const char* PRODUCER = "`symbiomc uncertainty --decision OUTPUT --out DIR`";

json interval_of(const JsonFile& f, const json& x, std::string_view key, const std::string& where) {
  return x.contains(key) ? page_interval(f.interval(x, key, where)) : json::array({nullptr, nullptr});
}

/// The modes of one decision: {id, mean, mean_ci, p_best, p_best_ci}.
json read_modes(PageBuilder& page, const JsonFile& f, const json& d, const std::string& where, const std::string& unit,
                ChartTable& table) {
  json modes = json::array();
  const json& list = f.array(d, "modes", where);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string w = JsonFile::at(where, "modes", i);
    const json& m = list[i];
    const std::string id = f.text(m, "name", w);
    page.add_mode(id);
    const double mean = f.number(m, "mean", w), p = f.number(m, "prob_best", w);
    const auto pci = f.interval(m, "prob_best_ci95", w);
    modes.push_back({{"id", id},
                     {"mean", page_number(mean)},
                     {"mean_ci", interval_of(f, m, "mean_ci95", w)},
                     {"p_best", page_number(p)},
                     {"p_best_ci", page_interval(pci)}});
    table.rows.push_back({csv_text(f.text(d, "output", where)), csv_text(id), csv_number(mean), csv_text(unit),
                          csv_number(p), csv_number(pci.first), csv_number(pci.second)});
  }
  return modes;
}

/// EVPPI of every parameter and group, as in the file (largest first).
json read_evppi(const JsonFile& f, const json& d, const std::string& where, const std::string& unit,
                ChartTable& table) {
  json list = json::array();
  if (!d.contains("evppi")) return list;
  const json& entries = f.array(d, "evppi", where);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string w = JsonFile::at(where, "evppi", i);
    const json& e = entries[i];
    const double value = f.number(e, "value", w);
    const auto ci = f.interval(e, "ci95", w);
    json entry{{"factor", f.text(e, "factor", w)},
               {"kind", f.text(e, "kind", w)},
               {"value", page_number(value)},
               {"ci", page_interval(ci)},
               {"zero", f.boolean_or(e, "consistent_with_zero", w, false)}};
    if (e.contains("members")) entry["members"] = f.array(e, "members", w);
    table.rows.push_back({csv_text(f.text(d, "output", where)), csv_text(entry["factor"].get<std::string>()),
                          csv_text(entry["kind"].get<std::string>()), csv_number(value), csv_number(ci.first),
                          csv_number(ci.second), csv_text(unit)});
    list.push_back(std::move(entry));
  }
  return list;
}

/// The tornado: {parameter, parameter_unit, mode, low, low_ci, high, high_ci} (absent in files
/// written before it existed: empty).
json read_tornado(const JsonFile& f, const json& d, const std::string& where, const std::string& unit,
                  ChartTable& table) {
  json list = json::array();
  if (!d.contains("tornado")) return list;
  const json& entries = f.array(d, "tornado", where);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string w = JsonFile::at(where, "tornado", i);
    const json& e = entries[i];
    const double low = f.number(e, "mean_low_decile", w), high = f.number(e, "mean_high_decile", w);
    const std::string parameter = f.text(e, "parameter", w), mode = f.text(e, "mode", w);
    const std::string parameter_unit = f.text_or(e, "parameter_unit", w, "");
    list.push_back({{"parameter", parameter},
                    {"parameter_unit", parameter_unit},
                    {"mode", mode},
                    {"low", page_number(low)},
                    {"low_ci", interval_of(f, e, "mean_low_decile_ci95", w)},
                    {"high", page_number(high)},
                    {"high_ci", interval_of(f, e, "mean_high_decile_ci95", w)}});
    table.rows.push_back({csv_text(f.text(d, "output", where)), csv_text(mode), csv_text(parameter),
                          csv_text(parameter_unit), csv_number(low), csv_number(high), csv_text(unit)});
  }
  return list;
}

/// importance.json's first-order index and delta of every (mode, parameter) of `output`.
json read_importance(const std::filesystem::path& dir, const std::string& output) {
  json list = json::array();
  const std::filesystem::path path = dir / "importance.json";
  if (!std::filesystem::exists(path)) return list;
  const JsonFile f(path.string(), "`symbiomc uncertainty --out DIR`");
  if (!f.root().contains("indices")) return list;
  const json& indices = f.array(f.root(), "indices", "");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::string w = JsonFile::at("", "indices", i);
    const json& x = indices[i];
    if (f.text(x, "output", w) != output) continue;
    json entry{{"mode", f.text(x, "mode", w)}, {"parameter", f.text(x, "parameter", w)}};
    if (x.contains("first_order")) {
      entry["first_order"] = page_index(f.number(x, "first_order", w));
      entry["first_order_ci"] = interval_of(f, x, "first_order_ci95", w);
    }
    if (x.contains("delta")) {
      entry["delta"] = page_index(f.number(x, "delta", w));
      entry["delta_ci"] = interval_of(f, x, "delta_ci95", w);
    }
    list.push_back(std::move(entry));
  }
  return list;
}

}  // namespace

json build_decision_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), PRODUCER);
  ChartTable modes_table{"decision_modes",
                         "decision_modes.csv",
                         "symbiomc report: each mode's mean and probability of being best, from " + f.path(),
                         {"output", "mode", "mean", "unit", "prob_best", "prob_best_ci95_low", "prob_best_ci95_high"},
                         {}};
  ChartTable evppi_table{
      "decision_evppi",
      "decision_evppi.csv",
      "symbiomc report: expected value of partial perfect information per parameter and group, from " + f.path(),
      {"output", "factor", "kind", "evppi", "ci95_low", "ci95_high", "unit"},
      {}};
  ChartTable tornado_table{
      "decision_tornado",
      "decision_tornado.csv",
      "symbiomc report: the output's mean with each parameter in its lowest and highest decile, "
      "from " +
          f.path(),
      {"output", "mode", "parameter", "parameter_unit", "mean_lowest_decile", "mean_highest_decile", "unit"},
      {}};
  json decisions = json::array();
  const json& list = f.array(f.root(), "decisions", "");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = JsonFile::at("", "decisions", i);
    const json& d = list[i];
    const std::string output = f.text(d, "output", where), unit = f.text(d, "unit", where);
    page.add_output(output, unit);
    json block{{"output", output},
               {"unit", unit},
               {"direction", f.text(d, "direction", where)},
               {"runs_used", f.number_or(d, "runs_used", where, NAN)},
               {"runs_excluded", f.number_or(d, "runs_excluded", where, NAN)},
               {"modes", read_modes(page, f, d, where, unit, modes_table)}};
    const json& best = f.member(d, "best_mode", where);
    block["best_mode"] = best.is_string() ? json(best.get<std::string>()) : json(nullptr);
    if (d.contains("reason")) block["reason"] = f.text(d, "reason", where);
    const json& evpi = f.object(d, "evpi", where);
    block["evpi"] = {{"value", page_number(f.number(evpi, "value", where + ".evpi"))},
                     {"ci", page_interval(f.interval(evpi, "ci95", where + ".evpi"))}};
    block["evppi"] = read_evppi(f, d, where, unit, evppi_table);
    block["tornado"] = read_tornado(f, d, where, unit, tornado_table);
    block["importance"] = read_importance(input.dir, output);
    decisions.push_back(std::move(block));
  }
  page.tables.push_back(std::move(modes_table));
  page.tables.push_back(std::move(evppi_table));
  page.tables.push_back(std::move(tornado_table));
  return json{{"conf_level", 0.95}, {"decisions", std::move(decisions)}};
}

}  // namespace symbiomc::detail
