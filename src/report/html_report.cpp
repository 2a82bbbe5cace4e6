#include "symbiomc/report/html_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "report/input/text_file.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/base/number_format.hpp"
#include "symbiomc/report/result_csv.hpp"

// The page template, the page script and the vendored libraries are compiled into the binary
// by report/CMakeLists.txt (report/embed_assets.cmake writes the definition below), so a
// report can be written anywhere without the repository.
namespace symbiomc::detail {
/// Text of report/<name> as it was at build time; "" when there is no such asset.
[[nodiscard]] std::string_view embedded_report_asset(std::string_view name) noexcept;
}  // namespace symbiomc::detail

namespace symbiomc {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view BALANCE_FILE = "balance.json";
constexpr std::string_view UNCERTAINTY_FILE = "summary.json";
constexpr std::string_view SOBOL_FILE = "sobol.json";
constexpr std::string_view MORRIS_FILE = "morris.json";

/// Why d3 (+ d3-sankey) draws the charts: the page needs a Sankey diagram, ridgeline
/// histograms with quantile marks, interval plots, CI whiskers on ranked bars and a log-N
/// convergence plot, all in one offline file. d3 gives scales, axes, shapes and a maintained
/// Sankey layout (d3-sankey, the reference implementation of that layout) in ~290 kB with
/// permissive licences (ISC, BSD-3-Clause) and plain SVG output a test can count; the
/// charting libraries we weighed either lack a Sankey (Vega-Lite, Chart.js) or are 1-3.5 MB
/// (ECharts, Plotly). The files are the npm packages' own dist builds, unmodified.
struct VendoredLibrary {
  std::string_view name;
  std::string_view licence;
  std::string_view homepage;
  std::string_view script_asset;
  std::string_view licence_asset;
};
constexpr VendoredLibrary LIBRARIES[] = {
    {"d3", "ISC", "https://d3js.org", "vendor/d3.min.js", "vendor/LICENSE.d3"},
    {"d3-sankey", "BSD-3-Clause", "https://github.com/d3/d3-sankey", "vendor/d3-sankey.min.js", "vendor/LICENSE.d3-sankey"},
};

std::string_view asset(std::string_view name) {
  const std::string_view text = detail::embedded_report_asset(name);
  if (text.empty()) throw ModelError(message("the report asset '", name, "' is missing from this build of symbiomc"));
  return text;
}

/// "7.9.0" from the banner the d3 builds start with ("// https://d3js.org v7.9.0 Copyright ...").
std::string banner_version(std::string_view script) {
  const std::string_view first_line = script.substr(0, script.find('\n'));
  for (std::size_t i = first_line.find(" v"); i != std::string_view::npos; i = first_line.find(" v", i + 1)) {
    if (i + 2 < first_line.size() && std::isdigit(static_cast<unsigned char>(first_line[i + 2]))) {
      const auto end = first_line.find(' ', i + 2);
      return std::string(first_line.substr(i + 2, end == std::string_view::npos ? std::string_view::npos : end - i - 2));
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Reading the result files

/// A parsed JSON result file and the accessors that name the file, the JSON path and what was
/// expected when something is missing or of the wrong type (the file may be hand-edited or
/// come from another version).
class JsonFile {
 public:
  JsonFile(std::string path, std::string producer) : path_(std::move(path)), producer_(std::move(producer)) {
    const std::string text = detail::read_text_file(path_);
    try {
      root_ = json::parse(text);
    } catch (const json::parse_error& e) {
      // Line and column from the byte offset, so an editor can jump to the defect.
      std::size_t line = 1, column = 1;
      const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
      for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      std::string reason = e.what();
      if (const auto colon = reason.find(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
      throw InputError(SourceLocation{path_, line, column},
                       message("malformed JSON (", reason, "); expected the ", fs::path(path_).filename().string(),
                               " written by ", producer_));
    }
    if (!root_.is_object()) fail("", message("expected a JSON object at the top level, found ", kind(root_)));
  }

  [[nodiscard]] const json& root() const noexcept { return root_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(SourceLocation{path_, 0, 0},
                     message(where.empty() ? "" : where + ": ", what, " (is this the file written by ", producer_, "?)"));
  }

  const json& member(const json& object, std::string_view key, const std::string& where) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(join(where, key), "missing");
    return *it;
  }
  const json& array(const json& object, std::string_view key, const std::string& where) const {
    const json& v = member(object, key, where);
    if (!v.is_array()) fail(join(where, key), message("expected an array, found ", kind(v)));
    return v;
  }
  const json& object(const json& object, std::string_view key, const std::string& where) const {
    const json& v = member(object, key, where);
    if (!v.is_object()) fail(join(where, key), message("expected an object, found ", kind(v)));
    return v;
  }
  /// A number; null (how the writers store NaN) becomes NaN.
  double number(const json& object, std::string_view key, const std::string& where) const {
    const json& v = member(object, key, where);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number()) fail(join(where, key), message("expected a number, found ", kind(v)));
    return v.get<double>();
  }
  double number_or(const json& object, std::string_view key, const std::string& where, double fallback) const {
    return object.contains(key) ? number(object, key, where) : fallback;
  }
  std::string text(const json& object, std::string_view key, const std::string& where) const {
    const json& v = member(object, key, where);
    if (!v.is_string()) fail(join(where, key), message("expected a string, found ", kind(v)));
    return v.get<std::string>();
  }
  std::string text_or(const json& object, std::string_view key, const std::string& where, std::string fallback) const {
    return object.contains(key) ? text(object, key, where) : fallback;
  }
  bool boolean_or(const json& object, std::string_view key, const std::string& where, bool fallback) const {
    if (!object.contains(key)) return fallback;
    const json& v = object.at(key);
    if (!v.is_boolean()) fail(join(where, key), message("expected true or false, found ", kind(v)));
    return v.get<bool>();
  }
  /// [low, high] of an interval stored as a two-element array.
  std::pair<double, double> interval(const json& object, std::string_view key, const std::string& where) const {
    const json& v = array(object, key, where);
    if (v.size() != 2) fail(join(where, key), message("expected [low, high], found ", v.size(), " elements"));
    auto get = [&](std::size_t i) {
      if (v[i].is_null()) return std::numeric_limits<double>::quiet_NaN();
      if (!v[i].is_number()) fail(join(where, key), message("expected numbers, found ", kind(v[i])));
      return v[i].get<double>();
    };
    return {get(0), get(1)};
  }

  static std::string join(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
  }
  static std::string at(const std::string& where, std::string_view key, std::size_t index) {
    return join(where, key) + "[" + std::to_string(index) + "]";
  }
  static std::string kind(const json& v) {
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_array()) return "an array";
    return "an object";
  }

 private:
  std::string path_;
  std::string producer_;
  json root_;
};

/// run.log: "key value" lines written next to the results (threads, wall time), kept out of
/// the result files so those stay byte-identical across thread counts.
json read_run_log(const fs::path& dir) {
  json log = json::object();
  std::ifstream in(dir / "run.log");
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    double number = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), number);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && std::isfinite(number)) log[key] = number;
    else log[key] = value;
  }
  return log;
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
  return buffer;
}

