#include "report/sections/page_builder.hpp"

#include <algorithm>

#include "report/input/file_time.hpp"
#include "report/input/json_file.hpp"
#include "report/input/run_log.hpp"

namespace symbiomc::detail {

void PageBuilder::add_mode(const std::string& id, const std::string& name) {
  if (std::find(mode_order.begin(), mode_order.end(), id) == mode_order.end()) mode_order.push_back(id);
  if (!name.empty() && (mode_names[id].empty() || mode_names[id] == id)) mode_names[id] = name;
  if (mode_names[id].empty()) mode_names[id] = id;
}

void PageBuilder::add_output(const std::string& name, const std::string& unit, const std::string& description) {
  if (!outputs.count(name)) {
    output_order.push_back(name);
    outputs[name] = json{{"name", name}, {"unit", unit}, {"description", description}};
  } else if (!description.empty() && outputs[name]["description"].get<std::string>().empty()) {
    outputs[name]["description"] = description;
  }
}

std::string PageBuilder::unit_of(const std::string& output) const {
  const auto it = outputs.find(output);
  return it == outputs.end() ? "" : it->second["unit"].get<std::string>();
}

void PageBuilder::add_files(const JsonFile& f, const std::string& run, const std::string& default_role) {
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

void PageBuilder::add_provenance(const JsonFile& f, const std::string& run, const std::filesystem::path& dir,
                                 json details) {
  cases[run] = f.text_or(f.root(), "case", "", "");
  // A case without structural options has "options": null in balance.json (nothing chosen).
  if (f.root().contains("options") && !f.root()["options"].is_null()) options[run] = f.object(f.root(), "options", "");
  add_files(f, run, "case");
  details["kind"] = run;
  details["dir"] = dir.string();
  details["file"] = std::filesystem::path(f.path()).filename().string();
  details["case"] = cases[run];
  details["version"] = f.text_or(f.root(), "version", "", "");
  details["written"] = written_at(f.path());
  details["log"] = read_run_log(dir);
  runs.push_back(std::move(details));
}

}  // namespace symbiomc::detail
