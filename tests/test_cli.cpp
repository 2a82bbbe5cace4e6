// The command line, parsed in-process (CLI11's TApp idea): run_cli() gets an argument vector
// and two string streams, so each test sees the exit code, stdout and stderr of one
// `symbiomc ...` call without a process. The JSON keys checked here are a contract with
// report scripts. One group of tests runs the real binary to cover main()'s hand-over.

#include "cli.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"

namespace symbiomc::cli {
namespace {

using test::BIOMASS_CASE;
using test::CliRun;
using test::lines_of;
using test::read_text;
using test::run_symbiomc;
using test::ScratchDir;
using test::split_commas;
using test::UNIT_MISMATCH_CASE;

// The outputs of cases/biomass/outputs.csv, in file order.
const std::vector<std::pair<std::string, std::string>> BIOMASS_OUTPUTS = {
    {"total_power_MW", "MW"},
    {"total_heat_MJ_per_h", "MJ/h"},
    {"extra_power_MW", "MW"},
    {"extra_heat_MJ_per_h", "MJ/h"},
    {"efficiency_symbiosis_pct", "%"},
    {"efficiency_independent_pct", "%"},
    {"efficiency_change_pct_points", "pct points"},
    {"savings_10k_yuan_per_yr", "10^4 yuan/yr"},
    {"waste_reused_t_per_h", "t/h"},
    {"extra_net_grid_export_MW", "MW"},
};
const std::vector<std::string> BIOMASS_MODES = {"independent", "m1", "m2", "m3", "m4"};

nlohmann::json balance_json(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"balance", "--case", BIOMASS_CASE, "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun r = run_symbiomc(args);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return nlohmann::json::parse(r.out);
}

// Value of `output` in the mode with id `mode` of a balance JSON (baseline included).
double output_of(const nlohmann::json& j, const std::string& mode, const std::string& output) {
  if (j.at("independent_operation").at("id") == mode) return j.at("independent_operation").at(output).get<double>();
  for (const auto& m : j.at("modes"))
    if (m.at("id") == mode) return m.at(output).get<double>();
  ADD_FAILURE() << "no mode " << mode;
  return NAN;
}

// ---- balance: the three formats.

TEST(CliBalance, TableHasEveryModeAsAColumnAndUnitsInRowLabels) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = lines_of(r.out);
  ASSERT_GT(lines.size(), 3U);
  EXPECT_EQ(lines[0],
            "Biomass industrial symbiosis: CHP, anaerobic digestion, bioethanol, bio-oil refinery and cement plant");
  // The header row: "output [unit]" then one column per mode, baseline first.
  std::size_t header = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("output [unit]") != std::string::npos) header = i;
  ASSERT_LT(header, lines.size()) << r.out;
  std::size_t at = 0;
  for (const auto& mode : BIOMASS_MODES) {
    const auto found = lines[header].find(" " + mode, at);
    ASSERT_NE(found, std::string::npos) << "mode " << mode << " not in header '" << lines[header] << "'";
    at = found + 1;
  }
  // One row per output, labelled "name [unit]", with a number in every mode's column.
  for (const auto& [name, unit] : BIOMASS_OUTPUTS) {
    const std::string label = name + " [" + unit + "]";
    bool found = false;
    for (const auto& line : lines) {
      if (line.find(label) == std::string::npos) continue;
      found = true;
      std::istringstream cells(line.substr(line.find(label) + label.size()));
      std::vector<std::string> values;
      for (std::string v; cells >> v;) values.push_back(v);
      EXPECT_EQ(values.size(), BIOMASS_MODES.size()) << line;
    }
    EXPECT_TRUE(found) << "no row labelled '" << label << "' in\n" << r.out;
  }
  EXPECT_NE(r.out.find("Modes: independent = Independent operation; m1 = Mode 1: CHP + AD;"), std::string::npos)
      << r.out;
}

