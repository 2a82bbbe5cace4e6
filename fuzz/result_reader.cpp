// Fuzz target: a result folder as `symbiomc report --in DIR` reads it (summary.json,
// histograms.csv, sobol.json, morris.json, balance.json, run.log, ...; files cut at
// "=== <name>" lines, see named_files.hpp): find_report_sources() picks the kinds of result,
// report_data_json() reads every file the page draws from. Bad input must end as InputError
// (exit 2 in the program); anything else that escapes, and every sanitizer report, is a crash.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "named_files.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/report/html_report.hpp"

namespace {

/// Every file a result folder may hold that the report reads.
constexpr std::array<std::string_view, 31> RESULT_FILES = {"summary.json",
                                                           "balance.json",
                                                           "sobol.json",
                                                           "morris.json",
                                                           "shapley.json",
                                                           "decision.json",
                                                           "importance.json",
                                                           "run.log",
                                                           "summary.csv",
                                                           "histograms.csv",
                                                           "comparisons.csv",
                                                           "failures.csv",
                                                           "quantiles.csv",
                                                           "probabilities.csv",
                                                           "thresholds.csv",
                                                           "targets.csv",
                                                           "decision.csv",
                                                           "importance.csv",
                                                           "morris.csv",
                                                           "morris_scatter.csv",
                                                           "sobol.csv",
                                                           "sobol_indices.csv",
                                                           "sobol_outputs.csv",
                                                           "sobol_groups.csv",
                                                           "sobol_convergence.csv",
                                                           "sobol_second_order.csv",
                                                           "shapley.csv",
                                                           "shapley_outputs.csv",
                                                           "sankey_flows.csv",
                                                           "distributions_summary.csv",
                                                           "distributions_histogram.csv"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace symbiomc;
  static fuzz::ScratchFolder folder("results");
  const auto& dir = folder.fill(fuzz::split_named_files(fuzz::as_text(data, size), RESULT_FILES));
  try {
    const ReportSources sources = find_report_sources({dir.string()});
    HtmlReportOptions options;
    options.write_chart_data = false;
    const std::string page_data = report_data_json(sources, options);
    (void)escape_json_for_html_script(page_data);
  } catch (const InputError&) {
    // Refused with a message: what a damaged or hand-edited result should get.
  }
  return 0;
}
