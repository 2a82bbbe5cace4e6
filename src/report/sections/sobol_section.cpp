// The "sobol" section, from sobol.json of `symbiomc sensitivity`: per mode and output the
// first-order and total indices of the leading parameters (the rest summarised), of the
// parameter groups, and their convergence against the number of base samples.
#include "report/sections/registry.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;
using Key = std::pair<std::string, std::string>;  // (mode, output)

struct SobolRow {
  std::string name;
  bool group = false;
  double rank = 0, s1 = 0, s1_low = 0, s1_high = 0, st = 0, st_low = 0, st_high = 0;
  bool overlaps = false;
};

/// One point of a convergence line: the indices with N base samples.
struct Point {
  double n, s1, st, st_low, st_high;
};

struct SobolTables {
  ChartTable indices, groups, convergence;
};

json sobol_row_json(const SobolRow& r) {
  return json{{"name", r.name},
              {"rank", r.rank},
              {"S1", page_index(r.s1)},
              {"S1_low", page_index(r.s1_low)},
              {"S1_high", page_index(r.s1_high)},
              {"ST", page_index(r.st)},
              {"ST_low", page_index(r.st_low)},
              {"ST_high", page_index(r.st_high)},
              {"overlaps", r.overlaps}};
}

CsvCells table_row(const PageBuilder& page, const Key& key, const SobolRow& r) {
  return CsvCells{csv_text(key.first),  csv_text(key.second),  csv_text(page.unit_of(key.second)),
                  csv_text(r.name),     csv_number(r.rank),    csv_number(r.s1),
                  csv_number(r.s1_low), csv_number(r.s1_high), csv_number(r.st),
                  csv_number(r.st_low), csv_number(r.st_high)};
}

/// The indices of sobol.json per (mode, output), in the file's order; counts the distinct
/// parameters and groups into `settings`.
std::map<Key, std::vector<SobolRow>> read_indices(const JsonFile& f, json& settings) {
  std::map<Key, std::vector<SobolRow>> rows;
  std::set<std::string> parameters, groups;
  const json& indices = f.array(f.root(), "indices", "");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::string w = JsonFile::at("", "indices", i);
    const json& x = indices[i];
    SobolRow r;
    r.name = f.text(x, "parameter", w);
    r.group = f.text_or(x, "kind", w, "parameter") == "group";
    r.rank = f.number_or(x, "rank", w, NAN);
    r.s1 = f.number(x, "S1", w);
    r.s1_low = f.number(x, "S1_low", w);
    r.s1_high = f.number(x, "S1_high", w);
    r.st = f.number(x, "ST", w);
    r.st_low = f.number(x, "ST_low", w);
    r.st_high = f.number(x, "ST_high", w);
    r.overlaps = f.boolean_or(x, "rank_overlaps_next", w, false);
    (r.group ? groups : parameters).insert(r.name);
    rows[{f.text(x, "mode", w), f.text(x, "output", w)}].push_back(std::move(r));
  }
  settings["n_parameters"] = parameters.size();
  settings["n_groups"] = groups.size();
  return rows;
}

/// Convergence: (mode, output, parameter) -> points, in the file's order.
std::map<std::pair<Key, std::string>, std::vector<Point>> read_convergence(const JsonFile& f) {
  std::map<std::pair<Key, std::string>, std::vector<Point>> convergence;
  if (!f.root().contains("convergence")) return convergence;
  const json& list = f.array(f.root(), "convergence", "");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string w = JsonFile::at("", "convergence", i);
    const json& x = list[i];
    convergence[{{f.text(x, "mode", w), f.text(x, "output", w)}, f.text(x, "parameter", w)}].push_back(
        {f.number(x, "base_runs", w), f.number(x, "S1", w), f.number(x, "ST", w), f.number_or(x, "ST_low", w, NAN),
         f.number_or(x, "ST_high", w, NAN)});
  }
  return convergence;
}

