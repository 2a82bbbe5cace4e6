// The "uncertainty" section, from summary.json and histograms.csv of `symbiomc uncertainty`:
// per mode and output the distribution (interval plot, histogram on an axis common to all
// modes), the probabilities of exceeding 0 and each --threshold, the paired comparisons of
// modes and the failed runs.
#include "report/sections/registry.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/report/result_csv.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

/// Histograms of every mode of one output on common edges, so the modes can be compared on
/// one axis. The source histograms (histograms.csv) have thousands of narrow bins per mode;
/// each source bin goes whole into the target bin holding its midpoint, which misplaces a
/// count by at most half a source bin.
struct OutputHistograms {
  double low = 0, high = 0;
  std::map<std::string, std::vector<double>> counts;  ///< mode -> counts per target bin
};
using ModeOutput = std::pair<std::string, std::string>;

/// The common axis of each output: from the smallest minimum to the largest maximum of its modes.
std::map<std::string, OutputHistograms> common_axes(const json& stats) {
  std::map<std::string, OutputHistograms> per_output;
  for (const json& s : stats) {
    const std::string output = s["output"];
    if (s["min"].is_null() || s["max"].is_null()) continue;
    const double lo = s["min"].get<double>(), hi = s["max"].get<double>();
    auto [it, fresh] = per_output.try_emplace(output);
    if (fresh) {
      it->second.low = lo;
      it->second.high = hi;
    } else {
      it->second.low = std::min(it->second.low, lo);
      it->second.high = std::max(it->second.high, hi);
    }
  }
  for (auto& [output, h] : per_output) {
    if (!(h.high > h.low)) {  // every mode constant at one value: one bin around it
      const double half = std::max(std::abs(h.low) * 0.05, 0.5);
      h.low -= half;
      h.high += half;
    }
  }
  return per_output;
}

/// Adds every source bin of histograms.csv to the target bin holding its midpoint; returns the
/// total count per (mode, output).
std::map<ModeOutput, double> rebin(const ResultCsv& csv, std::size_t bins,
                                   std::map<std::string, OutputHistograms>& per_output) {
  std::map<ModeOutput, double> totals;
  const std::size_t c_mode = csv.column("mode"), c_output = csv.column("output"), c_low = csv.column("bin_low"),
                    c_high = csv.column("bin_high"), c_count = csv.column("count");
  for (const auto& line : csv.rows()) {
    const std::string& output = csv.text(line, c_output);
    const auto it = per_output.find(output);
    if (it == per_output.end()) continue;
    OutputHistograms& h = it->second;
    const std::string& mode = csv.text(line, c_mode);
    const double mid = 0.5 * (csv.number(line, c_low) + csv.number(line, c_high));
    const double count = csv.number(line, c_count);
    auto& counts = h.counts[mode];
    counts.resize(bins, 0.0);
    const double position = (mid - h.low) / (h.high - h.low) * static_cast<double>(bins);
    const auto index = static_cast<std::size_t>(std::clamp(std::floor(position), 0.0, static_cast<double>(bins - 1)));
    counts[index] += count;
    totals[{mode, output}] += count;
  }
  return totals;
}

