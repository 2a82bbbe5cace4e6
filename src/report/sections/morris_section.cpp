// The "morris" section, from morris.json (and the units in morris.csv) of `symbiomc
// sensitivity --method morris`: per mode and output the elementary effects (mu*, sigma) of
// every parameter.
#include "report/sections/registry.hpp"

#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "report/input/json_file.hpp"
#include "report/page/page_values.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/report/result_csv.hpp"

namespace symbiomc::detail {

namespace {

using json = nlohmann::json;
using Key = std::pair<std::string, std::string>;  // (mode, output)

/// Per parameter (at its index in MorrisEffects::names), NaN where the file has no effect.
struct Effects {
  std::vector<double> mu, mu_star, sigma, se, rank;
};

/// The effects of morris.json per (mode, output), each parameter at its index in `names`
/// (first seen first); `order` gets the (mode, output) pairs as first seen.
struct MorrisEffects {
  std::vector<std::string> names;
  std::map<std::string, std::size_t> index;
  std::map<Key, Effects> effects;
  std::vector<Key> order;
};

MorrisEffects read_effects(const PageBuilder& page, const JsonFile& f, ChartTable& table) {
  MorrisEffects m;
  const json& list = f.array(f.root(), "effects", "");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string w = JsonFile::at("", "effects", i);
    const json& x = list[i];
    const Key key{f.text(x, "mode", w), f.text(x, "output", w)};
    const std::string name = f.text(x, "parameter", w);
    if (!m.index.count(name)) {
      m.index[name] = m.names.size();
      m.names.push_back(name);
    }
    auto [it, fresh] = m.effects.try_emplace(key);
    if (fresh) m.order.push_back(key);
    Effects& e = it->second;
    const std::size_t p = m.index[name];
    for (auto* v : {&e.mu, &e.mu_star, &e.sigma, &e.se, &e.rank})
      if (v->size() <= p) v->resize(p + 1, NAN);
    e.mu[p] = f.number(x, "mu", w);
    e.mu_star[p] = f.number(x, "mu_star", w);
    e.sigma[p] = f.number(x, "sigma", w);
    e.se[p] = f.number_or(x, "mu_star_standard_error", w, NAN);
    e.rank[p] = f.number_or(x, "rank", w, NAN);
    table.rows.push_back({csv_text(key.first), csv_text(key.second), csv_text(page.unit_of(key.second)), csv_text(name),
                          csv_number(e.mu_star[p]), csv_number(e.sigma[p]), csv_number(e.mu[p]), csv_number(e.se[p]),
                          csv_number(e.rank[p])});
  }
  return m;
}

}  // namespace

json build_morris_section(PageBuilder& page, const SectionInput& input) {
  const JsonFile f(input.file.string(), "`symbiomc sensitivity --method morris --out DIR`");
  const json& root = f.root();
  // morris.json carries no units; morris.csv beside it does (used when no other input
  // named the outputs).
  if (const std::filesystem::path csv_path = input.dir / "morris.csv"; std::filesystem::exists(csv_path)) {
    const ResultCsv csv(csv_path.string());
    const std::size_t c_output = csv.column("output"), c_unit = csv.column("unit");
    for (const auto& line : csv.rows()) page.add_output(csv.text(line, c_output), csv.text(line, c_unit));
  }
  ChartTable table{"morris",
                   "morris_scatter.csv",
                   "symbiomc report: Morris elementary effects (mu*, sigma) per mode and output, from " + f.path(),
                   {"mode", "output", "unit", "parameter", "mu_star", "sigma", "mu", "mu_star_standard_error", "rank"},
                   {}};
  MorrisEffects m = read_effects(page, f, table);
  json results = json::array();
  for (const auto& key : m.order) {
    page.add_mode(key.first);
    Effects& e = m.effects[key];
    json entry{{"mode", key.first}, {"output", key.second}, {"unit", page.unit_of(key.second)}};
    for (auto [field, values] : {std::pair<const char*, std::vector<double>*>{"mu", &e.mu},
                                 {"mu_star", &e.mu_star},
                                 {"sigma", &e.sigma},
                                 {"se", &e.se},
                                 {"rank", &e.rank}}) {
      values->resize(m.names.size(), NAN);
      json a = json::array();
      for (double v : *values) a.push_back(page_index(v));
      entry[field] = std::move(a);
    }
    results.push_back(std::move(entry));
  }
  json section{{"trajectories", f.number_or(root, "trajectories", "", NAN)},
               {"levels", f.number_or(root, "levels", "", NAN)},
               {"model_runs", f.number_or(root, "model_runs", "", NAN)},
               {"parameters", m.names},
               {"results", std::move(results)}};
  page.tables.push_back(std::move(table));
  page.add_provenance(f, std::string(input.run), input.dir,
                      json{{"method", "morris"},
                           {"seed", f.number_or(root, "seed", "", NAN)},
                           {"trajectories", section["trajectories"]},
                           {"runs", section["model_runs"]}});
  return section;
}

}  // namespace symbiomc::detail
