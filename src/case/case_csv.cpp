#include "symbiomc/case/case_csv.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "base/csv_reading.hpp"
#include "base/csv_table.hpp"

namespace symbiomc {

namespace {

using detail::CsvRow;
using detail::CsvTable;

bool valid_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

bool parse_bool(const std::string& text, bool& out) {
  if (text == "yes" || text == "true" || text == "1") return out = true, true;
  if (text.empty() || text == "no" || text == "false" || text == "0") return out = false, true;
  return false;
}

/// Per-file checking context: collects row errors, formats "column 'x':" messages.
class FileCheck {
 public:
  FileCheck(const CsvTable& table, ErrorList& errors) : table_(table), errors_(errors) {}
  void error(const CsvRow& row, std::string_view column, const std::string& what) {
    errors_.add(table_.where(row), column.empty() ? what : message("column '", column, "': ", what));
  }
  /// A required non-blank cell.
  bool require(const CsvRow& row, std::string_view column, std::string& out) {
    out = table_.cell(row, column);
    if (out.empty()) {
      error(row, column, "expected a value, found a blank cell");
      return false;
    }
    return true;
  }
  bool identifier(const CsvRow& row, std::string_view column, std::string& out) {
    if (!require(row, column, out)) return false;
    if (!valid_identifier(out)) {
      error(row, column,
            message("expected a name of letters, digits and '_' not starting with a digit, got '", out, "'"));
      return false;
    }
    return true;
  }
  bool number(const CsvRow& row, std::string_view column, double& out) {
    std::string text;
    if (!require(row, column, text)) return false;
    if (!detail::parse_number(text, out)) {
      error(row, column, message("expected a number, got '", text, "'"));
      return false;
    }
    return true;
  }
  std::optional<Expression> expression(const CsvRow& row, std::string_view column, bool required) {
    const std::string& text = table_.cell(row, column);
    if (text.empty()) {
      if (required) error(row, column, "expected an expression, found a blank cell");
      return std::nullopt;
    }
    try {
      return parse_expression(text);
    } catch (const ExpressionSyntaxError& e) {
      error(row, column,
            message("expression '", expression_excerpt(text, e.column()), "', character ", e.column(), ": ", e.what()));
      return std::nullopt;
    }
  }
  const CsvTable& table() const { return table_; }

