#include "balance_command.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <sstream>

#include "case_args.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/base/result_folder.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "text_table.hpp"

namespace symbiomc::cli {

void add_balance_command(CLI::App& app, BalanceArgs& args) {
  CLI::App* cmd =
      app.add_subcommand("balance", "Material and energy balance of every synergy mode against independent operation");
  cmd->add_option("--case", args.case_dir, "Case directory (e.g. cases/biomass)")->required();
  cmd->add_option("--set", args.sets, "Override a parameter for a what-if run: NAME=VALUE (repeatable)");
  cmd->add_option("--option", args.options, "Pick a structural option: NAME=CHOICE (repeatable)");
  cmd->add_option("--format", args.format, "Output format")->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_flag("--flows", args.flows, "Also list every flow and each process's mass and energy balance");
  cmd->add_option("--out", args.out_dir, "Also write balance.json (with flows and balances) into this directory")
      ->each([&args](const std::string&) { args.out_given = true; });
}

namespace {

std::string label(const std::string& name, const std::string& unit) { return name + " [" + unit + "]"; }

nlohmann::json mode_json(const BalancePlan& plan, const BalanceWorkspace& ws, std::size_t m, bool flows) {
  const PlanMode& mode = plan.modes()[m];
  nlohmann::json j;
  j["id"] = mode.id;
  j["name"] = mode.name;
  j["status"] = std::string(to_string(ws.status(m, 0)));
  for (std::size_t k = 0; k < plan.outputs().size(); ++k) j[plan.outputs()[k].name] = ws.output(plan, m, k, 0);
  if (!flows) return j;
  const Network& network = plan.network();
  nlohmann::json flow_list = nlohmann::json::array();
  for (const PlanFlow& pf : mode.flows) {
    if (!pf.active) continue;
    const Flow& flow = network.flows[pf.flow];
    const double q = ws.value(pf.slot, 0);
    nlohmann::json f{{"id", flow.id},
                     {"from", flow.from},
                     {"to", flow.to},
                     {"commodity", flow.commodity},
                     {"unit", network.find_commodity(flow.commodity)->unit},
                     {"quantity", q}};
    if (pf.has_energy) f["energy_MJ_per_h"] = q * ws.value(pf.energy_factor, 0);
    if (pf.has_mass) f["mass_t_per_h"] = q * ws.value(pf.mass_factor, 0);
    flow_list.push_back(f);
  }
  j["flows"] = flow_list;
  nlohmann::json balances = nlohmann::json::array();
  for (const auto& b : process_balances(plan, ws, m, 0))
    balances.push_back({{"process", b.process},
                        {"mass_in_t_per_h", b.mass_in_t_per_h},
                        {"mass_out_t_per_h", b.mass_out_t_per_h},
                        {"mass_closure_t_per_h", b.mass_closure_t_per_h()},
                        {"energy_in_MJ_per_h", b.energy_in_MJ_per_h},
                        {"energy_out_MJ_per_h", b.energy_out_MJ_per_h},
                        {"energy_closure_MJ_per_h", b.energy_closure_MJ_per_h()}});
  j["balances"] = balances;
  nlohmann::json variables;
  for (const auto& v : mode.variables) variables[v.name] = ws.value(v.slot, 0);
  j["variables"] = variables;
  return j;
}

nlohmann::json balance_json(const BalancePlan& plan, const BalanceWorkspace& ws, bool flows) {
  nlohmann::json j;
  j["case"] = plan.network().name;
  j["title"] = plan.network().title;
  nlohmann::json options;
  for (const auto& [name, choice] : plan.chosen_options()) options[name] = choice;
  j["options"] = options;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : plan.network().files) files.push_back({{"path", f.path}, {"fnv1a64", checksum_hex(f.checksum)}});
  j["files"] = files;
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : plan.outputs())
    outputs.push_back({{"name", o.name}, {"unit", o.unit}, {"description", o.description}});
  j["outputs"] = outputs;
  j["independent_operation"] = mode_json(plan, ws, 0, flows);
  nlohmann::json modes = nlohmann::json::array();
  for (std::size_t m = 1; m < plan.modes().size(); ++m) modes.push_back(mode_json(plan, ws, m, flows));
  j["modes"] = modes;
  return j;
}