/// When the result file was written (its modification time): the result files carry no date
/// of their own, so that they stay byte-identical between identical runs.
std::string written_at(const fs::path& file) {
  std::error_code ec;
  const auto t = fs::last_write_time(file, ec);
  if (ec) return "";
  return utc_text(std::chrono::time_point_cast<std::chrono::system_clock::duration>(std::chrono::file_clock::to_sys(t)));
}

// ---------------------------------------------------------------------------------------
// Values for the page and the CSV files

/// A number for the page, rounded to `digits` significant digits: six for values a reader
/// sees printed (flows, means, quantiles), four for sensitivity indices and effects, which
/// are drawn and printed with two or three; the blob stays small. NaN and infinities become
/// null, which the page shows as a dash. The CSV files keep every digit (csv_number).
json page_number(double x, int digits = 6) {
  if (!std::isfinite(x)) return nullptr;
  return round_to_significant(x, digits);
}

json page_index(double x) { return page_number(x, 4); }

json page_interval(std::pair<double, double> ci) { return json::array({page_number(ci.first), page_number(ci.second)}); }

using Row = std::vector<std::string>;

/// The data of one chart as a CSV file beside the page (report_data/<file>).
struct ChartTable {
  std::string chart;  ///< key the page uses to link the file
  std::string file;
  std::string comment;
  Row header;
  std::vector<Row> rows;

  [[nodiscard]] std::string csv() const {
    std::string out = "# " + comment + "\n";
    auto line = [&out](const Row& r) {
      for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + r[i];
      out += "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
    return out;
  }
};

// ---------------------------------------------------------------------------------------
// Building the page data

struct Build {
  json data = json::object();
  std::vector<ChartTable> tables;
  std::vector<std::string> notes;
  std::vector<std::string> mode_order;              ///< ids, first seen first
  std::map<std::string, std::string> mode_names;    ///< id -> display name
  std::vector<std::string> output_order;
  std::map<std::string, json> outputs;              ///< name -> {name, unit, description}
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> checksums;  ///< path -> (run, checksum)
  std::map<std::string, std::string> file_roles;
  std::map<std::string, std::string> cases;         ///< run -> case name
  std::map<std::string, json> options;              ///< run -> options object
  json runs = json::array();

  void add_mode(const std::string& id, const std::string& name = "") {
    if (std::find(mode_order.begin(), mode_order.end(), id) == mode_order.end()) mode_order.push_back(id);
    if (!name.empty() && (mode_names[id].empty() || mode_names[id] == id)) mode_names[id] = name;
    if (mode_names[id].empty()) mode_names[id] = id;
  }
  void add_output(const std::string& name, const std::string& unit, const std::string& description = "") {
    if (!outputs.count(name)) {
      output_order.push_back(name);
      outputs[name] = json{{"name", name}, {"unit", unit}, {"description", description}};
    } else if (!description.empty() && outputs[name]["description"].get<std::string>().empty()) {
      outputs[name]["description"] = description;
    }
  }
  /// The files a run read (case CSVs, distributions) with their checksums.
  void add_files(const JsonFile& f, const std::string& run, const std::string& default_role) {
    if (!f.root().contains("files")) return;
    const json& files = f.array(f.root(), "files", "");
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string where = JsonFile::at("", "files", i);
      const std::string path = f.text(files[i], "path", where);
      const std::string checksum = f.text(files[i], "fnv1a64", where);
      file_roles.emplace(path, f.text_or(files[i], "role", where, default_role));
      checksums[path].emplace_back(run, checksum);
    }
  }
  void add_provenance(const JsonFile& f, const std::string& run, const fs::path& dir, json details) {
    cases[run] = f.text_or(f.root(), "case", "", "");
    if (f.root().contains("options")) options[run] = f.object(f.root(), "options", "");
    add_files(f, run, "case");
    details["kind"] = run;
    details["dir"] = dir.string();
    details["file"] = fs::path(f.path()).filename().string();
    details["case"] = cases[run];
    details["version"] = f.text_or(f.root(), "version", "", "");
    details["written"] = written_at(f.path());
    details["log"] = read_run_log(dir);
    runs.push_back(std::move(details));
  }
};

std::string output_unit(const Build& b, const std::string& output) {
  const auto it = b.outputs.find(output);
  return it == b.outputs.end() ? "" : it->second["unit"].get<std::string>();
}