/// The rebinned histograms for the page, in the order of the outputs and modes, and their rows
/// of distributions_histogram.csv; nullopt (and a note) when histograms.csv is missing.
std::optional<json> rebinned_histograms(PageBuilder& page, const fs::path& dir, const json& stats, std::size_t bins,
                                        ChartTable& table) {
  const fs::path path = dir / "histograms.csv";
  if (!fs::exists(path)) {
    page.notes.push_back(message(path.string(), " is missing: the distributions are shown without histograms"));
    return std::nullopt;
  }
  std::map<std::string, OutputHistograms> per_output = common_axes(stats);
  const std::map<ModeOutput, double> totals = rebin(ResultCsv(path.string()), bins, per_output);
  json histograms = json::array();
  for (const auto& output : page.output_order) {
    const auto it = per_output.find(output);
    if (it == per_output.end()) continue;
    const OutputHistograms& h = it->second;
    const double width = (h.high - h.low) / static_cast<double>(bins);
    json modes = json::array();
    for (const auto& mode : page.mode_order) {
      const auto c = h.counts.find(mode);
      if (c == h.counts.end()) continue;
      const double total = totals.at({mode, output});
      json counts = json::array();
      for (std::size_t i = 0; i < bins; ++i) {
        counts.push_back(c->second[i]);
        table.rows.push_back({csv_text(output), csv_text(page.unit_of(output)), csv_text(mode),
                              csv_number(h.low + width * static_cast<double>(i)),
                              csv_number(h.low + width * static_cast<double>(i + 1)), csv_number(c->second[i]),
                              csv_number(total > 0 ? c->second[i] / (total * width) : NAN)});
      }
      modes.push_back(json{{"mode", mode}, {"total", total}, {"counts", std::move(counts)}});
    }
    histograms.push_back(json{{"output", output},
                              {"low", page_number(h.low)},
                              {"high", page_number(h.high)},
                              {"bins", bins},
                              {"modes", std::move(modes)}});
  }
  return histograms;
}

/// One output of one mode (summary.json modes[m].outputs[o], at `where`) for the page, with its
/// rows of distributions_summary.csv and probabilities.csv.
json output_statistics(const JsonFile& f, const json& r, const std::string& where, const std::string& mode,
                       ChartTable& summary, ChartTable& probabilities) {
  const std::string name = f.text(r, "name", where);
  const std::string unit = f.text_or(r, "unit", where, "");
  const json& q = f.object(r, "quantiles", where);
  auto quantile = [&](const char* key) { return f.number_or(q, key, where + ".quantiles", NAN); };
  const auto ci = f.interval(r, "ci", where);
  const double runs_ok = f.number(r, "runs_ok", where);
  json entry{{"mode", mode},
             {"output", name},
             {"unit", unit},
             {"runs_ok", runs_ok},
             {"mean", page_number(f.number(r, "mean", where))},
             {"sd", page_number(f.number(r, "sd", where))},
             {"se", page_number(f.number_or(r, "standard_error", where, NAN))},
             {"ci", page_interval(ci)},
             {"min", page_number(f.number(r, "min", where))},
             {"max", page_number(f.number(r, "max", where))},
             {"q", json::object()},
             {"p_pos", page_number(f.number(r, "prob_positive", where))},
             {"p_pos_ci", page_interval(f.interval(r, "prob_positive_ci", where))},
             {"thresholds", json::array()}};
  for (const char* key : {"p1", "p5", "p25", "p50", "p75", "p95", "p99"}) entry["q"][key] = page_number(quantile(key));
  summary.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_number(runs_ok),
                          csv_number(f.number(r, "mean", where)), csv_number(ci.first), csv_number(ci.second),
                          csv_number(f.number(r, "sd", where)), csv_number(f.number(r, "min", where)),
                          csv_number(quantile("p5")), csv_number(quantile("p25")), csv_number(quantile("p50")),
                          csv_number(quantile("p75")), csv_number(quantile("p95")),
                          csv_number(f.number(r, "max", where))});
  const auto pci = f.interval(r, "prob_positive_ci", where);
  probabilities.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_text("> 0"), csv_number(0.0),
                                csv_number(f.number(r, "prob_positive", where)), csv_number(pci.first),
                                csv_number(pci.second)});
  if (r.contains("thresholds")) {
    const json& thresholds = f.array(r, "thresholds", where);
    for (std::size_t t = 0; t < thresholds.size(); ++t) {
      const std::string tw = JsonFile::at(where, "thresholds", t);
      const double value = f.number(thresholds[t], "threshold", tw);
      const double p = f.number(thresholds[t], "prob_above", tw);
      const auto tci = f.interval(thresholds[t], "ci", tw);
      entry["thresholds"].push_back(
          json{{"value", page_number(value)}, {"p", page_number(p)}, {"ci", page_interval(tci)}});
      probabilities.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_text("> " + csv_number(value)),
                                    csv_number(value), csv_number(p), csv_number(tci.first), csv_number(tci.second)});
    }
  }
  return entry;
}

