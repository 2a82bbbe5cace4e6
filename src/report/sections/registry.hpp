#pragma once
// The sections of the report page, one per kind of result file, in page order. Everything
// that goes over the kinds of result goes through REPORT_SECTIONS: find_report_sources()
// (which file marks a directory of each kind), the page data assembly (which builder makes
// which member of the data) and write_html_report() (which sections the page has). A new kind
// of result gets its section by one new file, sections/<name>_section.cpp, defining its
// builder, and by its declaration and row below. (Outside this folder it also needs a member
// of ReportSources, the public input of the report, and a drawing in report/report.js.)

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include "report/sections/page_builder.hpp"
#include "symbiomc/report/html_report.hpp"

namespace symbiomc::detail {

/// What a section builder reads.
struct SectionInput {
  std::filesystem::path dir;         ///< the result directory, as found by find_report_sources()
  std::filesystem::path file;        ///< the section's result file in it (dir / ReportSection::result_file)
  std::string_view run;              ///< the run's name in the provenance (ReportSection::run)
  const HtmlReportOptions& options;  ///< the caller's choices (bins, factors per chart, ...)
};

/// Reads the section's result files and returns its member of the page data (stored under
/// ReportSection::data_key); along the way records in `page` the modes and outputs it names,
/// its chart tables, its notes and its run's provenance. Throws InputError naming the file and
/// what was expected for a malformed input.
using SectionBuilder = nlohmann::json (*)(PageBuilder& page, const SectionInput& input);

struct ReportSection {
  std::string_view run;             ///< the run's name in the provenance, e.g. "sensitivity"
  std::string_view description;     ///< in "two <description> results", e.g. "Sobol' sensitivity"
  std::string_view result_file;     ///< the file that marks a result directory of this kind, e.g. "sobol.json"
  std::string_view written_by;      ///< the command writing it, e.g. "`symbiomc sensitivity --out`"
  std::string ReportSources::*dir;  ///< where find_report_sources() puts the directory
  std::string_view data_key;        ///< the section's member of the page data and HtmlReportResult::sections
  SectionBuilder build;
};

// The builders, one file each.
[[nodiscard]] nlohmann::json build_balance_section(PageBuilder& page, const SectionInput& input);
[[nodiscard]] nlohmann::json build_uncertainty_section(PageBuilder& page, const SectionInput& input);
[[nodiscard]] nlohmann::json build_sobol_section(PageBuilder& page, const SectionInput& input);
[[nodiscard]] nlohmann::json build_morris_section(PageBuilder& page, const SectionInput& input);
[[nodiscard]] nlohmann::json build_decision_section(PageBuilder& page, const SectionInput& input);
[[nodiscard]] nlohmann::json build_shapley_section(PageBuilder& page, const SectionInput& input);

/// In page order, which is also the order in which modes and outputs are first seen, the
/// chart CSVs are listed and the runs appear in the provenance. Two exceptions: the page draws
/// the decision section first (it reads the uncertainty run's decision.json, after summary.json
/// has named the modes), and shapley.json has no section of its own: its effects for the
/// decisions' outputs are drawn in the decision section (so it is built after that one).
inline constexpr ReportSection REPORT_SECTIONS[] = {
    {"balance", "balance", "balance.json", "`symbiomc balance --out`", &ReportSources::balance_dir, "flows",
     build_balance_section},
    {"uncertainty", "uncertainty", "summary.json", "`symbiomc uncertainty --out`", &ReportSources::uncertainty_dir,
     "uncertainty", build_uncertainty_section},
    {"decision", "decision", "decision.json", "`symbiomc uncertainty --decision --out`", &ReportSources::decision_dir,
     "decision", build_decision_section},
    {"sensitivity", "Sobol' sensitivity", "sobol.json", "`symbiomc sensitivity --out`", &ReportSources::sobol_dir,
     "sobol", build_sobol_section},
    {"morris", "Morris sensitivity", "morris.json", "`symbiomc sensitivity --out`", &ReportSources::morris_dir,
     "morris", build_morris_section},
    {"shapley", "Shapley sensitivity", "shapley.json", "`symbiomc sensitivity --out`", &ReportSources::shapley_dir,
     "shapley", build_shapley_section},
};

/// The summary at the top of the page, made after the sections above from what they recorded:
/// returns the page data's "focus" (the output and mode the summary talks about) and adds a
/// note for every inconsistency between the inputs (another case, another version of a file,
/// other options).
[[nodiscard]] nlohmann::json build_summary_section(PageBuilder& page);

}  // namespace symbiomc::detail