/// One convergence line for the page (points in increasing N), with its CSV rows.
json convergence_line(const Key& key, const std::string& parameter, std::vector<Point> points, ChartTable& table) {
  std::sort(points.begin(), points.end(), [](const Point& x, const Point& y) { return x.n < y.n; });
  json line{{"name", parameter},   {"N", json::array()},      {"S1", json::array()},
            {"ST", json::array()}, {"ST_low", json::array()}, {"ST_high", json::array()}};
  for (const auto& pt : points) {
    line["N"].push_back(pt.n);
    line["S1"].push_back(page_index(pt.s1));
    line["ST"].push_back(page_index(pt.st));
    line["ST_low"].push_back(page_index(pt.st_low));
    line["ST_high"].push_back(page_index(pt.st_high));
    table.rows.push_back({csv_text(key.first), csv_text(key.second), csv_text(parameter), csv_number(pt.n),
                          csv_number(pt.s1), csv_number(pt.st), csv_number(pt.st_low), csv_number(pt.st_high)});
  }
  return line;
}

/// One mode and output (sobol.json outputs[i], at `where`; `key`) for the page: its leading
/// parameters' indices, the others summarised, its groups and its convergence lines.
json output_indices(PageBuilder& page, const JsonFile& f, const json& o, const std::string& where, const Key& key,
                    const std::vector<SobolRow>& rows,
                    const std::map<std::pair<Key, std::string>, std::vector<Point>>& convergence,
                    const HtmlReportOptions& options, SobolTables& tables) {
  page.add_mode(key.first);
  page.add_output(key.second, f.text_or(o, "unit", where, ""));
  std::vector<SobolRow> params, group_rows;
  for (const auto& r : rows) (r.group ? group_rows : params).push_back(r);
  // Largest ST first; factors with both indices exactly 0 (they do not touch the output) last.
  auto by_total = [](const SobolRow& x, const SobolRow& y) {
    const bool x_zero = x.st == 0 && x.s1 == 0, y_zero = y.st == 0 && y.s1 == 0;
    if (x_zero != y_zero) return y_zero;
    return x.st != y.st ? x.st > y.st : x.name < y.name;
  };
  std::stable_sort(params.begin(), params.end(), by_total);
  std::stable_sort(group_rows.begin(), group_rows.end(), by_total);
  json entry{{"mode", key.first},
             {"output", key.second},
             {"unit", f.text_or(o, "unit", where, "")},
             {"mean", page_number(f.number_or(o, "mean", where, NAN))},
             {"variance", page_number(f.number_or(o, "variance", where, NAN))},
             {"zero_variance", f.boolean_or(o, "zero_variance", where, false)},
             {"sum_S1", page_index(f.number_or(o, "sum_S1", where, NAN))},
             {"warning", f.text_or(o, "warning", where, "")},
             {"dropped", f.number_or(o, "dropped_base_samples", where, 0)},
             {"parameters", json::array()},
             {"groups", json::array()},
             {"convergence", json::array()}};
  // Parameters with both indices exactly 0 do not touch this output: not worth a bar.
  std::size_t effective = 0;
  while (effective < params.size() && (params[effective].st != 0 || params[effective].s1 != 0)) ++effective;
  const std::size_t shown = std::min(options.top_factors, effective);
  double others_max = 0;
  for (std::size_t p = 0; p < params.size(); ++p) {
    if (p < shown) {
      entry["parameters"].push_back(sobol_row_json(params[p]));
      tables.indices.rows.push_back(table_row(page, key, params[p]));
    } else {
      others_max = std::max(others_max, params[p].st);
    }
  }
  entry["others"] = json{{"count", params.size() - shown}, {"max_ST", page_index(others_max)}};
  for (const auto& g : group_rows) {
    entry["groups"].push_back(sobol_row_json(g));
    tables.groups.rows.push_back(table_row(page, key, g));
  }
  if (!entry["zero_variance"].get<bool>()) {
    for (std::size_t p = 0; p < std::min(options.convergence_factors, effective); ++p) {
      const auto it = convergence.find({key, params[p].name});
      if (it == convergence.end()) continue;
      entry["convergence"].push_back(convergence_line(key, params[p].name, it->second, tables.convergence));
    }
  }
  return entry;
}

