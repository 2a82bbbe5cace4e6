// The Shapley effects of shapley.json (`symbiomc sensitivity --method shapley`) for the outputs
// a decision is made on: the page draws them in the decision section (report/report.js), beside
// the given-data indices of the uncertainty run. Other outputs are left out of the page data.
#include "report/sections/registry.hpp"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;

/// The outputs the decision section (built before this one) is about.
std::set<std::string> decision_outputs(const PageBuilder& page) {
  std::set<std::string> outputs;
  if (!page.data.contains("decision")) return outputs;
  for (const json& d : page.data["decision"]["decisions"]) outputs.insert(d["output"].get<std::string>());
  return outputs;
}

}  // namespace

json build_shapley_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), "`symbiomc sensitivity --method shapley --out DIR`");
  const std::set<std::string> wanted = decision_outputs(page);
  std::map<std::pair<std::string, std::string>, json> results;  // (mode, output) -> entry
  json order = json::array();
  const json& indices = f.array(f.root(), "indices", "");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::string w = JsonFile::at("", "indices", i);
    const json& x = indices[i];
    const std::string mode = f.text(x, "mode", w), output = f.text(x, "output", w);
    if (!wanted.count(output)) continue;
    const std::pair key{mode, output};
    if (!results.count(key)) {
      results[key] = json{
          {"mode", mode}, {"output", output}, {"unit", f.text_or(x, "unit", w, "")}, {"parameters", json::array()}};
      order.push_back(json::array({mode, output}));
    }
    results[key]["parameters"].push_back({{"name", f.text(x, "parameter", w)},
                                          {"value", page_index(f.number(x, "shapley", w))},
                                          {"ci", json::array({page_index(f.number_or(x, "shapley_low", w, NAN)),
                                                              page_index(f.number_or(x, "shapley_high", w, NAN))})}});
  }
  json list = json::array();
  for (const json& key : order)
    list.push_back(std::move(results[{key[0].get<std::string>(), key[1].get<std::string>()}]));
  const json& root = f.root();
  page.add_provenance(f, std::string(input.run), input.dir,
                      json{{"method", "shapley"},
                           {"seed", f.number_or(root, "seed", "", NAN)},
                           {"runs", f.number_or(root, "model_runs", "", NAN)}});
  return json{{"conf_level", f.number_or(root, "conf_level", "", 0.95)},
              {"permutations", f.number_or(root, "permutations", "", NAN)},
              {"results", std::move(list)}};
}

}  // namespace symbiomc::detail