/// Every output of every mode, in the file's order; records the modes and outputs.
json statistics(PageBuilder& page, const JsonFile& f, ChartTable& summary, ChartTable& probabilities) {
  json stats = json::array();
  const json& modes = f.array(f.root(), "modes", "");
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const std::string mw = JsonFile::at("", "modes", m);
    const std::string mode = f.text(modes[m], "name", mw);
    page.add_mode(mode);
    const json& outputs = f.array(modes[m], "outputs", mw);
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const std::string ow = JsonFile::at(mw, "outputs", o);
      page.add_output(f.text(outputs[o], "name", ow), f.text_or(outputs[o], "unit", ow, ""));
      stats.push_back(output_statistics(f, outputs[o], ow, mode, summary, probabilities));
    }
  }
  return stats;
}

/// The paired comparisons of modes (share of runs in which mode a gives more than mode b).
json comparisons(const JsonFile& f, ChartTable& table) {
  json page_comparisons = json::array();
  if (!f.root().contains("comparisons")) return page_comparisons;
  const json& list = f.array(f.root(), "comparisons", "");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string cw = JsonFile::at("", "comparisons", i);
    const json& c = list[i];
    const json& dq = f.object(c, "difference_quantiles", cw);
    const auto ci = f.interval(c, "prob_a_greater_ci", cw);
    const double q5 = f.number_or(dq, "p5", cw, NAN), q50 = f.number_or(dq, "p50", cw, NAN),
                 q95 = f.number_or(dq, "p95", cw, NAN);
    json entry{{"output", f.text(c, "output", cw)},
               {"unit", f.text_or(c, "unit", cw, "")},
               {"a", f.text(c, "mode_a", cw)},
               {"b", f.text(c, "mode_b", cw)},
               {"runs", f.number_or(c, "runs", cw, NAN)},
               {"p", page_number(f.number(c, "prob_a_greater", cw))},
               {"ci", page_interval(ci)},
               {"mean_diff", page_number(f.number_or(c, "mean_difference", cw, NAN))},
               {"sd_diff", page_number(f.number_or(c, "sd_difference", cw, NAN))},
               {"q5", page_number(q5)},
               {"q50", page_number(q50)},
               {"q95", page_number(q95)}};
    table.rows.push_back(
        {csv_text(entry["output"].get<std::string>()), csv_text(entry["unit"].get<std::string>()),
         csv_text(entry["a"].get<std::string>()), csv_text(entry["b"].get<std::string>()),
         csv_number(f.number_or(c, "runs", cw, NAN)), csv_number(f.number(c, "prob_a_greater", cw)),
         csv_number(ci.first), csv_number(ci.second), csv_number(f.number_or(c, "mean_difference", cw, NAN)),
         csv_number(f.number_or(c, "sd_difference", cw, NAN)), csv_number(q5), csv_number(q50), csv_number(q95)});
    page_comparisons.push_back(std::move(entry));
  }
  return page_comparisons;
}

