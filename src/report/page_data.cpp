#include "report/page_data.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "report/page/page_assets.hpp"
#include "report/sections/registry.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;

/// The input files of the runs (case CSVs, distributions) with the checksum each run saw,
/// case files before distributions.
json provenance_files(const PageBuilder& page) {
  json files = json::array();
  for (const auto& [path, seen] : page.checksums) {
    json used = json::array();
    std::set<std::string> distinct;
    for (const auto& [run, checksum] : seen) {
      used.push_back(json{{"run", run}, {"fnv1a64", checksum}});
      distinct.insert(checksum);
    }
    files.push_back(json{{"path", path},
                         {"role", page.file_roles.at(path)},
                         {"runs", std::move(used)},
                         {"consistent", distinct.size() == 1}});
  }
  std::stable_sort(files.begin(), files.end(), [](const json& x, const json& y) {
    return x["role"].get<std::string>() < y["role"].get<std::string>();  // case files before distributions
  });
  return files;
}

}  // namespace

PageBuilder build_page_data(const ReportSources& sources, const HtmlReportOptions& options) {
  if (options.histogram_bins < 2) throw InputError("histogram bins: expected at least 2");
  if (std::all_of(std::begin(REPORT_SECTIONS), std::end(REPORT_SECTIONS),
                  [&](const ReportSection& s) { return (sources.*s.dir).empty(); }))
    throw InputError(
        "no result directory given: expected the --out directory of `symbiomc balance`, `uncertainty` or "
        "`sensitivity`");
  PageBuilder page;
  page.data["schema"] = 1;
  page.data["tool"] = "symbiomc";
  page.data["version"] = SYMBIOMC_VERSION;
  page.data["generated_at"] = options.generated_at;
  for (const ReportSection& section : REPORT_SECTIONS) {
    const std::string& dir = sources.*section.dir;
    if (dir.empty()) continue;
    const SectionInput input{dir, std::filesystem::path(dir) / section.result_file, section.run, options};
    page.data[std::string(section.data_key)] = section.build(page, input);
  }

  json modes = json::array();
  for (const auto& id : page.mode_order) modes.push_back(json{{"id", id}, {"name", page.mode_names.at(id)}});
  json outputs = json::array();
  for (const auto& name : page.output_order) outputs.push_back(page.outputs.at(name));
  page.data["modes"] = std::move(modes);
  page.data["outputs"] = std::move(outputs);
  std::string case_name;
  for (const auto& [run, name] : page.cases)
    if (!name.empty()) case_name = name;
  page.data["case"] = case_name;
  page.data["title"] =
      page.title ? *page.title : (case_name.empty() ? "symbiomc report" : "symbiomc report: " + case_name);
  page.data["focus"] = build_summary_section(page);

  page.data["provenance"] = json{{"runs", page.runs},
                                 {"files", provenance_files(page)},
                                 {"options", page.options},
                                 {"libraries", vendored_libraries_json()}};
  page.data["notes"] = page.notes;
  return page;
}

}  // namespace symbiomc::detail