TEST(CliBalance, JsonHasTheContractKeysForEveryMode) {
  const nlohmann::json j = balance_json();
  EXPECT_EQ(j.at("case"), "biomass");
  ASSERT_TRUE(j.at("modes").is_array());
  ASSERT_EQ(j.at("modes").size(), 4U);  // the modes compared with independent operation
  const std::vector<std::string> names = {"Mode 1: CHP + AD", "Mode 2: + bioethanol", "Mode 3: + bio-oil refinery",
                                          "Mode 4: + cement plant"};
  for (std::size_t m = 0; m < 4; ++m) {
    const auto& mode = j.at("modes")[m];
    EXPECT_EQ(mode.at("name"), names[m]);
    for (const char* key : {"extra_power_MW", "extra_heat_MJ_per_h", "total_power_MW", "total_heat_MJ_per_h",
                            "efficiency_change_pct_points", "savings_10k_yuan_per_yr"}) {
      ASSERT_TRUE(mode.contains(key)) << names[m] << " has no '" << key << "'";
      EXPECT_TRUE(mode.at(key).is_number()) << key;
      EXPECT_TRUE(std::isfinite(mode.at(key).get<double>())) << key;
    }
  }
}

TEST(CliBalance, JsonOutputsAreConsistentWithTheirDefinitions) {
  // extra = total - base.total; savings = extra power x 1000 kWh/MWh x 6000 h/yr x 0.21 yuan/kWh / 10^4.
  const nlohmann::json j = balance_json();
  const double base_power = j.at("independent_operation").at("total_power_MW").get<double>();
  const double base_heat = j.at("independent_operation").at("total_heat_MJ_per_h").get<double>();
  EXPECT_EQ(j.at("independent_operation").at("extra_power_MW").get<double>(), 0.0);
  for (const auto& mode : j.at("modes")) {
    const double extra = mode.at("extra_power_MW").get<double>();
    EXPECT_NEAR(extra, mode.at("total_power_MW").get<double>() - base_power, 1e-12 * std::abs(base_power));
    EXPECT_NEAR(mode.at("extra_heat_MJ_per_h").get<double>(), mode.at("total_heat_MJ_per_h").get<double>() - base_heat,
                1e-12 * std::abs(base_heat));
    EXPECT_NEAR(mode.at("savings_10k_yuan_per_yr").get<double>(), extra * 1000 * 6000 * 0.21 / 1e4,
                1e-12 * std::abs(extra) * 126);
  }
}

TEST(CliBalance, CsvHasAHeaderAndOneRowPerModeAndOutput) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "mode,kind,name,unit,value");
  std::map<std::pair<std::string, std::string>, int> seen;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split_commas(lines[i]);
    ASSERT_EQ(cells.size(), 5U) << lines[i];
    if (cells[1] != "output") continue;
    ++seen[{cells[0], cells[2]}];
    double value = NAN;
    EXPECT_NO_THROW(value = std::stod(cells[4])) << lines[i];
    EXPECT_TRUE(std::isfinite(value)) << lines[i];
  }
  EXPECT_EQ(seen.size(), BIOMASS_MODES.size() * BIOMASS_OUTPUTS.size());
  for (const auto& mode : BIOMASS_MODES)
    for (const auto& [name, unit] : BIOMASS_OUTPUTS) EXPECT_EQ((seen[{mode, name}]), 1) << mode << " " << name;
}

TEST(CliBalance, CaseNameIgnoresATrailingSlash) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE + "/", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("case"), "biomass");
}

// ---- What-if runs: --set and --option.

TEST(CliBalance, SetChangesTotalPower) {
  const nlohmann::json nominal = balance_json();
  const nlohmann::json more_straw = balance_json({"--set", "chp_straw_t_h=6"});
  for (const auto& mode : BIOMASS_MODES)
    EXPECT_GT(output_of(more_straw, mode, "total_power_MW"), output_of(nominal, mode, "total_power_MW")) << mode;
}

TEST(CliBalance, SetWithUnknownNameExitsTwoAndSuggestsTheName) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--set", "chp_straw_th=6"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: --set chp_straw_th=6: unknown parameter 'chp_straw_th' (did you mean 'chp_straw_t_h', "
            "'pyro_straw_t_h'?)\n");
}

TEST(CliBalance, SetWithoutEqualsSignExitsTwo) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--set", "x"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.err, "error: --set x: expected NAME=VALUE\n");
}