 private:
  const CsvTable& table_;
  ErrorList& errors_;
};

std::string path_in(const std::string& directory, std::string_view file) {
  return (std::filesystem::path(directory) / std::string(file)).string();
}

/// Which files have been read without a defect, so that names may be checked against them. A
/// strict read (read_case) stops before any file that depends on one with errors, so every flag
/// stays true there; a collecting read (read_case_collecting) skips the checks against a file
/// with errors instead, because its missing rows would show up as dozens of "unknown name"s.
struct CleanFiles {
  bool parameters = true, commodities = true, processes = true, flows = true, variables = true, curves = true,
       modes = true, outputs = true;
  [[nodiscard]] bool names() const noexcept { return parameters && flows && variables && outputs; }
};

template <std::size_t N>
CsvTable read_table(Network& network, const std::string& directory, std::string_view file,
                    const std::array<std::string_view, N>& columns, const std::vector<std::string_view>& required) {
  const std::string path = path_in(directory, file);
  CsvTable table = detail::read_csv_table(path, columns, required);
  if (table.rows.empty()) throw InputError(SourceLocation{path, 0, 0}, "no data rows: expected at least one");
  network.files.push_back({path, table.checksum});
  return table;
}

void read_settings(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table = read_table<3>(network, directory, "case.csv", {"key", "value", "description"}, {"key", "value"});
  FileCheck check(table, errors);
  std::set<std::string> seen;
  for (const auto& row : table.rows) {
    std::string key;
    if (!check.require(row, "key", key)) continue;
    if (!seen.insert(key).second) check.error(row, "key", message("duplicate key '", key, "'"));
    const std::string& value = table.cell(row, "value");
    if (key == "title") {
      network.title = value;
    } else if (key == "source") {
      network.source = value;
    } else if (key == "fixed_point_tolerance") {
      double v = 0;
      if (check.number(row, "value", v) && !(v > 0 && v < 1))
        check.error(row, "value", message("fixed_point_tolerance: expected in (0, 1), got '", value, "'"));
      network.fixed_point_tolerance = v;
    } else if (key == "fixed_point_max_iterations") {
      double v = 0;
      if (check.number(row, "value", v) && !(v >= 1 && v <= 1e6 && v == static_cast<int>(v)))
        check.error(row, "value",
                    message("fixed_point_max_iterations: expected a whole number in [1, 1000000], got '", value, "'"));
      else
        network.fixed_point_max_iterations = static_cast<int>(v);
    } else {
      check.error(
          row, "key",
          message("unknown key '", key, "'",
                  did_you_mean(key, {"title", "source", "fixed_point_tolerance", "fixed_point_max_iterations"})));
    }
  }
}

void read_parameters(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table =
      read_table<6>(network, directory, "parameters.csv", {"name", "value", "unit", "kind", "source", "description"},
                    {"name", "value", "unit", "kind", "source"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    Parameter p;
    p.where = table.where(row);
    bool ok = check.identifier(row, "name", p.name);
    ok = check.number(row, "value", p.value) && ok;
    ok = check.require(row, "unit", p.unit) && ok;
    ok = check.require(row, "source", p.source) && ok;
    p.description = table.cell(row, "description");
    std::string kind;
    if (check.require(row, "kind", kind)) {
      if (!parse_domain(kind, p.domain)) {
        check.error(row, "kind",
                    message("expected one of any, nonnegative, positive, fraction, efficiency, got '", kind, "'"));
        ok = false;
      } else if (ok && !in_domain(p.value, p.domain)) {
        check.error(row, "value",
                    message("parameter '", p.name, "' (kind ", kind, "): expected ", describe(p.domain), ", got '",
                            table.cell(row, "value"), "'"));
      }
    }
    if (!p.name.empty() && network.find_parameter(p.name)) {
      check.error(row, "name",
                  message("duplicate parameter '", p.name, "' (first defined at line ",
                          network.find_parameter(p.name)->where.line, ")"));
      continue;
    }
    if (!p.name.empty()) network.parameters.push_back(std::move(p));
  }
}

void read_commodities(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table =
      read_table<5>(network, directory, "commodities.csv",
                    {"id", "unit", "energy_MJ_per_unit", "mass_t_per_unit", "description"}, {"id", "unit"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    Commodity c;
    c.where = table.where(row);
    if (!check.identifier(row, "id", c.id)) continue;
    check.require(row, "unit", c.unit);
    c.energy_factor = check.expression(row, "energy_MJ_per_unit", false);
    c.mass_factor = check.expression(row, "mass_t_per_unit", false);
    c.description = table.cell(row, "description");
    if (network.find_commodity(c.id)) {
      check.error(row, "id",
                  message("duplicate commodity '", c.id, "' (first defined at line ",
                          network.find_commodity(c.id)->where.line, ")"));
      continue;
    }
    network.commodities.push_back(std::move(c));
  }
}

void read_processes(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table =
      read_table<4>(network, directory, "processes.csv", {"id", "kind", "name", "description"}, {"id", "kind"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    Process p;
    p.where = table.where(row);
    if (!check.identifier(row, "id", p.id)) continue;
    std::string kind;
    if (check.require(row, "kind", kind)) {
      if (kind == "plant")
        p.kind = ProcessKind::plant;
      else if (kind == "converter")
        p.kind = ProcessKind::converter;
      else if (kind == "external")
        p.kind = ProcessKind::external;
      else
        check.error(row, "kind", message("expected plant, converter or external, got '", kind, "'"));
    }
    p.name = table.cell(row, "name").empty() ? p.id : table.cell(row, "name");
    p.description = table.cell(row, "description");
    if (network.find_process(p.id)) {
      check.error(row, "id",
                  message("duplicate process '", p.id, "' (first defined at line ",
                          network.find_process(p.id)->where.line, ")"));
      continue;
    }
    network.processes.push_back(std::move(p));
  }
}

std::vector<std::string> ids_of_processes(const Network& n) {
  std::vector<std::string> out;
  for (const auto& p : n.processes) out.push_back(p.id);
  return out;
}
std::vector<std::string> ids_of_commodities(const Network& n) {
  std::vector<std::string> out;
  for (const auto& c : n.commodities) out.push_back(c.id);
  return out;
}

void read_flows(Network& network, const std::string& directory, ErrorList& errors, const CleanFiles& clean) {
  const auto table = read_table<8>(network, directory, "flows.csv",
                                   {"id", "from", "to", "commodity", "unit", "quantity", "source", "description"},
                                   {"id", "from", "to", "commodity", "unit", "quantity"});
  FileCheck check(table, errors);
  const auto processes = ids_of_processes(network);
  const auto commodities = ids_of_commodities(network);
  for (const auto& row : table.rows) {
    Flow f;
    f.where = table.where(row);
    if (!check.identifier(row, "id", f.id)) continue;
    for (auto [column, target] : {std::pair<std::string_view, std::string*>{"from", &f.from}, {"to", &f.to}}) {
      if (check.require(row, column, *target) && clean.processes && !network.find_process(*target))
        check.error(row, column, message("unknown process '", *target, "'", did_you_mean(*target, processes)));
    }
    std::string unit;
    if (check.require(row, "commodity", f.commodity)) {
      const Commodity* commodity = network.find_commodity(f.commodity);
      if (!commodity && !clean.commodities) {
        // Not checked: commodities.csv has errors of its own.
      } else if (!commodity) {
        check.error(row, "commodity",
                    message("unknown commodity '", f.commodity, "'", did_you_mean(f.commodity, commodities)));
      } else if (check.require(row, "unit", unit) && unit != commodity->unit) {
        check.error(row, "unit",
                    message("unit mismatch: flow '", f.id, "' is in '", unit, "' but commodity '", f.commodity,
                            "' is measured in '", commodity->unit, "'"));
      }
    }
    if (!f.from.empty() && f.from == f.to)
      check.error(row, "to", message("flow '", f.id, "' goes from '", f.from, "' to itself"));
    auto quantity = check.expression(row, "quantity", true);
    f.source = table.cell(row, "source");
    f.description = table.cell(row, "description");
    if (network.find_flow(f.id)) {
      check.error(
          row, "id",
          message("duplicate flow '", f.id, "' (first defined at line ", network.find_flow(f.id)->where.line, ")"));
      continue;
    }
    if (!quantity) continue;
    f.quantity = std::move(*quantity);
    network.flows.push_back(std::move(f));
  }
}

void read_variables(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table =
      read_table<6>(network, directory, "variables.csv",
                    {"name", "unit", "modes", "expression", "source", "description"}, {"name", "unit", "expression"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    Variable v;
    v.where = table.where(row);
    if (!check.identifier(row, "name", v.name)) continue;
    check.require(row, "unit", v.unit);
    v.modes = split_words(table.cell(row, "modes"));
    auto expression = check.expression(row, "expression", true);
    v.source = table.cell(row, "source");
    v.description = table.cell(row, "description");
    if (!expression) continue;
    v.expression = std::move(*expression);
    network.variables.push_back(std::move(v));
  }
}

/// A mode's `removes` must name processes or flows that the mode it extends switches on, and
/// not ones it lists itself (removing and adding the same thing says two things at once).
void check_removes(const Network& network, bool chains_end, const std::vector<std::string>& process_ids,
                   const std::vector<std::string>& flow_ids, ErrorList& errors) {
  for (const auto& m : network.modes) {
    if (m.removes.empty()) continue;
    const Mode* parent = m.extends.empty() ? nullptr : network.find_mode(m.extends);
    if (m.extends.empty()) {
      errors.add(m.where, message("column 'removes': mode '", m.id,
                                  "' removes processes or flows but extends no mode (name one in column 'extends')"));
      continue;
    }
    if (parent == nullptr || !chains_end) continue;  // reported above
    const auto parent_processes = network.active_processes(*parent);
    const auto parent_flows = network.active_flows(*parent);
    auto has = [](const std::vector<std::string>& list, const std::string& id) {
      return std::find(list.begin(), list.end(), id) != list.end();
    };
    for (const auto& id : m.removes) {
      const bool process = network.find_process(id) != nullptr, flow = network.find_flow(id) != nullptr;
      if (!process && !flow) {
        std::vector<std::string> known = process_ids;
        known.insert(known.end(), flow_ids.begin(), flow_ids.end());
        errors.add(m.where, message("column 'removes': mode '", m.id, "' removes unknown process or flow '", id, "'",
                                    did_you_mean(id, known)));
      } else if (!(process && has(parent_processes, id)) && !(flow && has(parent_flows, id))) {
        errors.add(m.where, message("column 'removes': mode '", m.id, "' removes ", process ? "process" : "flow", " '",
                                    id, "', which mode '", parent->id, "' does not switch on"));
      } else if (has(m.processes, id) || has(m.flows, id)) {
        errors.add(m.where, message("column 'removes': mode '", m.id, "' both removes and switches on '", id, "'"));
      }
    }
  }
}

void read_modes(Network& network, const std::string& directory, ErrorList& errors, const CleanFiles& clean) {
  const auto table =
      read_table<8>(network, directory, "modes.csv",
                    {"id", "name", "baseline", "extends", "processes", "flows", "removes", "description"},
                    {"id", "baseline", "processes", "flows"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    Mode m;
    m.where = table.where(row);
    if (!check.identifier(row, "id", m.id)) continue;
    m.name = table.cell(row, "name").empty() ? m.id : table.cell(row, "name");
    if (!parse_bool(table.cell(row, "baseline"), m.baseline))
      check.error(row, "baseline", message("expected yes or no, got '", table.cell(row, "baseline"), "'"));
    m.extends = table.cell(row, "extends");
    m.processes = split_words(table.cell(row, "processes"));
    m.flows = split_words(table.cell(row, "flows"));
    m.removes = split_words(table.cell(row, "removes"));
    m.description = table.cell(row, "description");
    if (network.find_mode(m.id)) {
      check.error(
          row, "id",
          message("duplicate mode '", m.id, "' (first defined at line ", network.find_mode(m.id)->where.line, ")"));
      continue;
    }
    network.modes.push_back(std::move(m));
  }
  // Cross-references are checked once every mode is known.
  std::vector<std::string> mode_ids, flow_ids;
  for (const auto& m : network.modes) mode_ids.push_back(m.id);
  for (const auto& f : network.flows) flow_ids.push_back(f.id);
  const auto process_ids = ids_of_processes(network);
  std::size_t baselines = 0;
  bool chains_end = true;
  for (const auto& m : network.modes) {
    baselines += m.baseline ? 1 : 0;
    if (m.baseline && !m.extends.empty())
      errors.add(m.where, message("column 'extends': the baseline mode '", m.id, "' cannot extend another mode"));
    if (!m.extends.empty()) {
      if (!network.find_mode(m.extends)) {
        errors.add(m.where,
                   message("column 'extends': unknown mode '", m.extends, "'", did_you_mean(m.extends, mode_ids)));
      } else {
        // extends chains must end: walk at most |modes| steps.
        const Mode* current = &m;
        std::size_t steps = 0;
        while (current && !current->extends.empty() && steps <= network.modes.size()) {
          current = network.find_mode(current->extends);
          ++steps;
        }
        if (steps > network.modes.size()) {
          errors.add(m.where, message("column 'extends': mode '", m.id, "' extends itself through a cycle"));
          chains_end = false;
        }
      }
    }
    for (const auto& p : m.processes)
      if (clean.processes && !network.find_process(p))
        errors.add(m.where, message("column 'processes': mode '", m.id, "' names unknown process '", p, "'",
                                    did_you_mean(p, process_ids)));
    for (const auto& f : m.flows)
      if (clean.flows && !network.find_flow(f))
        errors.add(m.where, message("column 'flows': mode '", m.id, "' names unknown flow '", f, "'",
                                    did_you_mean(f, flow_ids)));
  }
  // Names are checked only against files that read cleanly (read_case_collecting: one bad row,
  // one message).
  if (clean.processes && clean.flows) check_removes(network, chains_end, process_ids, flow_ids, errors);
  if (baselines != 1)
    errors.add(SourceLocation{path_in(directory, "modes.csv"), 0, 0},
               message("expected exactly one mode with baseline = yes (independent operation), found ", baselines));
}

void read_outputs(Network& network, const std::string& directory, ErrorList& errors) {
  const auto table =
      read_table<5>(network, directory, "outputs.csv", {"name", "unit", "expression", "description", "headline"},
                    {"name", "unit", "expression"});
  FileCheck check(table, errors);
  bool any_headline = false;
  for (const auto& row : table.rows) {
    Output o;
    o.where = table.where(row);
    if (!check.identifier(row, "name", o.name)) continue;
    check.require(row, "unit", o.unit);
    auto expression = check.expression(row, "expression", true);
    o.description = table.cell(row, "description");
    // One spelling only (yes/no, as a mode's baseline column reads it): a 1, "true" or "Y"
    // here is more likely a slip than a choice, so it is refused rather than guessed at.
    const std::string& headline = table.cell(row, "headline");
    if (headline == "yes")
      o.headline = any_headline = true;
    else if (!headline.empty() && headline != "no")
      check.error(row, "headline", message("expected yes, no or a blank cell (= no), got '", headline, "'"));
    if (std::any_of(network.outputs.begin(), network.outputs.end(),
                    [&](const Output& x) { return x.name == o.name; })) {
      check.error(row, "name", message("duplicate output '", o.name, "'"));
      continue;
    }
    if (!expression) continue;
    o.expression = std::move(*expression);
    network.outputs.push_back(std::move(o));
  }
  // A case that marks no output (every case written before the column existed) shows them all.
  if (!any_headline)
    for (Output& o : network.outputs) o.headline = true;
}

void read_curves(Network& network, const std::string& directory, ErrorList& errors, const CleanFiles& clean) {
  if (!std::filesystem::exists(path_in(directory, "curves.csv"))) return;
  const auto table = read_table<6>(network, directory, "curves.csv", {"curve", "x", "y", "x_unit", "y_unit", "source"},
                                   {"curve", "x", "y", "x_unit", "y_unit"});
  FileCheck check(table, errors);
  for (const auto& row : table.rows) {
    std::string id, x, y;
    if (!check.identifier(row, "curve", id)) continue;
    bool ok = check.require(row, "x", x);
    ok = check.require(row, "y", y) && ok;
    if (!ok) continue;
    auto it = std::find_if(network.curves.begin(), network.curves.end(), [&](const Curve& c) { return c.id == id; });
    if (it == network.curves.end()) {
      network.curves.push_back(
          Curve{id, table.cell(row, "x_unit"), table.cell(row, "y_unit"), {}, table.cell(row, "source")});
      it = network.curves.end() - 1;
    } else if (it->x_unit != table.cell(row, "x_unit") || it->y_unit != table.cell(row, "y_unit")) {
      check.error(row, "x_unit",
                  message("unit mismatch: curve '", id, "' was declared in '", it->x_unit, "' -> '", it->y_unit,
                          "' on an earlier row"));
    }
    it->points.push_back({x, y, table.where(row)});
  }
  for (const auto& curve : network.curves) {
    if (curve.points.size() < 2) {
      errors.add(curve.points.front().where,
                 message("curve '", curve.id, "' has ", curve.points.size(), " point: expected at least two"));
      continue;
    }
    std::vector<std::string> parameter_names;
    for (const auto& p : network.parameters) parameter_names.push_back(p.name);
    for (const auto& point : curve.points) {
      for (const auto& [column, cell] : {std::pair<const char*, const std::string*>{"x", &point.x}, {"y", &point.y}}) {
        double value = 0;
        if (!detail::parse_number(*cell, value) && clean.parameters && !network.find_parameter(*cell))
          errors.add(point.where, message("column '", column, "': curve '", curve.id,
                                          "': expected a number or a parameter name, got '", *cell, "'",
                                          did_you_mean(*cell, parameter_names)));
      }
    }
  }
}

void read_options(Network& network, const std::string& directory, ErrorList& errors, const CleanFiles& clean) {
  if (!std::filesystem::exists(path_in(directory, "options.csv"))) return;
  const auto table = read_table<6>(network, directory, "options.csv",
                                   {"option", "choice", "default", "parameter", "value", "description"},
                                   {"option", "choice", "default", "parameter", "value"});
  FileCheck check(table, errors);
  std::vector<std::string> parameter_names;
  for (const auto& p : network.parameters) parameter_names.push_back(p.name);
  for (const auto& row : table.rows) {
    std::string option, choice, parameter;
    double value = 0;
    bool ok = check.identifier(row, "option", option);
    ok = check.identifier(row, "choice", choice) && ok;
    ok = check.identifier(row, "parameter", parameter) && ok;
    ok = check.number(row, "value", value) && ok;
    bool is_default = false;
    if (!parse_bool(table.cell(row, "default"), is_default)) {
      check.error(row, "default", message("expected yes or no, got '", table.cell(row, "default"), "'"));
      ok = false;
    }
    const Parameter* target = ok ? network.find_parameter(parameter) : nullptr;
    if (ok && !target && !clean.parameters) continue;  // not checked: parameters.csv has errors of its own
    if (ok && !target) {
      check.error(row, "parameter",
                  message("unknown parameter '", parameter, "'", did_you_mean(parameter, parameter_names)));
      ok = false;
    }
    if (ok && !in_domain(value, target->domain)) {
      check.error(row, "value",
                  message("parameter '", parameter, "' (kind ", to_string(target->domain), "): expected ",
                          describe(target->domain), ", got '", table.cell(row, "value"), "'"));
      ok = false;
    }
    if (!ok) continue;
    auto opt = std::find_if(network.options.begin(), network.options.end(),
                            [&](const CaseOption& o) { return o.name == option; });
    if (opt == network.options.end()) {
      network.options.push_back({option, {}});
      opt = network.options.end() - 1;
    }
    auto ch =
        std::find_if(opt->choices.begin(), opt->choices.end(), [&](const OptionChoice& c) { return c.name == choice; });
    if (ch == opt->choices.end()) {
      opt->choices.push_back({choice, is_default, {}, {}, table.cell(row, "description")});
      ch = opt->choices.end() - 1;
    }
    // Two values for one parameter in one choice would leave the choice meaning whichever row
    // the compiler applied last.
    const auto same = std::find_if(ch->settings.begin(), ch->settings.end(),
                                   [&](const auto& setting) { return setting.first == parameter; });
    if (same != ch->settings.end()) {
      const auto first = ch->setting_rows[static_cast<std::size_t>(same - ch->settings.begin())];
      check.error(row, "parameter",
                  message("option '", option, "', choice '", choice, "' sets '", parameter, "' twice (first on line ",
                          first.line, ")"));
      continue;
    }
    ch->is_default = ch->is_default || is_default;
    ch->settings.emplace_back(parameter, value);
    ch->setting_rows.push_back(table.where(row));
  }
  for (const auto& opt : network.options) {
    const auto defaults =
        std::count_if(opt.choices.begin(), opt.choices.end(), [](const OptionChoice& c) { return c.is_default; });
    if (defaults != 1)
      errors.add(SourceLocation{path_in(directory, "options.csv"), 0, 0},
                 message("option '", opt.name, "': expected exactly one default choice, found ", defaults));
    for (const auto& choice : opt.choices)
      if (choice.is_default)
        for (std::size_t i = 0; i < choice.settings.size(); ++i) {
          const auto& [parameter, value] = choice.settings[i];
          if (network.find_parameter(parameter)->value != value)
            errors.add(choice.setting_rows[i],
                       message("column 'value': option '", opt.name, "': default choice '", choice.name, "' sets '",
                               parameter, "' = ", value, " but parameters.csv has ",
                               network.find_parameter(parameter)->value, " (the defaults must be the nominal case)"));
        }
  }
}

/// Names shared by parameters, flows, variables and outputs must be unique; expressions may
/// only refer to known names, curves and processes.
void check_names(const Network& network, ErrorList& errors, const CleanFiles& clean) {
  std::map<std::string, SourceLocation> owner;
  auto claim = [&](const std::string& name, const SourceLocation& where, std::string_view what) {
    auto [it, inserted] = owner.emplace(name, where);
    if (!inserted && !(it->second.file == where.file))
      errors.add(where, message(what, " '", name, "' reuses a name already defined at ", it->second.file, ":",
                                it->second.line, " (parameters, flows, variables and outputs share one namespace)"));
  };
  for (const auto& p : network.parameters) claim(p.name, p.where, "parameter");
  for (const auto& f : network.flows) claim(f.id, f.where, "flow");
  for (const auto& v : network.variables) claim(v.name, v.where, "variable");
  for (const auto& o : network.outputs) claim(o.name, o.where, "output");

  std::vector<std::string> all_names;
  for (const auto& [name, where] : owner) all_names.push_back(name);
  std::vector<std::string> curve_ids, process_ids = ids_of_processes(network), mode_ids;
  for (const auto& c : network.curves) curve_ids.push_back(c.id);
  for (const auto& m : network.modes) mode_ids.push_back(m.id);

  auto check_expression = [&](const Expression& e, const std::string& self, const SourceLocation& where,
                              std::string_view column) {
    for (const auto& name : referenced_names(e)) {
      std::string target = name;
      if (name.rfind("base.", 0) == 0) target = name.substr(5);
      if (name == self) {
        errors.add(where, message("column '", column, "': expression '", e.text, "' refers to itself ('", self,
                                  "'); a recycle loop needs at least two flows or variables"));
      } else if (clean.names() && !owner.count(target)) {
        errors.add(where, message("column '", column, "': unknown name '", name, "' in '", e.text, "'",
                                  did_you_mean(target, all_names)));
      }
    }
    for (const auto& curve : referenced_curves(e))
      if (clean.curves && std::find(curve_ids.begin(), curve_ids.end(), curve) == curve_ids.end())
        errors.add(where, message("column '", column, "': unknown curve '", curve, "' in '", e.text, "'",
                                  did_you_mean(curve, curve_ids)));
    for (const auto& process : referenced_processes(e))
      if (clean.processes && !network.find_process(process))
        errors.add(where, message("column '", column, "': unknown process '", process, "' in '", e.text, "'",
                                  did_you_mean(process, process_ids)));
  };
  for (const auto& c : network.commodities) {
    if (c.energy_factor) check_expression(*c.energy_factor, "", c.where, "energy_MJ_per_unit");
    if (c.mass_factor) check_expression(*c.mass_factor, "", c.where, "mass_t_per_unit");
  }
  for (const auto& f : network.flows) check_expression(f.quantity, f.id, f.where, "quantity");
  for (const auto& v : network.variables) {
    check_expression(v.expression, v.name, v.where, "expression");
    for (const auto& m : v.modes)
      if (clean.modes && !network.find_mode(m))
        errors.add(v.where, message("column 'modes': unknown mode '", m, "'", did_you_mean(m, mode_ids)));
  }
  for (const auto& o : network.outputs) check_expression(o.expression, o.name, o.where, "expression");

  // A variable defined several times must cover disjoint modes (or be defined once for all).
  // Each definition is compared with the earlier ones of its name only: comparing every pair
  // took minutes for a case of 100 000 variables.
  std::map<std::string, std::vector<std::size_t>> earlier_definitions;
  for (std::size_t i = 0; i < network.variables.size(); ++i) {
    std::vector<std::size_t>& earlier = earlier_definitions[network.variables[i].name];
    for (const std::size_t j : earlier) {
      const auto& a = network.variables[i];
      const auto& b = network.variables[j];
      bool overlap = a.modes.empty() || b.modes.empty();
      for (const auto& m : a.modes) overlap = overlap || std::find(b.modes.begin(), b.modes.end(), m) != b.modes.end();
      if (overlap)
        errors.add(a.where, message("variable '", a.name, "' is defined again for a mode already covered at line ",
                                    b.where.line, " (give each definition a disjoint 'modes' list)"));
      if (a.unit != b.unit)
        errors.add(a.where, message("column 'unit': unit mismatch: variable '", a.name, "' is in '", a.unit,
                                    "' here but in '", b.unit, "' at line ", b.where.line));
    }
    earlier.push_back(i);
  }
}

}  // namespace

namespace {

void require_directory(const std::string& directory) {
  if (!std::filesystem::is_directory(directory))
    throw InputError(SourceLocation{directory, 0, 0},
                     "not a case directory (expected a folder with case.csv, parameters.csv, ...)");
}

std::string case_name(const std::string& directory) {
  std::string name = std::filesystem::path(directory).lexically_normal().filename().string();
  if (name.empty()) name = std::filesystem::path(directory).lexically_normal().parent_path().filename().string();
  return name;
}

/// Runs one step of a collecting read with its own ErrorList (so each file gets its own cap of
/// 20) and moves what it found into `out`. A step that throws (a missing file, a bad header, no
/// data rows) ends only that step. Returns whether the step found nothing wrong.
template <typename Step>
bool collect(CaseReading& out, Step&& step) {
  ErrorList errors;
  bool threw = false;
  try {
    step(errors);
  } catch (const InputErrors& e) {
    out.errors.insert(out.errors.end(), e.messages().begin(), e.messages().end());
    threw = true;
  } catch (const InputError& e) {
    out.errors.emplace_back(e.what());
    threw = true;
  }
  try {
    errors.throw_if_any();
  } catch (const InputErrors& e) {
    out.errors.insert(out.errors.end(), e.messages().begin(), e.messages().end());
  } catch (const InputError& e) {
    out.errors.emplace_back(e.what());
  }
  return !threw && errors.empty();
}

}  // namespace

CaseReading read_case_collecting(const std::string& directory) {
  CaseReading out;
  try {
    require_directory(directory);
  } catch (const InputError& e) {
    out.errors.emplace_back(e.what());
    return out;
  }
  Network& network = out.network;
  network.name = case_name(directory);
  // Every file is read whatever the others hold: its own rows are checked in full, and names
  // are checked only against files that read cleanly (CleanFiles), so that each message is a
  // defect of its own and not the echo of another.
  CleanFiles clean;
  const bool settings = collect(out, [&](ErrorList& e) { read_settings(network, directory, e); });
  clean.parameters = collect(out, [&](ErrorList& e) { read_parameters(network, directory, e); });
  clean.commodities = collect(out, [&](ErrorList& e) { read_commodities(network, directory, e); });
  clean.processes = collect(out, [&](ErrorList& e) { read_processes(network, directory, e); });
  clean.flows = collect(out, [&](ErrorList& e) { read_flows(network, directory, e, clean); });
  clean.variables = collect(out, [&](ErrorList& e) { read_variables(network, directory, e); });
  clean.curves = collect(out, [&](ErrorList& e) { read_curves(network, directory, e, clean); });
  clean.modes = collect(out, [&](ErrorList& e) { read_modes(network, directory, e, clean); });
  clean.outputs = collect(out, [&](ErrorList& e) { read_outputs(network, directory, e); });
  const bool options = collect(out, [&](ErrorList& e) { read_options(network, directory, e, clean); });
  const bool names = collect(out, [&](ErrorList& e) { check_names(network, e, clean); });
  out.parameters_clean = clean.parameters;
  out.complete = settings && options && names && clean.parameters && clean.commodities && clean.processes &&
                 clean.flows && clean.variables && clean.curves && clean.modes && clean.outputs;
  auto skipped = [&](bool file_clean, std::string_view file, std::string_view what) {
    if (!file_clean) out.skipped.push_back(message(what, " not checked: ", file, " has errors"));
  };
  skipped(clean.parameters, "parameters.csv", "parameter names in curves.csv and options.csv");
  skipped(clean.commodities, "commodities.csv", "commodities and units of flows.csv");
  skipped(clean.processes, "processes.csv", "process names in flows.csv, modes.csv and active()");
  skipped(clean.flows, "flows.csv", "flow names in modes.csv");
  skipped(clean.modes, "modes.csv", "mode names in variables.csv");
  skipped(clean.curves, "curves.csv", "curve names in pwl()");
  if (!clean.names())
    out.skipped.emplace_back(
        "names in expressions not checked: parameters.csv, flows.csv, variables.csv or outputs.csv has errors");
  return out;
}

Network read_case(const std::string& directory) {
  require_directory(directory);
  Network network;
  network.name = case_name(directory);
  ErrorList errors;
  // Files are read in dependency order; each reports all its row errors before the next is
  // checked against it, so one defect does not cascade into dozens of messages.
  read_settings(network, directory, errors);
  read_parameters(network, directory, errors);
  errors.throw_if_any();
  read_commodities(network, directory, errors);
  read_processes(network, directory, errors);
  errors.throw_if_any();
  const CleanFiles clean;
  read_flows(network, directory, errors, clean);
  read_variables(network, directory, errors);
  read_curves(network, directory, errors, clean);
  errors.throw_if_any();
  read_modes(network, directory, errors, clean);
  read_outputs(network, directory, errors);
  read_options(network, directory, errors, clean);
  errors.throw_if_any();
  check_names(network, errors, clean);
  errors.throw_if_any();
  return network;
}

}  // namespace symbiomc
