// The starter case that `symbiomc init` writes: a sawmill whose sawdust, landfilled when the
// plants run alone, heats a neighbouring greenhouse and replaces part of its natural gas. Kept in
// its own file so the text can be read and changed as the files it becomes. Every number is an
// example of plausible size, marked as such in its source column, for the user to replace.
#include "init_command.hpp"

namespace symbiomc::cli {

namespace {

constexpr std::string_view CASE_CSV = R"(# Settings of the case (format: cases/README.md in the symbiomc sources).
# Lines starting with '#' are comments; the first other line names the columns.
key,value,description
title,Starter park: sawdust from a sawmill heats a greenhouse,Written by symbiomc init; replace with your park
source,Example values (replace each with your plants' data and say where it comes from),
)";

constexpr std::string_view PARAMETERS_CSV =
    R"(# Every number of the case, with its unit (also in its name), its physical domain and its source.
# kind: any, nonnegative, positive, fraction ([0, 1]) or efficiency ((0, 1]).
# A distributions file can perturb any of them by name; `balance --set NAME=VALUE` changes one.
name,value,unit,kind,source,description
residue_t_per_h,2,t/h,nonnegative,example value: the sawmill's metered sawdust,Sawdust the sawmill produces
lhv_residue_MJ_per_kg,9,MJ/kg,positive,example value: wet sawdust (about 45 % moisture),Lower heating value of the sawdust as delivered
exchange_share,0.9,1,fraction,example value: what the greenhouse can take,Share of the sawdust sent to the greenhouse when they cooperate
residue_boiler_efficiency,0.8,1,efficiency,example value: a grate boiler's data sheet,Efficiency of the greenhouse's sawdust boiler
gas_boiler_efficiency,0.9,1,efficiency,example value: a condensing gas boiler's data sheet,Efficiency of the greenhouse's gas boiler
heat_demand_MJ_per_h,40000,MJ/h,nonnegative,example value: the greenhouse's heat meter,Heat the greenhouse needs
gas_price_yuan_per_MJ,0.08,yuan/MJ,nonnegative,example value: about 2.9 yuan/m3 at 36 MJ/m3,Price of natural gas
landfill_fee_yuan_per_t,100,yuan/t,nonnegative,example value: the local tipping fee,What the sawmill pays to landfill sawdust
hauling_cost_yuan_per_t,30,yuan/t,nonnegative,example value: a truck over 10 km,Cost of moving sawdust to the greenhouse
hours_per_yr,6000,h/yr,positive,example value: both plants' operating hours,Hours a year both plants run
)";

constexpr std::string_view COMMODITIES_CSV =
    R"(# What flows between processes, with the unit of all its flows. energy_MJ_per_unit and
# mass_t_per_unit are expressions: the energy (MJ/h) and mass (t/h) one unit of flow carries.
id,unit,energy_MJ_per_unit,mass_t_per_unit,description
sawdust,t/h,1000 * lhv_residue_MJ_per_kg,1,Sawdust from the sawmill
natural_gas,MJ/h,1,,Natural gas (measured by its energy)
)";

constexpr std::string_view PROCESSES_CSV =
    R"(# The plants of the park (plant or converter) and what lies outside it (external: markets,
# suppliers, disposal; not balanced). Only the flows that matter to the exchange are listed (not
# the sawmill's logs and lumber), so `balance --flows` shows the sawmill's closure as -sawdust.
id,kind,name,description
sawmill,plant,Sawmill,Produces sawdust as a residue
greenhouse,plant,Greenhouse,Needs heat; burns gas and (when cooperating) sawdust
landfill,external,Landfill,Where the sawmill's sawdust goes when nobody uses it
gas_grid,external,Gas grid,Supplies natural gas
)";

constexpr std::string_view FLOWS_CSV =
    R"(# Flows between processes. quantity is an expression of parameters, variables and other flows,
