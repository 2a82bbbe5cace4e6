#include "symbiomc/report/html_report.hpp"

#include <filesystem>

#include "report/page_data.hpp"
#include "report/sections/registry.hpp"
#include "symbiomc/base/atomic_file.hpp"

namespace symbiomc {

std::string report_data_json(const ReportSources& sources, const HtmlReportOptions& options) {
  return detail::build_page_data(sources, options).data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HtmlReportResult write_html_report(const ReportSources& sources, const std::string& html_path,
                                   const HtmlReportOptions& options) {
  namespace fs = std::filesystem;
  detail::PageBuilder page = detail::build_page_data(sources, options);
  const fs::path html(html_path);
  const std::string stem = html.stem().string();
  const fs::path data_dir = html.parent_path() / (stem + "_data");
  HtmlReportResult result;
  result.html_path = html.string();
  if (options.write_chart_data) {
    result.data_dir = data_dir.string();
    for (const auto& t : page.tables) page.data["chart_files"][t.chart] = stem + "_data/" + t.file;
  }
  for (const detail::ReportSection& section : detail::REPORT_SECTIONS)
    if (page.data.contains(section.data_key)) result.sections.emplace_back(section.data_key);
  result.notes = page.notes;
  // Render before writing anything, so a missing asset or a template defect leaves no files behind.
  const std::string rendered = render_html_report(
      page.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), page.data["title"].get<std::string>());
  if (options.write_chart_data) {
    for (const auto& t : page.tables) {
      const std::string path = (data_dir / t.file).string();
      write_file_atomically(path, t.csv());
      result.chart_files.push_back(path);
    }
  }
  write_file_atomically(html_path, rendered);
  return result;
}

}  // namespace symbiomc