void add_balance(Build& b, const fs::path& dir) {
  const JsonFile f((dir / BALANCE_FILE).string(), "`symbiomc balance --out DIR`");
  const json& root = f.root();
  if (root.contains("outputs")) {
    const json& outputs = f.array(root, "outputs", "");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string where = JsonFile::at("", "outputs", i);
      b.add_output(f.text(outputs[i], "name", where), f.text_or(outputs[i], "unit", where, ""),
                   f.text_or(outputs[i], "description", where, ""));
    }
  }
  if (root.contains("title")) b.data["title"] = f.text(root, "title", "");

  std::vector<std::pair<const json*, std::string>> modes;
  if (root.contains("independent_operation")) modes.emplace_back(&f.object(root, "independent_operation", ""), "independent_operation");
  const json& listed = f.array(root, "modes", "");
  for (std::size_t i = 0; i < listed.size(); ++i) modes.emplace_back(&listed[i], JsonFile::at("", "modes", i));

  ChartTable table{"sankey", "sankey_flows.csv", "symbiomc report: nominal flows of each mode (Sankey diagrams), from " + f.path(),
                   {"mode", "flow", "from", "to", "commodity", "mass_t_per_h", "energy_MJ_per_h", "quantity", "unit"}, {}};
  json page_modes = json::array();
  json nominal = json::array();
  for (const auto& [mode_ptr, where] : modes) {
    const json& mode = *mode_ptr;
    const std::string id = f.text(mode, "id", where);
    b.add_mode(id, f.text_or(mode, "name", where, id));
    json links = json::array();
    const json& flows = f.array(mode, "flows", where);
    for (std::size_t i = 0; i < flows.size(); ++i) {
      const std::string fw = JsonFile::at(where, "flows", i);
      const json& flow = flows[i];
      const double mass = f.number_or(flow, "mass_t_per_h", fw, NAN);
      const double energy = f.number_or(flow, "energy_MJ_per_h", fw, NAN);
      const double quantity = f.number_or(flow, "quantity", fw, NAN);
      json link{{"id", f.text(flow, "id", fw)},
                {"from", f.text(flow, "from", fw)},
                {"to", f.text(flow, "to", fw)},
                {"commodity", f.text_or(flow, "commodity", fw, "")},
                {"mass", page_number(mass)},
                {"energy", page_number(energy)},
                {"quantity", page_number(quantity)},
                {"unit", f.text_or(flow, "unit", fw, "")}};
      table.rows.push_back({csv_text(id), csv_text(link["id"].get<std::string>()), csv_text(link["from"].get<std::string>()),
                            csv_text(link["to"].get<std::string>()), csv_text(link["commodity"].get<std::string>()), csv_number(mass),
                            csv_number(energy), csv_number(quantity), csv_text(link["unit"].get<std::string>())});
      links.push_back(std::move(link));
    }
    for (const auto& name : b.output_order)
      if (mode.contains(name) && (mode[name].is_number() || mode[name].is_null()))
        nominal.push_back(json{{"mode", id}, {"output", name}, {"value", page_number(f.number(mode, name, where))}});
    page_modes.push_back(json{{"id", id}, {"status", f.text_or(mode, "status", where, "ok")}, {"links", std::move(links)}});
  }
  b.data["flows"] = json{{"modes", std::move(page_modes)}, {"nominal", std::move(nominal)}};
  b.tables.push_back(std::move(table));
  b.add_provenance(f, "balance", dir, json::object());
}

/// Histograms of every mode of one output on common edges, so the modes can be compared on
/// one axis. The source histograms (histograms.csv) have thousands of narrow bins per mode;
/// each source bin goes whole into the target bin holding its midpoint, which misplaces a
/// count by at most half a source bin.
struct OutputHistograms {
  double low = 0, high = 0;
  std::map<std::string, std::vector<double>> counts;  ///< mode -> counts per target bin
};

void add_histograms(Build& b, const fs::path& dir, const json& stats, std::size_t bins, ChartTable& table) {
  const fs::path path = dir / "histograms.csv";
  if (!fs::exists(path)) {
    b.notes.push_back(message(path.string(), " is missing: the distributions are shown without histograms"));
    return;
  }
  // Common axis of an output: from the smallest minimum to the largest maximum of its modes.
  std::map<std::string, OutputHistograms> per_output;
  std::map<std::pair<std::string, std::string>, double> totals;
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
  const ResultCsv csv(path.string());
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
  json page = json::array();
  for (const auto& output : b.output_order) {
    const auto it = per_output.find(output);
    if (it == per_output.end()) continue;
    const OutputHistograms& h = it->second;
    const double width = (h.high - h.low) / static_cast<double>(bins);
    json modes = json::array();
    for (const auto& mode : b.mode_order) {
      const auto c = h.counts.find(mode);
      if (c == h.counts.end()) continue;
      const double total = totals[{mode, output}];
      json counts = json::array();
      for (std::size_t i = 0; i < bins; ++i) {
        counts.push_back(c->second[i]);
        table.rows.push_back({csv_text(output), csv_text(output_unit(b, output)), csv_text(mode), csv_number(h.low + width * static_cast<double>(i)),
                              csv_number(h.low + width * static_cast<double>(i + 1)), csv_number(c->second[i]),
                              csv_number(total > 0 ? c->second[i] / (total * width) : NAN)});
      }
      modes.push_back(json{{"mode", mode}, {"total", total}, {"counts", std::move(counts)}});
    }
    page.push_back(json{{"output", output}, {"low", page_number(h.low)}, {"high", page_number(h.high)}, {"bins", bins},
                        {"modes", std::move(modes)}});
  }
  b.data["uncertainty"]["histograms"] = std::move(page);
}

