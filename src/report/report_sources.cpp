// find_report_sources(): which --in directory holds which kind of result, by the result file
// each registered section names.
#include "symbiomc/report/html_report.hpp"

#include <algorithm>
#include <filesystem>
#include <string>

#include "report/sections/registry.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/base/result_folder.hpp"

namespace symbiomc {

namespace {

namespace fs = std::filesystem;
using detail::REPORT_SECTIONS;
using detail::ReportSection;

/// "balance.json (`symbiomc balance --out`), ..., sobol.json or morris.json (`symbiomc
/// sensitivity --out`)": the result files, those written by one command named together.
std::string expected_files() {
  std::string list;
  constexpr std::size_t count = std::size(REPORT_SECTIONS);
  for (std::size_t i = 0; i < count; ++i) {
    const ReportSection& s = REPORT_SECTIONS[i];
    const bool same_command_as_previous = i > 0 && REPORT_SECTIONS[i - 1].written_by == s.written_by;
    const bool same_command_as_next = i + 1 < count && REPORT_SECTIONS[i + 1].written_by == s.written_by;
    list += message(i == 0 ? "" : same_command_as_previous ? " or " : ", ", s.result_file);
    if (!same_command_as_next) list += message(" (", s.written_by, ")");
  }
  return list;
}

/// "balance, uncertainty, sensitivity, morris": the kinds of run.
std::string run_names() {
  std::string list;
  for (const ReportSection& s : REPORT_SECTIONS) list += message(list.empty() ? "" : ", ", s.run);
  return list;
}

}  // namespace

ReportSources find_report_sources(const std::vector<std::string>& dirs) {
  if (dirs.empty())
    throw InputError("give at least one --in DIR (the --out directory of a balance, uncertainty or sensitivity run)");
  ReportSources sources;
  // Records every kind of result in `dir`; false when there is none.
  auto scan = [&](const fs::path& dir) {
    bool found = false;
    for (const ReportSection& s : REPORT_SECTIONS) {
      if (!fs::is_regular_file(dir / s.result_file)) continue;
      std::string& slot = sources.*s.dir;
      if (!slot.empty())
        throw InputError(message("two ", s.description, " results: ", slot, " and ", dir.string(),
                                 "; give one directory per kind of run (", run_names(), ")"));
      slot = dir.string();
      found = true;
    }
    if (found) verify_result_folder(dir);  // every file from one run
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
      throw InputError(
          message("--in ", text, ": no symbiomc results there or in its subdirectories; expected ", expected_files()));
  }
  return sources;
}

}  // namespace symbiomc
