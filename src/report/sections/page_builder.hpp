#pragma once
// What the sections of the report build together: the page's data blob, the chart tables
// written beside the page, the notes, and what several sections share (the modes and outputs
// in the order first seen, the runs' provenance). Each section adds its part; the page data
// assembly (report/page_data.hpp) then adds the parts made from all of them.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/page/chart_table.hpp"

namespace symbiomc::detail {

class JsonFile;

struct PageBuilder {
  using json = nlohmann::json;

  json data = json::object();
  std::vector<ChartTable> tables;
  std::vector<std::string> notes;
  std::vector<std::string> mode_order;            ///< ids, first seen first
  std::map<std::string, std::string> mode_names;  ///< id -> display name
  std::vector<std::string> output_order;
  std::map<std::string, json> outputs;  ///< name -> {name, unit, description}
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> checksums;  ///< path -> (run, checksum)
  std::map<std::string, std::string> file_roles;
  std::map<std::string, std::string> cases;  ///< run -> case name
  std::map<std::string, json> options;       ///< run -> options object
  json runs = json::array();
  std::optional<std::string> title;  ///< the case's title, when balance.json has one

  /// Records a mode; a display name replaces the id given by an earlier section.
  void add_mode(const std::string& id, const std::string& name = "");
  /// Records an output; a description fills one left empty by an earlier section.
  void add_output(const std::string& name, const std::string& unit, const std::string& description = "");
  /// The unit of a recorded output, "" when unknown.
  [[nodiscard]] std::string unit_of(const std::string& output) const;
  /// The files a run read (case CSVs, distributions) with their checksums.
  void add_files(const JsonFile& f, const std::string& run, const std::string& default_role);
  /// One run for the provenance: `details` plus case, version, file date, run.log and the
  /// files it read.
  void add_provenance(const JsonFile& f, const std::string& run, const std::filesystem::path& dir, json details);
};

}  // namespace symbiomc::detail