void add_uncertainty(Build& b, const fs::path& dir, const HtmlReportOptions& options) {
  const JsonFile f((dir / UNCERTAINTY_FILE).string(), "`symbiomc uncertainty --out DIR`");
  const json& root = f.root();
  const double runs = f.number(root, "runs", "");
  json u{{"runs", runs},
         {"method", f.text_or(root, "method", "", "")},
         {"seed", f.number_or(root, "seed", "", NAN)},
         {"conf_level", f.number_or(root, "conf_level", "", 0.95)},
         {"replicates", f.number_or(root, "replicates", "", NAN)},
         {"on_failure", f.text_or(root, "on_failure", "", "")},
         {"failed_runs", f.number_or(root, "failures", "", 0)}};

  ChartTable summary{"distribution_summary", "distributions_summary.csv",
                     "symbiomc report: per mode and output, the interval plot (P5, P25, P50, P75, P95, mean with its CI), from " +
                         f.path(),
                     {"mode", "output", "unit", "runs_ok", "mean", "mean_ci_low", "mean_ci_high", "sd", "min", "p5", "p25", "p50",
                      "p75", "p95", "max"},
                     {}};
  ChartTable probabilities{"probabilities", "probabilities.csv",
                           "symbiomc report: probability that an output exceeds 0 or a --threshold, per mode, from " + f.path(),
                           {"mode", "output", "unit", "event", "threshold", "probability", "ci_low", "ci_high"},
                           {}};
  json stats = json::array();
  const json& modes = f.array(root, "modes", "");
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const std::string mw = JsonFile::at("", "modes", m);
    const std::string mode = f.text(modes[m], "name", mw);
    b.add_mode(mode);
    const json& outputs = f.array(modes[m], "outputs", mw);
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const std::string ow = JsonFile::at(mw, "outputs", o);
      const json& r = outputs[o];
      const std::string name = f.text(r, "name", ow);
      const std::string unit = f.text_or(r, "unit", ow, "");
      b.add_output(name, unit);
      const json& q = f.object(r, "quantiles", ow);
      auto quantile = [&](const char* key) { return f.number_or(q, key, ow + ".quantiles", NAN); };
      const auto ci = f.interval(r, "ci", ow);
      const double runs_ok = f.number(r, "runs_ok", ow);
      json entry{{"mode", mode},
                 {"output", name},
                 {"unit", unit},
                 {"runs_ok", runs_ok},
                 {"mean", page_number(f.number(r, "mean", ow))},
                 {"sd", page_number(f.number(r, "sd", ow))},
                 {"se", page_number(f.number_or(r, "standard_error", ow, NAN))},
                 {"ci", page_interval(ci)},
                 {"min", page_number(f.number(r, "min", ow))},
                 {"max", page_number(f.number(r, "max", ow))},
                 {"q", json::object()},
                 {"p_pos", page_number(f.number(r, "prob_positive", ow))},
                 {"p_pos_ci", page_interval(f.interval(r, "prob_positive_ci", ow))},
                 {"thresholds", json::array()}};
      for (const char* key : {"p1", "p5", "p25", "p50", "p75", "p95", "p99"}) entry["q"][key] = page_number(quantile(key));
      summary.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_number(runs_ok), csv_number(f.number(r, "mean", ow)), csv_number(ci.first),
                              csv_number(ci.second), csv_number(f.number(r, "sd", ow)), csv_number(f.number(r, "min", ow)), csv_number(quantile("p5")),
                              csv_number(quantile("p25")), csv_number(quantile("p50")), csv_number(quantile("p75")), csv_number(quantile("p95")),
                              csv_number(f.number(r, "max", ow))});
      const auto pci = f.interval(r, "prob_positive_ci", ow);
      probabilities.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_text("> 0"), csv_number(0.0), csv_number(f.number(r, "prob_positive", ow)),
                                    csv_number(pci.first), csv_number(pci.second)});
      if (r.contains("thresholds")) {
        const json& thresholds = f.array(r, "thresholds", ow);
        for (std::size_t t = 0; t < thresholds.size(); ++t) {
          const std::string tw = JsonFile::at(ow, "thresholds", t);
          const double value = f.number(thresholds[t], "threshold", tw);
          const double p = f.number(thresholds[t], "prob_above", tw);
          const auto tci = f.interval(thresholds[t], "ci", tw);
          entry["thresholds"].push_back(json{{"value", page_number(value)}, {"p", page_number(p)}, {"ci", page_interval(tci)}});
          probabilities.rows.push_back({csv_text(mode), csv_text(name), csv_text(unit), csv_text("> " + csv_number(value)), csv_number(value), csv_number(p),
                                        csv_number(tci.first), csv_number(tci.second)});
        }
      }
      stats.push_back(std::move(entry));
    }
  }
  u["stats"] = stats;

  ChartTable comparisons{"comparisons", "comparisons.csv",
                         "symbiomc report: share of runs in which mode_a gives more of the output than mode_b (paired draws), from " +
                             f.path(),
                         {"output", "unit", "mode_a", "mode_b", "runs", "prob_a_greater", "ci_low", "ci_high", "mean_difference",
                          "sd_difference", "p5_difference", "p50_difference", "p95_difference"},
                         {}};
  json page_comparisons = json::array();
  if (root.contains("comparisons")) {
    const json& list = f.array(root, "comparisons", "");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string cw = JsonFile::at("", "comparisons", i);
      const json& c = list[i];
      const json& dq = f.object(c, "difference_quantiles", cw);
      const auto ci = f.interval(c, "prob_a_greater_ci", cw);
      const double q5 = f.number_or(dq, "p5", cw, NAN), q50 = f.number_or(dq, "p50", cw, NAN), q95 = f.number_or(dq, "p95", cw, NAN);
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
      comparisons.rows.push_back({csv_text(entry["output"].get<std::string>()), csv_text(entry["unit"].get<std::string>()),
                                  csv_text(entry["a"].get<std::string>()), csv_text(entry["b"].get<std::string>()),
                                  csv_number(f.number_or(c, "runs", cw, NAN)), csv_number(f.number(c, "prob_a_greater", cw)), csv_number(ci.first),
                                  csv_number(ci.second), csv_number(f.number_or(c, "mean_difference", cw, NAN)),
                                  csv_number(f.number_or(c, "sd_difference", cw, NAN)), csv_number(q5), csv_number(q50), csv_number(q95)});
      page_comparisons.push_back(std::move(entry));
    }
  }
  u["comparisons"] = std::move(page_comparisons);

  ChartTable failures{"failures", "failures.csv", "symbiomc report: failed runs per mode and reason",
                      {"run", "mode", "reason", "count", "rate"}, {}};
  json page_failures = json::array();
  if (root.contains("failures_by_mode")) {
    const json& by_mode = f.object(root, "failures_by_mode", "");
    for (const auto& mode : b.mode_order) {
      if (!by_mode.contains(mode)) continue;
      const std::string mw = JsonFile::join("failures_by_mode", mode);
      const json& reasons = f.object(by_mode, mode, "failures_by_mode");
      for (const auto& [reason, count] : reasons.items()) {
        const double n = f.number(reasons, reason, mw);
        page_failures.push_back(json{{"run", "uncertainty"}, {"mode", mode}, {"reason", reason}, {"count", n}, {"rate", page_number(n / runs)}});
        failures.rows.push_back({csv_text("uncertainty"), csv_text(mode), csv_text(reason), csv_number(n), csv_number(n / runs)});
      }
    }
  }
  u["failures"] = std::move(page_failures);
  b.data["uncertainty"] = std::move(u);

  ChartTable histograms{"histograms", "distributions_histogram.csv",
                        "symbiomc report: histograms of every output per mode on common bins (density = count / (runs_ok x bin width)), from " +
                            (dir / "histograms.csv").string(),
                        {"output", "unit", "mode", "bin_low", "bin_high", "count", "density"},
                        {}};
  add_histograms(b, dir, stats, options.histogram_bins, histograms);
  b.tables.push_back(std::move(summary));
  if (!histograms.rows.empty()) b.tables.push_back(std::move(histograms));
  b.tables.push_back(std::move(probabilities));
  b.tables.push_back(std::move(comparisons));
  b.tables.push_back(std::move(failures));
  b.add_provenance(f, "uncertainty", dir,
                   json{{"method", b.data["uncertainty"]["method"]},
                        {"seed", b.data["uncertainty"]["seed"]},
                        {"runs", runs},
                        {"block_size", f.number_or(root, "block_size", "", NAN)},
                        {"conf_level", b.data["uncertainty"]["conf_level"]}});
}