TEST(CliBalance, SetWithANonNumberExitsTwo) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--set", "chp_straw_t_h=six"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.err, "error: --set chp_straw_t_h=six: expected a number after '=', got 'six'\n");
}

TEST(CliBalance, SetOutsideTheParameterDomainExitsTwo) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--set", "eta_e_solid_full=1.2"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.err,
            "error: --set eta_e_solid_full=1.2: parameter 'eta_e_solid_full' (kind efficiency): expected in "
            "(0, 1]\n");
}

TEST(CliBalance, SetOutsideTheDomainEchoesTheValueAsTyped) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--set", "eta_e_solid_full=1.1"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  // 1.1 has no exact double: echoing the parsed value would print 1.1000000000000001.
  EXPECT_EQ(r.err,
            "error: --set eta_e_solid_full=1.1: parameter 'eta_e_solid_full' (kind efficiency): expected in "
            "(0, 1]\n")
      << "the --set value must be echoed as typed, not from the parsed double";
}

TEST(CliBalance, OptionChangesModeFourPowerOnly) {
  const nlohmann::json table5 = balance_json();
  const nlohmann::json table1 = balance_json({"--option", "whb_split=table1"});
  EXPECT_EQ(table1.at("options").at("whb_split"), "table1");
  EXPECT_EQ(table5.at("options").at("whb_split"), "table5");
  // The waste-heat boiler runs in mode 4 only; Table 1's split sends 75 % of its energy to power.
  EXPECT_GT(output_of(table1, "m4", "total_power_MW"), output_of(table5, "m4", "total_power_MW"));
  EXPECT_LT(output_of(table1, "m4", "total_heat_MJ_per_h"), output_of(table5, "m4", "total_heat_MJ_per_h"));
  for (const std::string mode : {"independent", "m1", "m2", "m3"})
    EXPECT_EQ(output_of(table1, mode, "total_power_MW"), output_of(table5, mode, "total_power_MW")) << mode;
}

TEST(CliBalance, OptionWithUnknownNameSuggestsTheName) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--option", "whb_splt=table1"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.err,
            "error: --option whb_splt=table1: case 'biomass' has no option 'whb_splt' (did you mean "
            "'whb_split'?)\n");
}

TEST(CliBalance, OptionWithUnknownChoiceListsTheChoices) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--option", "whb_split=table2"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.err, "error: --option whb_split=table2: expected one of table5, table1\n");
}

// ---- --flows and --out.

TEST(CliBalance, FlowsListsFlowsAndProcessBalancesOfEveryMode) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--flows"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const std::string heading :
       {"Independent operation (independent)", "Mode 1: CHP + AD (m1)", "Mode 2: + bioethanol (m2)",
        "Mode 3: + bio-oil refinery (m3)", "Mode 4: + cement plant (m4)"}) {
    EXPECT_NE(r.out.find("== " + heading + ": flows\n"), std::string::npos) << heading;
    EXPECT_NE(r.out.find("== " + heading + ": process balances"), std::string::npos) << heading;
  }
  for (const std::string text : {"straw_to_chp", "straw_market -> chp", "steam_to_whb", "cement -> whb",
                                 "energy [MJ/h]", "mass in [t/h]", "closure [MJ/h]"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
}

TEST(CliBalance, FlowsInJsonHaveQuantitiesAndBalances) {
  const nlohmann::json j = balance_json({"--flows"});
  const auto& m4 = j.at("modes").at(3);
  ASSERT_EQ(m4.at("id"), "m4");
  bool steam = false;
  for (const auto& f : m4.at("flows")) {
    EXPECT_GE(f.at("quantity").get<double>(), 0.0) << f.at("id");
    if (f.at("id") == "steam_to_whb") steam = f.at("from") == "cement" && f.at("to") == "whb" && f.at("unit") == "t/h";
  }
  EXPECT_TRUE(steam);
  std::set<std::string> processes;
  for (const auto& b : m4.at("balances")) processes.insert(b.at("process").get<std::string>());
  for (const std::string p : {"chp", "whb", "cement", "pyrolysis", "ethanol", "ad"})
    EXPECT_EQ(processes.count(p), 1U) << p;
}

TEST(CliBalance, OutWritesBalanceJsonWithFlows) {
  ScratchDir dir;
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--out", dir.path().string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.path() / "balance.json"));
  EXPECT_EQ(j.at("case"), "biomass");
  EXPECT_TRUE(j.at("modes").at(0).contains("flows"));
}

// ---- Bad case input and bad command lines.

TEST(CliBalance, MissingCaseDirectoryExitsTwoNamingIt) {
  const std::string dir = test::SOURCE_DIR + "/cases/no_such_case";
  const CliRun r = run_symbiomc({"balance", "--case", dir});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + dir + ": not a case directory (expected a folder with case.csv, parameters.csv, ...)\n");
}