/// Failed model runs and dropped base samples per mode (in page order), with their shares.
json failures(const PageBuilder& page, const JsonFile& f, const std::string& run, const json& settings) {
  json page_failures = json::array();
  if (!f.root().contains("failures")) return page_failures;
  const json& by_mode = f.object(f.root(), "failures", "");
  const double model_runs = settings["model_runs"].is_number() ? settings["model_runs"].get<double>() : NAN;
  for (const auto& mode : page.mode_order) {
    if (!by_mode.contains(mode)) continue;
    const std::string mw = JsonFile::join("failures", mode);
    const json& m = f.object(by_mode, mode, "failures");
    if (m.contains("failed_runs")) {
      const json& reasons = f.object(m, "failed_runs", mw);
      for (const auto& [reason, count] : reasons.items()) {
        const double n = f.number(reasons, reason, mw + ".failed_runs");
        page_failures.push_back(json{
            {"run", run}, {"mode", mode}, {"reason", reason}, {"count", n}, {"rate", page_number(n / model_runs)}});
      }
    }
    const double dropped = f.number_or(m, "dropped_base_samples", mw, 0);
    page_failures.push_back(json{{"run", run},
                                 {"mode", mode},
                                 {"reason", "dropped_base_samples"},
                                 {"count", dropped},
                                 {"rate", page_number(dropped / settings["base_runs"].get<double>())}});
  }
  return page_failures;
}

}  // namespace

json build_sobol_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), "`symbiomc sensitivity --out DIR`");
  const json& root = f.root();
  const HtmlReportOptions& options = input.options;
  json s{{"base_runs", f.number(root, "base_runs", "")},
         {"model_runs", f.number_or(root, "model_runs", "", NAN)},
         {"sampling", f.text_or(root, "base_sampling", "", "")},
         {"interval_method", f.text_or(root, "interval_method", "", "")},
         {"conf_level", f.number_or(root, "conf_level", "", 0.95)},
         {"groups", f.boolean_or(root, "groups", "", false)},
         {"second_order", f.boolean_or(root, "second_order", "", false)},
         {"correlation_ignored", f.boolean_or(root, "correlation_ignored", "", false)},
         {"estimators", root.contains("estimators") ? f.object(root, "estimators", "") : json::object()}};
  std::map<Key, std::vector<SobolRow>> rows = read_indices(f, s);
  const auto convergence = read_convergence(f);

  const CsvCells index_header{"mode",   "output",  "unit", "factor", "rank",   "S1",
                              "S1_low", "S1_high", "ST",   "ST_low", "ST_high"};
  SobolTables tables{
      {"sobol_indices",
       "sobol_indices.csv",
       message("symbiomc report: Sobol' indices of the ", options.top_factors,
               " parameters with the largest ST per mode and output (all parameters: sobol.csv), from ", f.path()),
       index_header,
       {}},
      {"sobol_groups",
       "sobol_groups.csv",
       "symbiomc report: Sobol' indices of the parameter groups, from " + f.path(),
       index_header,
       {}},
      {"sobol_convergence",
       "sobol_convergence.csv",
       message("symbiomc report: Sobol' indices against the number of base samples N for the ",
               options.convergence_factors, " leading parameters, from ", f.path()),
       {"mode", "output", "parameter", "base_runs", "S1", "ST", "ST_low", "ST_high"},
       {}}};

  json results = json::array();
  const json& outputs = f.array(root, "outputs", "");
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string w = JsonFile::at("", "outputs", i);
    const Key key{f.text(outputs[i], "mode", w), f.text(outputs[i], "output", w)};
    results.push_back(output_indices(page, f, outputs[i], w, key, rows[key], convergence, options, tables));
  }
  s["results"] = std::move(results);
  s["failures"] = failures(page, f, std::string(input.run), s);

  page.tables.push_back(std::move(tables.indices));
  if (!tables.groups.rows.empty()) page.tables.push_back(std::move(tables.groups));
  if (!tables.convergence.rows.empty()) page.tables.push_back(std::move(tables.convergence));
  page.add_provenance(f, std::string(input.run), input.dir,
                      json{{"method", "sobol"},
                           {"sampling", s["sampling"]},
                           {"seed", f.number_or(root, "seed", "", NAN)},
                           {"base_runs", s["base_runs"]},
                           {"runs", s["model_runs"]},
                           {"conf_level", s["conf_level"]}});
  return s;
}

}  // namespace symbiomc::detail