struct SobolRow {
  std::string name;
  bool group = false;
  double rank = 0, s1 = 0, s1_low = 0, s1_high = 0, st = 0, st_low = 0, st_high = 0;
  bool overlaps = false;
};

json sobol_row_json(const SobolRow& r) {
  return json{{"name", r.name},          {"rank", r.rank},
              {"S1", page_index(r.s1)}, {"S1_low", page_index(r.s1_low)},
              {"S1_high", page_index(r.s1_high)}, {"ST", page_index(r.st)},
              {"ST_low", page_index(r.st_low)},   {"ST_high", page_index(r.st_high)},
              {"overlaps", r.overlaps}};
}

void add_sobol(Build& b, const fs::path& dir, const HtmlReportOptions& options) {
  const JsonFile f((dir / SOBOL_FILE).string(), "`symbiomc sensitivity --out DIR`");
  const json& root = f.root();
  json s{{"base_runs", f.number(root, "base_runs", "")},
         {"model_runs", f.number_or(root, "model_runs", "", NAN)},
         {"sampling", f.text_or(root, "base_sampling", "", "")},
         {"interval_method", f.text_or(root, "interval_method", "", "")},
         {"conf_level", f.number_or(root, "conf_level", "", 0.95)},
         {"groups", f.boolean_or(root, "groups", "", false)},
         {"second_order", f.boolean_or(root, "second_order", "", false)},
         {"correlation_ignored", f.boolean_or(root, "correlation_ignored", "", false)},
         {"estimators", root.contains("estimators") ? f.object(root, "estimators", "") : json::object()}};

  using Key = std::pair<std::string, std::string>;  // (mode, output)
  std::map<Key, std::vector<SobolRow>> rows;
  std::set<std::string> parameters, groups;
  const json& indices = f.array(root, "indices", "");
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
  s["n_parameters"] = parameters.size();
  s["n_groups"] = groups.size();

  // Convergence: (mode, output, parameter) -> points in increasing N.
  struct Point {
    double n, s1, st, st_low, st_high;
  };
  std::map<std::pair<Key, std::string>, std::vector<Point>> convergence;
  if (root.contains("convergence")) {
    const json& list = f.array(root, "convergence", "");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string w = JsonFile::at("", "convergence", i);
      const json& x = list[i];
      convergence[{{f.text(x, "mode", w), f.text(x, "output", w)}, f.text(x, "parameter", w)}].push_back(
          {f.number(x, "base_runs", w), f.number(x, "S1", w), f.number(x, "ST", w), f.number_or(x, "ST_low", w, NAN),
           f.number_or(x, "ST_high", w, NAN)});
    }
  }

  const Row index_header{"mode", "output", "unit", "factor", "rank", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"};
  ChartTable index_table{"sobol_indices", "sobol_indices.csv",
                         message("symbiomc report: Sobol' indices of the ", options.top_factors,
                                 " parameters with the largest ST per mode and output (all parameters: sobol.csv), from ", f.path()),
                         index_header, {}};
  ChartTable group_table{"sobol_groups", "sobol_groups.csv", "symbiomc report: Sobol' indices of the parameter groups, from " + f.path(),
                         index_header, {}};
  ChartTable convergence_table{"sobol_convergence", "sobol_convergence.csv",
                               message("symbiomc report: Sobol' indices against the number of base samples N for the ",
                                       options.convergence_factors, " leading parameters, from ", f.path()),
                               {"mode", "output", "parameter", "base_runs", "S1", "ST", "ST_low", "ST_high"},
                               {}};
  auto table_row = [&b](const Key& key, const SobolRow& r) {
    return Row{csv_text(key.first), csv_text(key.second), csv_text(output_unit(b, key.second)), csv_text(r.name), csv_number(r.rank), csv_number(r.s1),
               csv_number(r.s1_low), csv_number(r.s1_high), csv_number(r.st), csv_number(r.st_low), csv_number(r.st_high)};
  };

  json results = json::array();
  const json& outputs = f.array(root, "outputs", "");
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string w = JsonFile::at("", "outputs", i);
    const json& o = outputs[i];
    const Key key{f.text(o, "mode", w), f.text(o, "output", w)};
    b.add_mode(key.first);
    b.add_output(key.second, f.text_or(o, "unit", w, ""));
    std::vector<SobolRow> params, group_rows;
    for (const auto& r : rows[key]) (r.group ? group_rows : params).push_back(r);
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
               {"unit", f.text_or(o, "unit", w, "")},
               {"mean", page_number(f.number_or(o, "mean", w, NAN))},
               {"variance", page_number(f.number_or(o, "variance", w, NAN))},
               {"zero_variance", f.boolean_or(o, "zero_variance", w, false)},
               {"sum_S1", page_index(f.number_or(o, "sum_S1", w, NAN))},
               {"warning", f.text_or(o, "warning", w, "")},
               {"dropped", f.number_or(o, "dropped_base_samples", w, 0)},
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
        index_table.rows.push_back(table_row(key, params[p]));
      } else {
        others_max = std::max(others_max, params[p].st);
      }
    }
    entry["others"] = json{{"count", params.size() - shown}, {"max_ST", page_index(others_max)}};
    for (const auto& g : group_rows) {
      entry["groups"].push_back(sobol_row_json(g));
      group_table.rows.push_back(table_row(key, g));
    }
    if (!entry["zero_variance"].get<bool>()) {
      for (std::size_t p = 0; p < std::min(options.convergence_factors, effective); ++p) {
        auto it = convergence.find({key, params[p].name});
        if (it == convergence.end()) continue;
        auto points = it->second;
        std::sort(points.begin(), points.end(), [](const Point& x, const Point& y) { return x.n < y.n; });
        json line{{"name", params[p].name}, {"N", json::array()}, {"S1", json::array()}, {"ST", json::array()},
                  {"ST_low", json::array()}, {"ST_high", json::array()}};
        for (const auto& pt : points) {
          line["N"].push_back(pt.n);
          line["S1"].push_back(page_index(pt.s1));
          line["ST"].push_back(page_index(pt.st));
          line["ST_low"].push_back(page_index(pt.st_low));
          line["ST_high"].push_back(page_index(pt.st_high));
          convergence_table.rows.push_back({csv_text(key.first), csv_text(key.second), csv_text(params[p].name), csv_number(pt.n), csv_number(pt.s1),
                                            csv_number(pt.st), csv_number(pt.st_low), csv_number(pt.st_high)});
        }
        entry["convergence"].push_back(std::move(line));
      }
    }
    results.push_back(std::move(entry));
  }
  s["results"] = std::move(results);

  json page_failures = json::array();
  if (root.contains("failures")) {
    const json& by_mode = f.object(root, "failures", "");
    const double model_runs = s["model_runs"].is_number() ? s["model_runs"].get<double>() : NAN;
    for (const auto& mode : b.mode_order) {
      if (!by_mode.contains(mode)) continue;
      const std::string mw = JsonFile::join("failures", mode);
      const json& m = f.object(by_mode, mode, "failures");
      if (m.contains("failed_runs")) {
        const json& reasons = f.object(m, "failed_runs", mw);
        for (const auto& [reason, count] : reasons.items()) {
          const double n = f.number(reasons, reason, mw + ".failed_runs");
          page_failures.push_back(
              json{{"run", "sensitivity"}, {"mode", mode}, {"reason", reason}, {"count", n}, {"rate", page_number(n / model_runs)}});
        }
      }
      const double dropped = f.number_or(m, "dropped_base_samples", mw, 0);
      page_failures.push_back(json{{"run", "sensitivity"},
                                   {"mode", mode},
                                   {"reason", "dropped_base_samples"},
                                   {"count", dropped},
                                   {"rate", page_number(dropped / s["base_runs"].get<double>())}});
    }
  }
  s["failures"] = std::move(page_failures);
  b.data["sobol"] = std::move(s);
  b.tables.push_back(std::move(index_table));
  if (!group_table.rows.empty()) b.tables.push_back(std::move(group_table));
  if (!convergence_table.rows.empty()) b.tables.push_back(std::move(convergence_table));
  b.add_provenance(f, "sensitivity", dir,
                   json{{"method", "sobol"},
                        {"sampling", b.data["sobol"]["sampling"]},
                        {"seed", f.number_or(root, "seed", "", NAN)},
                        {"base_runs", b.data["sobol"]["base_runs"]},
                        {"runs", b.data["sobol"]["model_runs"]},
                        {"conf_level", b.data["sobol"]["conf_level"]}});
}