TEST(CliBalance, BadCaseExitsTwoWithFileAndLine) {
  const CliRun r = run_symbiomc({"balance", "--case", UNIT_MISMATCH_CASE});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + UNIT_MISMATCH_CASE +
                       "/flows.csv:2: column 'unit': unit mismatch: flow 'straw_in' is in 'kg/h' but commodity 'straw' "
                       "is measured in 't/h'\n");
}

TEST(CliParse, MissingCaseOptionIsAParseError) {
  const CliRun r = run_symbiomc({"balance"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--case is required"), std::string::npos) << r.err;
}

TEST(CliParse, UnknownSubcommandIsNamedWithTheCommands) {
  const CliRun r = run_symbiomc({"frobnicate", "--case", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: 'frobnicate' is not a symbiomc command; the commands are balance, uncertainty, sensitivity, "
            "report, check, init, bench\nRun with --help for more information.\n");
}

TEST(CliParse, MistypedSubcommandSuggestsTheNearestCommand) {
  const CliRun r = run_symbiomc({"balanc", "--case", BIOMASS_CASE});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("error: 'balanc' is not a symbiomc command (did you mean 'balance'?)"), std::string::npos)
      << r.err;
}

TEST(CliParse, UnknownFlagIsAParseError) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--bogus"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
}

TEST(CliParse, UnknownFormatIsAParseError) {
  const CliRun r = run_symbiomc({"balance", "--case", BIOMASS_CASE, "--format", "xml"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("xml"), std::string::npos) << r.err;
}

TEST(CliParse, NoArgumentsAsksForASubcommand) {
  const CliRun r = run_symbiomc({});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("subcommand"), std::string::npos) << r.err;
}

TEST(CliParse, HelpExitsZeroAndListsBalance) {
  const CliRun r = run_symbiomc({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("balance"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Usage: symbiomc [OPTIONS] SUBCOMMAND"), std::string::npos) << r.out;
}

TEST(CliParse, BalanceHelpListsItsOptions) {
  const CliRun r = run_symbiomc({"balance", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage: symbiomc balance [OPTIONS]"), std::string::npos) << r.out;
  for (const std::string option : {"--case", "--set", "--option", "--format", "--flows", "--out"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
}

TEST(CliParse, VersionExitsZero) {
  const CliRun r = run_symbiomc({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("symbiomc"), std::string::npos) << r.out;
}

// ---- The real binary: main() hands the streams and exit code through unchanged.

TEST(CliBinary, BadCaseExitsTwoWithTheMessageOnStderr) {
  ScratchDir dir;
  const CliRun r = test::run_binary({"balance", "--case", UNIT_MISMATCH_CASE}, dir.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + UNIT_MISMATCH_CASE +
                       "/flows.csv:2: column 'unit': unit mismatch: flow 'straw_in' is in 'kg/h' but commodity 'straw' "
                       "is measured in 't/h'\n");
}

TEST(CliBinary, GoodCaseExitsZero) {
  ScratchDir dir;
  const CliRun r = test::run_binary({"balance", "--case", BIOMASS_CASE, "--format", "json"}, dir.path());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("case"), "biomass");
}

TEST(CliBinary, BadFlagExitsNonZero) {
  ScratchDir dir;
  const CliRun r = test::run_binary({"balance", "--case", BIOMASS_CASE, "--bogus"}, dir.path());
  EXPECT_GT(r.code, 0);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace symbiomc::cli