# in the commodity's unit; a flow that a mode does not switch on (modes.csv) is 0 in that mode.
id,from,to,commodity,unit,quantity,source,description
sawdust_to_landfill,sawmill,landfill,sawdust,t/h,residue_t_per_h - sawdust_to_greenhouse,,What is not used is landfilled
sawdust_to_greenhouse,sawmill,greenhouse,sawdust,t/h,residue_t_per_h * exchange_share,,The exchange: sawdust burnt in the greenhouse
gas_to_greenhouse,gas_grid,greenhouse,natural_gas,MJ/h,(heat_demand_MJ_per_h - sawdust_heat_MJ_per_h) / gas_boiler_efficiency,,Gas for the heat the sawdust does not give
)";

constexpr std::string_view VARIABLES_CSV =
    R"(# Intermediate quantities, named with their unit; usable in flows, outputs and other variables.
name,unit,modes,expression,source,description
sawdust_heat_MJ_per_h,MJ/h,,sawdust_to_greenhouse * 1000 * lhv_residue_MJ_per_kg * residue_boiler_efficiency,,Heat the greenhouse gets from sawdust
cost_yuan_per_yr,yuan/yr,,hours_per_yr * (gas_to_greenhouse * gas_price_yuan_per_MJ + sawdust_to_landfill * landfill_fee_yuan_per_t + sawdust_to_greenhouse * hauling_cost_yuan_per_t),,"What both plants pay for gas, landfill and hauling"
)";

constexpr std::string_view MODES_CSV =
    R"(# Synergy modes: the processes and flows each switches on (space-separated). Exactly one is the
# baseline (independent operation), which every other mode is compared with; 'extends' adds
# another mode's processes and flows.
id,name,baseline,extends,processes,flows,description
independent,Independent operation,yes,,sawmill greenhouse landfill gas_grid,sawdust_to_landfill gas_to_greenhouse,Each plant runs alone
exchange,Sawdust exchange,no,independent,,sawdust_to_greenhouse,The greenhouse burns the sawmill's sawdust
)";

constexpr std::string_view OUTPUTS_CSV =
    R"(# What is reported for every mode; base.NAME is NAME's value in the baseline mode.
name,unit,expression,description
gas_saved_MJ_per_h,MJ/h,base.gas_to_greenhouse - gas_to_greenhouse,Extra energy: gas the greenhouse no longer buys
sawdust_reused_t_per_h,t/h,sawdust_to_greenhouse,Residue put to use instead of landfilled
savings_yuan_per_yr,yuan/yr,base.cost_yuan_per_yr - cost_yuan_per_yr,What cooperation saves both plants together
)";

constexpr std::string_view DISTRIBUTIONS_CSV =
    R"(# How uncertain each number is (format: distributions/README.md in the symbiomc sources).
# One row per uncertain parameter; unit must equal the case's; blank cells are n/a. Parameters
# without a row keep their value. Replace these example spreads with your own, with a source.
parameter,dist,unit,low,mode,high,group,source
residue_t_per_h,triang,t/h,1.6,2,2.3,supply,example spread: a year of monthly production records
lhv_residue_MJ_per_kg,pert,MJ/kg,7.5,9,10.5,supply,example spread: moisture between 35 % and 55 %
exchange_share,triang,1,0.7,0.9,1,supply,example spread: the greenhouse's storage limits
residue_boiler_efficiency,triang,1,0.7,0.8,0.85,equipment,example spread: part load and fouling
gas_price_yuan_per_MJ,unif,yuan/MJ,0.06,,0.1,prices,example spread: the last five years' tariffs
landfill_fee_yuan_per_t,unif,yuan/t,80,,150,prices,example spread: announced fee rises
hauling_cost_yuan_per_t,triang,yuan/t,20,30,50,prices,example spread: fuel price and route
)";

}  // namespace

std::vector<TemplateFile> starter_case_files() {
  return {
      {"case.csv", CASE_CSV},           {"parameters.csv", PARAMETERS_CSV}, {"commodities.csv", COMMODITIES_CSV},
      {"processes.csv", PROCESSES_CSV}, {"flows.csv", FLOWS_CSV},           {"variables.csv", VARIABLES_CSV},
      {"modes.csv", MODES_CSV},         {"outputs.csv", OUTPUTS_CSV},       {"distributions.csv", DISTRIBUTIONS_CSV}};
}

}  // namespace symbiomc::cli