void add_morris(Build& b, const fs::path& dir) {
  const JsonFile f((dir / MORRIS_FILE).string(), "`symbiomc sensitivity --method morris --out DIR`");
  const json& root = f.root();
  // morris.json carries no units; morris.csv beside it does (used when no other input
  // named the outputs).
  if (const fs::path csv_path = dir / "morris.csv"; fs::exists(csv_path)) {
    const ResultCsv csv(csv_path.string());
    const std::size_t c_output = csv.column("output"), c_unit = csv.column("unit");
    for (const auto& line : csv.rows()) b.add_output(csv.text(line, c_output), csv.text(line, c_unit));
  }
  std::vector<std::string> names;
  std::map<std::string, std::size_t> index;
  using Key = std::pair<std::string, std::string>;
  struct Effects {
    std::vector<double> mu, mu_star, sigma, se, rank;
  };
  std::map<Key, Effects> effects;
  std::vector<Key> order;
  const json& list = f.array(root, "effects", "");
  ChartTable table{"morris", "morris_scatter.csv", "symbiomc report: Morris elementary effects (mu*, sigma) per mode and output, from " + f.path(),
                   {"mode", "output", "unit", "parameter", "mu_star", "sigma", "mu", "mu_star_standard_error", "rank"},
                   {}};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string w = JsonFile::at("", "effects", i);
    const json& x = list[i];
    const Key key{f.text(x, "mode", w), f.text(x, "output", w)};
    const std::string name = f.text(x, "parameter", w);
    if (!index.count(name)) {
      index[name] = names.size();
      names.push_back(name);
    }
    auto [it, fresh] = effects.try_emplace(key);
    if (fresh) order.push_back(key);
    Effects& e = it->second;
    const std::size_t p = index[name];
    for (auto* v : {&e.mu, &e.mu_star, &e.sigma, &e.se, &e.rank})
      if (v->size() <= p) v->resize(p + 1, NAN);
    e.mu[p] = f.number(x, "mu", w);
    e.mu_star[p] = f.number(x, "mu_star", w);
    e.sigma[p] = f.number(x, "sigma", w);
    e.se[p] = f.number_or(x, "mu_star_standard_error", w, NAN);
    e.rank[p] = f.number_or(x, "rank", w, NAN);
    table.rows.push_back({csv_text(key.first), csv_text(key.second), csv_text(output_unit(b, key.second)), csv_text(name), csv_number(e.mu_star[p]),
                          csv_number(e.sigma[p]), csv_number(e.mu[p]), csv_number(e.se[p]), csv_number(e.rank[p])});
  }
  json results = json::array();
  for (const auto& key : order) {
    b.add_mode(key.first);
    Effects& e = effects[key];
    json entry{{"mode", key.first}, {"output", key.second}, {"unit", output_unit(b, key.second)}};
    for (auto [field, values] : {std::pair<const char*, std::vector<double>*>{"mu", &e.mu}, {"mu_star", &e.mu_star},
                                 {"sigma", &e.sigma}, {"se", &e.se}, {"rank", &e.rank}}) {
      values->resize(names.size(), NAN);
      json a = json::array();
      for (double v : *values) a.push_back(page_index(v));
      entry[field] = std::move(a);
    }
    results.push_back(std::move(entry));
  }
  b.data["morris"] = json{{"trajectories", f.number_or(root, "trajectories", "", NAN)},
                          {"levels", f.number_or(root, "levels", "", NAN)},
                          {"model_runs", f.number_or(root, "model_runs", "", NAN)},
                          {"parameters", names},
                          {"results", std::move(results)}};
  b.tables.push_back(std::move(table));
  b.add_provenance(f, "morris", dir,
                   json{{"method", "morris"},
                        {"seed", f.number_or(root, "seed", "", NAN)},
                        {"trajectories", b.data["morris"]["trajectories"]},
                        {"runs", b.data["morris"]["model_runs"]}});
}

