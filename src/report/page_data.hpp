#pragma once
// The page's data: every registered section built from its result directory, in page order,
// then the parts made from all of them (modes, outputs, title, summary, provenance, notes).

#include "report/sections/page_builder.hpp"
#include "symbiomc/report/html_report.hpp"

namespace symbiomc::detail {

/// The data blob (PageBuilder::data), the chart tables and the notes for `sources`. Throws
/// InputError when no directory is given, for options out of range, and for a malformed input.
[[nodiscard]] PageBuilder build_page_data(const ReportSources& sources, const HtmlReportOptions& options);

}  // namespace symbiomc::detail
