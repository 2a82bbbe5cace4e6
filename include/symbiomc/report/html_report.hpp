#pragma once
// One self-contained HTML page from the result directories of `balance`, `uncertainty` and
// `sensitivity`, for a planner who will not open a CSV: the numbers go into the page as one
// JSON blob, the charts are drawn in the browser by d3 (always compiled into the binary with
// the page template and script, see report/CMakeLists.txt), and the data of every chart is
// also written as CSV. The sections the page can have are listed in one place,
// src/report/sections/registry.hpp.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace symbiomc {

/// Result files found in the --in directories; an empty string = that kind was not given
/// and its sections are left out of the page. One member per row of the section table
/// (src/report/sections/registry.hpp), which names the file that marks each kind.
struct ReportSources {
  std::string balance_dir;      ///< holds balance.json (`symbiomc balance --out`)
  std::string uncertainty_dir;  ///< holds summary.json, histograms.csv, run.log (`symbiomc uncertainty`)
  std::string sobol_dir;        ///< holds sobol.json, run.log (`symbiomc sensitivity`)
  std::string morris_dir;       ///< holds morris.json, run.log (`symbiomc sensitivity --method morris`)
  std::string decision_dir;     ///< holds decision.json, importance.json (`symbiomc uncertainty --decision`)
  std::string shapley_dir;      ///< holds shapley.json (`symbiomc sensitivity --method shapley`)
};

/// Looks for balance.json, summary.json, decision.json, sobol.json, morris.json and shapley.json in each directory, or,
/// when a directory holds none of them, in its immediate subdirectories (so `--in results/`
/// picks up results/balance, results/uncertainty, ...). Throws InputError when a directory
/// does not exist or holds none of the files, or when two directories hold the same kind.
[[nodiscard]] ReportSources find_report_sources(const std::vector<std::string>& dirs);

struct HtmlReportOptions {
  std::string generated_at;             ///< shown in the provenance, e.g. "2024-05-01 12:00 UTC"; "" = left out
  std::size_t histogram_bins = 60;      ///< bins per output on the common axis of all modes (>= 2)
  std::size_t top_factors = 12;         ///< parameters per Sobol' bar chart (the rest summarised)
  std::size_t convergence_factors = 5;  ///< parameters per convergence chart
  bool write_chart_data = true;         ///< write <page stem>_data/<chart>.csv beside the page
};

struct HtmlReportResult {
  std::string html_path;
  std::string data_dir;                  ///< "" when no chart data was written
  std::vector<std::string> sections;     ///< e.g. "flows", "distributions", "sobol"
  std::vector<std::string> chart_files;  ///< CSV files written into data_dir
  std::vector<std::string> notes;        ///< inconsistencies between the inputs (also shown in the page)
};

/// The page's data: every number the charts draw, as JSON text. Reads the files named by
/// `sources`; throws InputError naming the file and what was expected when one is malformed.
/// O(size of the inputs); histograms are rebinned to options.histogram_bins.
[[nodiscard]] std::string report_data_json(const ReportSources& sources, const HtmlReportOptions& options);

/// Writes the page to `html_path` (and the chart CSVs beside it); files are written to a
/// temporary name and renamed. Throws InputError for unreadable or malformed inputs and for
/// an unwritable destination, ModelError when the page assets compiled into the binary are
/// inconsistent (an asset missing from report/CMakeLists.txt, a placeholder of the template
/// unknown or left unused).
HtmlReportResult write_html_report(const ReportSources& sources, const std::string& html_path,
                                   const HtmlReportOptions& options);

/// The page for a data blob made by report_data_json(): template + inlined libraries (with
/// their licences) + the escaped blob + the page script. `title` is HTML-escaped. Throws
/// ModelError as write_html_report() does.
[[nodiscard]] std::string render_html_report(std::string_view data_json, std::string_view title);

/// JSON text made safe inside <script type="application/json">: '<', '>', '&' and the line
/// separators U+2028/U+2029 become \uXXXX escapes, so "</script>" in a case title cannot end
/// the script element. The result parses to the same value.
[[nodiscard]] std::string escape_json_for_html_script(std::string_view json);

}  // namespace symbiomc