/// What the summary at the top talks about: the output a planner cares most about (the one
/// a --threshold was given for, else one named "savings", else the first) and the mode with
/// the highest mean (or nominal value) of it.
void choose_focus(Build& b) {
  std::string key;
  if (b.data.contains("uncertainty"))
    for (const auto& s : b.data["uncertainty"]["stats"])
      if (!s["thresholds"].empty()) {
        key = s["output"];
        break;
      }
  if (key.empty())
    for (const auto& name : b.output_order)
      if (name.find("saving") != std::string::npos) {
        key = name;
        break;
      }
  if (key.empty() && !b.output_order.empty()) key = b.output_order.front();
  std::string best;
  double best_value = -std::numeric_limits<double>::infinity();
  auto consider = [&](const json& list, const char* value_key) {
    for (const auto& s : list)
      if (s["output"] == key && s[value_key].is_number() && s[value_key].get<double>() > best_value) {
        best_value = s[value_key].get<double>();
        best = s["mode"];
      }
  };
  if (b.data.contains("uncertainty")) consider(b.data["uncertainty"]["stats"], "mean");
  else if (b.data.contains("flows")) consider(b.data["flows"]["nominal"], "value");
  if (best.empty())
    for (const auto& m : b.mode_order)
      if (m != "independent") {
        best = m;
        break;
      }
  if (best.empty() && !b.mode_order.empty()) best = b.mode_order.front();
  b.data["focus"] = json{{"output", key}, {"mode", best}};
}

/// Notes when the inputs do not describe the same study: another case, another version of a
/// file (checksum), other structural options.
void check_consistency(Build& b) {
  std::set<std::string> cases;
  for (const auto& [run, name] : b.cases)
    if (!name.empty()) cases.insert(name);
  if (cases.size() > 1) {
    std::string list;
    for (const auto& [run, name] : b.cases) list += (list.empty() ? "" : ", ") + run + ": " + name;
    b.notes.push_back("the inputs come from different cases (" + list + ")");
  }
  for (const auto& [path, seen] : b.checksums) {
    std::set<std::string> distinct;
    for (const auto& [run, checksum] : seen) distinct.insert(checksum);
    if (distinct.size() < 2) continue;
    std::string list;
    for (const auto& [run, checksum] : seen) list += (list.empty() ? "" : ", ") + run + " " + checksum;
    b.notes.push_back("the file " + path + " differs between the runs (fnv1a64 " + list + "): the sections describe different inputs");
  }
  std::set<std::string> option_sets;
  for (const auto& [run, options] : b.options) option_sets.insert(options.dump());
  if (option_sets.size() > 1) b.notes.push_back("the runs chose different case options (see Provenance)");
}

Build build_report(const ReportSources& sources, const HtmlReportOptions& options) {
  if (options.histogram_bins < 2) throw InputError("histogram bins: expected at least 2");
  if (sources.balance_dir.empty() && sources.uncertainty_dir.empty() && sources.sobol_dir.empty() && sources.morris_dir.empty())
    throw InputError("no result directory given: expected the --out directory of `symbiomc balance`, `uncertainty` or `sensitivity`");
  Build b;
  b.data["schema"] = 1;
  b.data["tool"] = "symbiomc";
  b.data["version"] = SYMBIOMC_VERSION;
  b.data["generated_at"] = options.generated_at;
  if (!sources.balance_dir.empty()) add_balance(b, sources.balance_dir);
  if (!sources.uncertainty_dir.empty()) add_uncertainty(b, sources.uncertainty_dir, options);
  if (!sources.sobol_dir.empty()) add_sobol(b, sources.sobol_dir, options);
  if (!sources.morris_dir.empty()) add_morris(b, sources.morris_dir);

  json modes = json::array();
  for (const auto& id : b.mode_order) modes.push_back(json{{"id", id}, {"name", b.mode_names[id]}});
  json outputs = json::array();
  for (const auto& name : b.output_order) outputs.push_back(b.outputs[name]);
  b.data["modes"] = std::move(modes);
  b.data["outputs"] = std::move(outputs);
  std::string case_name;
  for (const auto& [run, name] : b.cases)
    if (!name.empty()) case_name = name;
  b.data["case"] = case_name;
  if (!b.data.contains("title")) b.data["title"] = case_name.empty() ? "symbiomc report" : "symbiomc report: " + case_name;
  choose_focus(b);
  check_consistency(b);

  json files = json::array();
  for (const auto& [path, seen] : b.checksums) {
    json used = json::array();
    std::set<std::string> distinct;
    for (const auto& [run, checksum] : seen) {
      used.push_back(json{{"run", run}, {"fnv1a64", checksum}});
      distinct.insert(checksum);
    }
    files.push_back(json{{"path", path}, {"role", b.file_roles[path]}, {"runs", std::move(used)}, {"consistent", distinct.size() == 1}});
  }
  std::stable_sort(files.begin(), files.end(), [](const json& x, const json& y) {
    return x["role"].get<std::string>() < y["role"].get<std::string>();  // case files before distributions
  });
  json libraries = json::array();
  for (const auto& lib : LIBRARIES)
    libraries.push_back(json{{"name", lib.name},
                             {"version", banner_version(asset(lib.script_asset))},
                             {"licence", lib.licence},
                             {"homepage", lib.homepage}});
  b.data["provenance"] = json{{"runs", b.runs}, {"files", std::move(files)}, {"options", b.options}, {"libraries", std::move(libraries)}};
  b.data["notes"] = b.notes;
  return b;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Fills @SYMBIOMC_NAME@ placeholders in one pass, so inserted text is never scanned again.
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  std::set<std::string> used;
  std::size_t pos = 0;
  constexpr std::string_view OPEN = "@SYMBIOMC_";
  while (true) {
    const auto start = page.find(OPEN, pos);
    if (start == std::string_view::npos) break;
    auto end = start + 1;
    while (end < page.size() && (std::isupper(static_cast<unsigned char>(page[end])) || page[end] == '_')) ++end;
    if (end == page.size() || page[end] != '@') {  // not a placeholder: keep the text
      out.append(page.substr(pos, end - pos));
      pos = end;
      continue;
    }
    const std::string name(page.substr(start + 1, end - start - 1));
    const auto it = values.find(name);
    if (it == values.end()) throw ModelError(message("report template: unknown placeholder @", name, "@"));
    out.append(page.substr(pos, start - pos));
    out += it->second;
    used.insert(name);
    pos = end + 1;
  }
  out.append(page.substr(pos));
  for (const auto& [name, value] : values)
    if (!used.count(name)) throw ModelError(message("report template: placeholder @", name, "@ is missing"));
  return out;
}

}  // namespace