void print_table(const BalancePlan& plan, const BalanceWorkspace& ws, bool flows, std::ostream& out) {
  const Network& network = plan.network();
  out << network.title << "\n";
  std::string options;
  for (const auto& [name, choice] : plan.chosen_options())
    options += (options.empty() ? "" : ", ") + name + "=" + choice;
  if (!options.empty()) out << "options: " << options << "\n";
  out << "\n";
  std::vector<std::string> header{"output [unit]"};
  for (const auto& mode : plan.modes()) header.push_back(mode.id);
  TextTable table(header);
  for (std::size_t k = 0; k < plan.outputs().size(); ++k) {
    std::vector<std::string> row{label(plan.outputs()[k].name, plan.outputs()[k].unit)};
    for (std::size_t m = 0; m < plan.modes().size(); ++m)
      row.push_back(ws.status(m, 0) == RunStatus::ok ? grouped_number(ws.output(plan, m, k, 0)) : "-");
    table.add_row(row);
  }
  bool any_failed = false;
  std::vector<std::string> status_row{"status"};
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    status_row.emplace_back(to_string(ws.status(m, 0)));
    any_failed = any_failed || ws.status(m, 0) != RunStatus::ok;
  }
  if (any_failed) table.add_row(status_row);
  table.print(out);
  out << "\nModes: ";
  for (std::size_t m = 0; m < plan.modes().size(); ++m)
    out << (m ? "; " : "") << plan.modes()[m].id << " = " << plan.modes()[m].name;
  out << "\n";
  if (!flows) return;
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    const PlanMode& mode = plan.modes()[m];
    out << "\n== " << mode.name << " (" << mode.id << "): flows\n";
    TextTable flow_table({"flow", "from -> to", "quantity", "unit", "energy [MJ/h]", "mass [t/h]"});
    for (const PlanFlow& pf : mode.flows) {
      if (!pf.active) continue;
      const Flow& flow = network.flows[pf.flow];
      const double q = ws.value(pf.slot, 0);
      flow_table.add_row({flow.id, flow.from + " -> " + flow.to, grouped_number(q),
                          network.find_commodity(flow.commodity)->unit,
                          pf.has_energy ? grouped_number(q * ws.value(pf.energy_factor, 0)) : "",
                          pf.has_mass ? grouped_number(q * ws.value(pf.mass_factor, 0)) : ""});
    }
    flow_table.print(out);
    out << "\n== " << mode.name << " (" << mode.id
        << "): process balances (closure = in - out: losses the case does not list)\n";
    TextTable balance_table({"process", "mass in [t/h]", "mass out [t/h]", "closure [t/h]", "energy in [MJ/h]",
                             "energy out [MJ/h]", "closure [MJ/h]"});
    for (const auto& b : process_balances(plan, ws, m, 0))
      balance_table.add_row({b.process, grouped_number(b.mass_in_t_per_h), grouped_number(b.mass_out_t_per_h),
                             grouped_number(b.mass_closure_t_per_h()), grouped_number(b.energy_in_MJ_per_h),
                             grouped_number(b.energy_out_MJ_per_h), grouped_number(b.energy_closure_MJ_per_h())});
    balance_table.print(out);
  }
}

void print_csv(const BalancePlan& plan, const BalanceWorkspace& ws, bool flows, std::ostream& out) {
  const Network& network = plan.network();
  // Names and units come from the case files: quoted when they hold a comma or a quote.
  auto row = [&out](const std::string& mode, std::string_view kind, const std::string& name, const std::string& unit,
                    const std::string& value) {
    out << csv_text(mode) << "," << kind << "," << csv_text(name) << "," << csv_text(unit) << "," << value << "\n";
  };
  out << "mode,kind,name,unit,value\n";
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    const PlanMode& mode = plan.modes()[m];
    row(mode.id, "status", "status", "", std::string(to_string(ws.status(m, 0))));
    for (std::size_t k = 0; k < plan.outputs().size(); ++k)
      row(mode.id, "output", plan.outputs()[k].name, plan.outputs()[k].unit,
          round_trip_number(ws.output(plan, m, k, 0)));
    if (!flows) continue;
    for (const PlanFlow& pf : mode.flows) {
      if (!pf.active) continue;
      const Flow& flow = network.flows[pf.flow];
      row(mode.id, "flow", flow.id, network.find_commodity(flow.commodity)->unit,
          round_trip_number(ws.value(pf.slot, 0)));
    }
    for (const auto& b : process_balances(plan, ws, m, 0)) {
      row(mode.id, "mass_in", b.process, "t/h", round_trip_number(b.mass_in_t_per_h));
      row(mode.id, "mass_out", b.process, "t/h", round_trip_number(b.mass_out_t_per_h));
      row(mode.id, "energy_in", b.process, "MJ/h", round_trip_number(b.energy_in_MJ_per_h));
      row(mode.id, "energy_out", b.process, "MJ/h", round_trip_number(b.energy_out_MJ_per_h));
    }
  }
}

}  // namespace

int run_balance(const BalanceArgs& args, std::ostream& out) {
  const Network network = read_case(args.case_dir);
  const BalancePlan plan = BalancePlan::compile(network, plan_options(args.sets, args.options));
  std::unique_ptr<ResultFolder> folder;
  if (args.out_given) folder = std::make_unique<ResultFolder>(args.out_dir, "--out");
  BalanceWorkspace ws(plan, 1);
  evaluate(plan, ws, 1);
  if (folder) {
    write_file_atomically((std::filesystem::path(folder->staging()) / "balance.json").string(),
                          balance_json(plan, ws, true).dump(2) + "\n");
    folder->commit();
  }
  if (args.format == "json")
    out << balance_json(plan, ws, args.flows).dump(2) << "\n";
  else if (args.format == "csv")
    print_csv(plan, ws, args.flows, out);
  else
    print_table(plan, ws, args.flows, out);
  for (std::size_t m = 0; m < plan.modes().size(); ++m)
    if (ws.status(m, 0) != RunStatus::ok) return EXIT_FAILURE;
  return EXIT_SUCCESS;
}

}  // namespace symbiomc::cli