/// Failed runs per mode (in page order) and reason, with their share of the `runs`.
json failures(const PageBuilder& page, const JsonFile& f, const std::string& run, double runs, ChartTable& table) {
  json page_failures = json::array();
  if (!f.root().contains("failures_by_mode")) return page_failures;
  const json& by_mode = f.object(f.root(), "failures_by_mode", "");
  for (const auto& mode : page.mode_order) {
    if (!by_mode.contains(mode)) continue;
    const std::string mw = JsonFile::join("failures_by_mode", mode);
    const json& reasons = f.object(by_mode, mode, "failures_by_mode");
    for (const auto& [reason, count] : reasons.items()) {
      const double n = f.number(reasons, reason, mw);
      page_failures.push_back(
          json{{"run", run}, {"mode", mode}, {"reason", reason}, {"count", n}, {"rate", page_number(n / runs)}});
      table.rows.push_back({csv_text(run), csv_text(mode), csv_text(reason), csv_number(n), csv_number(n / runs)});
    }
  }
  return page_failures;
}

}  // namespace

json build_uncertainty_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), "`symbiomc uncertainty --out DIR`");
  const json& root = f.root();
  const double runs = f.number(root, "runs", "");
  json u{{"runs", runs},
         {"method", f.text_or(root, "method", "", "")},
         {"seed", f.number_or(root, "seed", "", NAN)},
         {"conf_level", f.number_or(root, "conf_level", "", 0.95)},
         {"replicates", f.number_or(root, "replicates", "", NAN)},
         {"on_failure", f.text_or(root, "on_failure", "", "")},
         {"failed_runs", f.number_or(root, "failures", "", 0)}};

  const std::string from = ", from " + f.path();
  ChartTable summary_table{
      "distribution_summary",
      "distributions_summary.csv",
      "symbiomc report: per mode and output, the interval plot (P5, P25, P50, P75, P95, mean with its CI)" + from,
      {"mode", "output", "unit", "runs_ok", "mean", "mean_ci_low", "mean_ci_high", "sd", "min", "p5", "p25", "p50",
       "p75", "p95", "max"},
      {}};
  ChartTable probability_table{
      "probabilities",
      "probabilities.csv",
      "symbiomc report: probability that an output exceeds 0 or a --threshold, per mode" + from,
      {"mode", "output", "unit", "event", "threshold", "probability", "ci_low", "ci_high"},
      {}};
  ChartTable comparison_table{
      "comparisons",
      "comparisons.csv",
      "symbiomc report: share of runs in which mode_a gives more of the output than mode_b (paired draws)" + from,
      {"output", "unit", "mode_a", "mode_b", "runs", "prob_a_greater", "ci_low", "ci_high", "mean_difference",
       "sd_difference", "p5_difference", "p50_difference", "p95_difference"},
      {}};
  ChartTable failure_table{"failures",
                           "failures.csv",
                           "symbiomc report: failed runs per mode and reason",
                           {"run", "mode", "reason", "count", "rate"},
                           {}};
  ChartTable histogram_table{"histograms",
                             "distributions_histogram.csv",
                             "symbiomc report: histograms of every output per mode on common bins (density = count / "
                             "(runs_ok x bin width)), from " +
                                 (input.dir / "histograms.csv").string(),
                             {"output", "unit", "mode", "bin_low", "bin_high", "count", "density"},
                             {}};

  u["stats"] = statistics(page, f, summary_table, probability_table);
  u["comparisons"] = comparisons(f, comparison_table);
  u["failures"] = failures(page, f, std::string(input.run), runs, failure_table);
  if (auto histograms = rebinned_histograms(page, input.dir, u["stats"], input.options.histogram_bins, histogram_table))
    u["histograms"] = std::move(*histograms);

  page.tables.push_back(std::move(summary_table));
  if (!histogram_table.rows.empty()) page.tables.push_back(std::move(histogram_table));
  page.tables.push_back(std::move(probability_table));
  page.tables.push_back(std::move(comparison_table));
  page.tables.push_back(std::move(failure_table));
  page.add_provenance(f, std::string(input.run), input.dir,
                      json{{"method", u["method"]},
                           {"seed", u["seed"]},
                           {"runs", runs},
                           {"block_size", f.number_or(root, "block_size", "", NAN)},
                           {"conf_level", u["conf_level"]}});
  return u;
}

}  // namespace symbiomc::detail