ReportSources find_report_sources(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw InputError("give at least one --in DIR (the --out directory of a balance, uncertainty or sensitivity run)");
  ReportSources sources;
  std::map<std::string, std::string> seen;  // kind -> dir
  auto take = [&](const fs::path& dir, std::string_view file, const char* kind, std::string& slot) {
    if (!fs::is_regular_file(dir / file)) return false;
    if (!slot.empty())
      throw InputError(message("two ", kind, " results: ", slot, " and ", dir.string(),
                               "; give one directory per kind of run (balance, uncertainty, sensitivity, morris)"));
    slot = dir.string();
    return true;
  };
  auto scan = [&](const fs::path& dir) {
    bool found = false;
    found |= take(dir, BALANCE_FILE, "balance", sources.balance_dir);
    found |= take(dir, UNCERTAINTY_FILE, "uncertainty", sources.uncertainty_dir);
    found |= take(dir, SOBOL_FILE, "Sobol' sensitivity", sources.sobol_dir);
    found |= take(dir, MORRIS_FILE, "Morris sensitivity", sources.morris_dir);
    return found;
  };
  for (const auto& text : dirs) {
    const fs::path dir(text);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw InputError(message("--in ", text, ": ", fs::exists(dir, ec) ? "not a directory" : "no such directory"));
    if (scan(dir)) continue;
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_directory()) children.push_back(entry.path());
    std::sort(children.begin(), children.end());
    bool found = false;
    for (const auto& child : children) found |= scan(child);
    if (!found)
      throw InputError(message("--in ", text,
                               ": no symbiomc results there or in its subdirectories; expected balance.json (`symbiomc balance "
                               "--out`), summary.json (`symbiomc uncertainty --out`), sobol.json or morris.json (`symbiomc "
                               "sensitivity --out`)"));
  }
  return sources;
}

std::string escape_json_for_html_script(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // '<', '>' and '&' can only occur inside JSON strings, where \u escapes mean the same.
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string report_data_json(const ReportSources& sources, const HtmlReportOptions& options) {
  return build_report(sources, options).data.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_html_report(std::string_view data_json, std::string_view title) {
  std::string libraries;
  for (const auto& lib : LIBRARIES) {
    const std::string_view script = asset(lib.script_asset);
    std::string licence(asset(lib.licence_asset));
    for (auto p = licence.find("*/"); p != std::string::npos; p = licence.find("*/", p)) licence.replace(p, 2, "* /");
    libraries += message("<script>/*! ", lib.name, " ", banner_version(script), " (", lib.homepage,
                         "), inlined unmodified from its npm package. Its licence, ", lib.licence, ":\n", licence, "*/\n");
    libraries.append(script);
    libraries += "\n</script>\n";
  }
  return fill_template(asset("template.html"), {{"SYMBIOMC_TITLE", html_escape(title)},
                                                {"SYMBIOMC_LIBRARIES", libraries},
                                                {"SYMBIOMC_DATA", escape_json_for_html_script(data_json)},
                                                {"SYMBIOMC_APP", std::string(asset("report.js"))}});
}

HtmlReportResult write_html_report(const ReportSources& sources, const std::string& html_path, const HtmlReportOptions& options) {
  Build b = build_report(sources, options);
  const fs::path html(html_path);
  const std::string stem = html.stem().string();
  const fs::path data_dir = html.parent_path() / (stem + "_data");
  HtmlReportResult result;
  result.html_path = html.string();
  if (options.write_chart_data) {
    result.data_dir = data_dir.string();
    for (const auto& t : b.tables) b.data["chart_files"][t.chart] = stem + "_data/" + t.file;
  }
  for (const char* section : {"flows", "uncertainty", "sobol", "morris"})
    if (b.data.contains(section)) result.sections.emplace_back(section);
  result.notes = b.notes;
  // Render before writing anything, so a missing asset or a template defect leaves no files behind.
  const std::string page =
      render_html_report(b.data.dump(-1, ' ', false, json::error_handler_t::replace), b.data["title"].get<std::string>());
  if (options.write_chart_data) {
    for (const auto& t : b.tables) {
      const std::string path = (data_dir / t.file).string();
      write_file_atomically(path, t.csv());
      result.chart_files.push_back(path);
    }
  }
  write_file_atomically(html_path, page);
  return result;
}

}  // namespace symbiomc
