// The "flows" section: the nominal flows of every mode from balance.json (the Sankey
// diagrams), the nominal value of every output, and the case's outputs with their units and
// descriptions.
#include "report/sections/registry.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"
#include "symbiomc/base/csv_format.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;

/// One flow as a Sankey link for the page, and its row of sankey_flows.csv.
json flow_link(const JsonFile& f, const json& flow, const std::string& where, const std::string& mode,
               ChartTable& table) {
  const double mass = f.number_or(flow, "mass_t_per_h", where, NAN);
  const double energy = f.number_or(flow, "energy_MJ_per_h", where, NAN);
  const double quantity = f.number_or(flow, "quantity", where, NAN);
  json link{{"id", f.text(flow, "id", where)},   {"from", f.text(flow, "from", where)},
            {"to", f.text(flow, "to", where)},   {"commodity", f.text_or(flow, "commodity", where, "")},
            {"mass", page_number(mass)},         {"energy", page_number(energy)},
            {"quantity", page_number(quantity)}, {"unit", f.text_or(flow, "unit", where, "")}};
  table.rows.push_back({csv_text(mode), csv_text(link["id"].get<std::string>()),
                        csv_text(link["from"].get<std::string>()), csv_text(link["to"].get<std::string>()),
                        csv_text(link["commodity"].get<std::string>()), csv_number(mass), csv_number(energy),
                        csv_number(quantity), csv_text(link["unit"].get<std::string>())});
  return link;
}

}  // namespace

json build_balance_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), "`symbiomc balance --out DIR`");
  const json& root = f.root();
  if (root.contains("outputs")) {
    const json& outputs = f.array(root, "outputs", "");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string where = JsonFile::at("", "outputs", i);
      page.add_output(f.text(outputs[i], "name", where), f.text_or(outputs[i], "unit", where, ""),
                      f.text_or(outputs[i], "description", where, ""));
    }
  }
  if (root.contains("title")) page.title = f.text(root, "title", "");

  std::vector<std::pair<const json*, std::string>> modes;
  if (root.contains("independent_operation"))
    modes.emplace_back(&f.object(root, "independent_operation", ""), "independent_operation");
  const json& listed = f.array(root, "modes", "");
  for (std::size_t i = 0; i < listed.size(); ++i) modes.emplace_back(&listed[i], JsonFile::at("", "modes", i));

  ChartTable table{"sankey",
                   "sankey_flows.csv",
                   "symbiomc report: nominal flows of each mode (Sankey diagrams), from " + f.path(),
                   {"mode", "flow", "from", "to", "commodity", "mass_t_per_h", "energy_MJ_per_h", "quantity", "unit"},
                   {}};
  json page_modes = json::array();
  json nominal = json::array();
  for (const auto& [mode_ptr, where] : modes) {
    const json& mode = *mode_ptr;
    const std::string id = f.text(mode, "id", where);
    page.add_mode(id, f.text_or(mode, "name", where, id));
    json links = json::array();
    const json& flows = f.array(mode, "flows", where);
    for (std::size_t i = 0; i < flows.size(); ++i)
      links.push_back(flow_link(f, flows[i], JsonFile::at(where, "flows", i), id, table));
    for (const auto& name : page.output_order)
      if (mode.contains(name) && (mode[name].is_number() || mode[name].is_null()))
        nominal.push_back(json{{"mode", id}, {"output", name}, {"value", page_number(f.number(mode, name, where))}});
    page_modes.push_back(
        json{{"id", id}, {"status", f.text_or(mode, "status", where, "ok")}, {"links", std::move(links)}});
  }
  page.tables.push_back(std::move(table));
  page.add_provenance(f, std::string(input.run), input.dir, json::object());
  return json{{"modes", std::move(page_modes)}, {"nominal", std::move(nominal)}};
}

}  // namespace symbiomc::detail
