// `symbiomc check`: every kind of error and warning, each provoked by a one-line edit of the
// starter case (`symbiomc init`), found and reported with its file and line; defects of several
// files reported in one run without echoes; the bundled cases' findings. And the run-time rule
// behind one warning: an option that sets a parameter the distributions file perturbs is
// refused, naming both rows, unless --override-distributions says the option wins.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc::cli {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::csv_rows;
using test::read_json;
using test::read_text;
using test::run_symbiomc;
using test::ScratchDir;
using test::succeeded;
using test::write_text;

/// The starter case of `symbiomc init`, written into the scratch folder; returns its folder.
std::string starter_case(const ScratchDir& scratch) {
  const std::string dir = scratch.sub("park");
  EXPECT_TRUE(succeeded(run_symbiomc({"init", dir})));
  return dir;
}

/// Appends `line` to the file; returns its line number.
std::size_t append_line(const fs::path& path, const std::string& line) {
  const std::string text = read_text(path);
  write_text(path, text + line + "\n");
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

/// Replaces the one occurrence of `from` in the file by `to`; returns the line it is on.
std::size_t replace_in(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_text(path);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return 0;
  text.replace(at, from.size(), to);
  write_text(path, text);
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

/// The lines of a section ("errors", "warnings", "not checked") of check's output.
std::vector<std::string> section(const std::string& out, const std::string& title) {
  std::vector<std::string> items;
  bool inside = false;
  for (const auto& line : test::lines_of(out)) {
    if (line.rfind(title + " (", 0) == 0) {
      inside = true;
      continue;
    }
    if (inside && line.rfind("  ", 0) == 0) {
      items.push_back(line.substr(2));
    } else if (inside) {
      break;
    }
  }
  return items;
}

CliRun check(const std::string& dir, bool with_distributions = true) {
  std::vector<std::string> args = {"check", "--case", dir};
  if (with_distributions) args.insert(args.end(), {"--distributions", dir + "/distributions.csv"});
  return run_symbiomc(args);
}

/// Expects exit 1 and exactly one warning, which starts with `where` and contains `text`.
void expect_one_warning(const CliRun& r, const std::string& where, const std::string& text) {
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(section(r.out, "errors").empty()) << r.out;
  const auto warnings = section(r.out, "warnings");
  ASSERT_EQ(warnings.size(), 1u) << r.out;
  EXPECT_EQ(warnings[0].rfind(where, 0), 0u) << warnings[0];
  EXPECT_NE(warnings[0].find(text), std::string::npos) << warnings[0];
}

TEST(Check, WarnsOfAParameterNothingUses) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = append_line(dir + "/parameters.csv", "spare_kW,5,kW,nonnegative,meter,");
  expect_one_warning(check(dir), dir + "/parameters.csv:" + std::to_string(line) + ": ",
                     "parameter 'spare_kW' is used by no flow, variable, output, commodity or curve");
}

TEST(Check, WarnsOfAParameterWithoutASource) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = replace_in(dir + "/parameters.csv", "example value: a truck over 10 km", "TODO");
  expect_one_warning(check(dir), dir + "/parameters.csv:" + std::to_string(line) + ": ",
                     "parameter 'hauling_cost_yuan_per_t' has no source ('TODO'");
}

TEST(Check, WarnsOfAFlowNoModeSwitchesOn) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = append_line(dir + "/flows.csv", "spare_gas,gas_grid,greenhouse,natural_gas,MJ/h,10,,");
  expect_one_warning(check(dir), dir + "/flows.csv:" + std::to_string(line) + ": ",
                     "flow 'spare_gas' is switched on by no mode");
}

TEST(Check, WarnsOfAProcessWithoutFlows) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = append_line(dir + "/processes.csv", "bakery,plant,Bakery,");
  expect_one_warning(check(dir), dir + "/processes.csv:" + std::to_string(line) + ": ",
                     "process 'bakery' has no flows");
}

TEST(Check, WarnsOfAnOutputAlikeInEveryMode) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = append_line(dir + "/outputs.csv", "heat_demand_out_MJ_per_h,MJ/h,heat_demand_MJ_per_h,");
  expect_one_warning(check(dir), dir + "/outputs.csv:" + std::to_string(line) + ": ",
                     "output 'heat_demand_out_MJ_per_h' has the same value in every mode at the nominal values and 8 "
                     "points");
  // Without distributions, the nominal case alone is compared.
  expect_one_warning(check(dir, false), dir + "/outputs.csv:" + std::to_string(line) + ": ",
                     "has the same value in every mode (expected an output that tells the modes apart)");
}

TEST(Check, WarnsOfADistributionWithoutASource) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = replace_in(dir + "/distributions.csv", "example spread: announced fee rises", "");
  expect_one_warning(check(dir), dir + "/distributions.csv:" + std::to_string(line) + ": ",
                     "column 'source' (parameter 'landfill_fee_yuan_per_t'): no source for this distribution");
}

/// An options.csv for the starter case whose non-default choice sets a perturbed parameter
/// (inside the distribution's support, so the distribution would silently overwrite it).
std::size_t add_tariff_option(const std::string& dir) {
  write_text(dir + "/options.csv",
             "option,choice,default,parameter,value,description\n"
             "gas_tariff,standard,yes,gas_price_yuan_per_MJ,0.08,Today's tariff\n"
             "gas_tariff,contract,no,gas_price_yuan_per_MJ,0.09,A long-term contract\n");
  return 3;
}

TEST(Check, WarnsOfAnOptionThatSetsAPerturbedParameter) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto option_line = add_tariff_option(dir);
  const auto dist_line = replace_in(dir + "/distributions.csv", "gas_price_yuan_per_MJ,", "gas_price_yuan_per_MJ,");
  expect_one_warning(check(dir), dir + "/options.csv:" + std::to_string(option_line) + ": ",
                     "option gas_tariff=contract sets 'gas_price_yuan_per_MJ', which " + dir +
                         "/distributions.csv:" + std::to_string(dist_line) +
                         " also perturbs: a run with --option gas_tariff=contract is refused unless "
                         "--override-distributions is given");
}

TEST(Check, ErrsOnADistributionWhoseSupportExcludesTheNominalValue) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line = replace_in(dir + "/distributions.csv", "residue_t_per_h,triang,t/h,1.6,2,2.3",
                               "residue_t_per_h,triang,t/h,2.5,2.8,3");
  const CliRun r = check(dir);
  EXPECT_EQ(r.code, 2) << r.out;
  const auto errors = section(r.out, "errors");
  ASSERT_EQ(errors.size(), 1u) << r.out;
  EXPECT_EQ(errors[0].rfind(dir + "/distributions.csv:" + std::to_string(line) + ": column 'dist'", 0), 0u)
      << errors[0];
  EXPECT_NE(errors[0].find("nominal value 2 lies outside the support [2.5, 3]"), std::string::npos) << errors[0];
}

TEST(Check, ErrsOnADistributionUnitThatDiffersFromTheCase) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto line =
      replace_in(dir + "/distributions.csv", "lhv_residue_MJ_per_kg,pert,MJ/kg", "lhv_residue_MJ_per_kg,pert,kJ/kg");
  const CliRun r = check(dir);
  EXPECT_EQ(r.code, 2) << r.out;
  const auto errors = section(r.out, "errors");
  ASSERT_EQ(errors.size(), 1u) << r.out;
  EXPECT_EQ(errors[0], dir + "/distributions.csv:" + std::to_string(line) +
                           ": column 'unit' (parameter 'lhv_residue_MJ_per_kg'): 'kJ/kg' differs from the case's "
                           "unit 'MJ/kg'");
}

TEST(Check, ReportsTheErrorsOfEveryFileInOneRun) {
  // `balance` stops after processes.csv; `check` goes on to modes.csv, outputs.csv and the
  // distributions file, each checked against what read cleanly.
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const auto process_line = replace_in(dir + "/processes.csv", "landfill,external", "landfill,dump");
  const auto mode_line = replace_in(dir + "/modes.csv", ",sawdust_to_greenhouse,", ",sawdust_to_greenhous,");
  const auto output_line = replace_in(dir + "/outputs.csv", "base.gas_to_greenhouse - gas_to_greenhouse",
                                      "base.gas_to_greenhouse - * gas_to_greenhouse");
  const auto dist_line =
      replace_in(dir + "/distributions.csv", "hauling_cost_yuan_per_t,triang", "hauling_cost_yuan_per_t,triangle");
  const CliRun balance = run_symbiomc({"balance", "--case", dir});
  EXPECT_EQ(balance.code, 2);
  EXPECT_EQ(balance.err.find("modes.csv"), std::string::npos) << balance.err;

  const CliRun r = check(dir);
  EXPECT_EQ(r.code, 2) << r.out;
  const auto errors = section(r.out, "errors");
  ASSERT_EQ(errors.size(), 4u) << r.out;
  EXPECT_EQ(errors[0].rfind(dir + "/processes.csv:" + std::to_string(process_line) + ": column 'kind'", 0), 0u);
  EXPECT_EQ(errors[1].rfind(dir + "/modes.csv:" + std::to_string(mode_line) + ": column 'flows'", 0), 0u);
  EXPECT_NE(errors[1].find("did you mean 'sawdust_to_greenhouse'"), std::string::npos) << errors[1];
  EXPECT_EQ(errors[2].rfind(dir + "/outputs.csv:" + std::to_string(output_line) + ": column 'expression'", 0), 0u);
  EXPECT_EQ(errors[3].rfind(dir + "/distributions.csv:" + std::to_string(dist_line) + ": column 'dist'", 0), 0u);
  EXPECT_TRUE(section(r.out, "warnings").empty()) << r.out;
  const auto skipped = section(r.out, "not checked");
  EXPECT_NE(std::find(skipped.begin(), skipped.end(),
                      "process names in flows.csv, modes.csv and active() not checked: processes.csv has errors"),
            skipped.end())
      << r.out;
}

TEST(Check, NamesAreNotCheckedAgainstAFileWithErrors) {
  // A process row with a bad id is one error, not one more for every flow that names it.
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  replace_in(dir + "/processes.csv", "sawmill,plant", "2sawmill,plant");
  const CliRun r = check(dir);
  EXPECT_EQ(r.code, 2) << r.out;
  const auto errors = section(r.out, "errors");
  ASSERT_EQ(errors.size(), 1u) << r.out;
  EXPECT_NE(errors[0].find("expected a name of letters, digits and '_' not starting with a digit, got '2sawmill'"),
            std::string::npos);
}

TEST(Check, AMissingFileIsOneErrorAndTheOtherFilesAreStillRead) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  fs::remove(dir + "/outputs.csv");
  const auto line = replace_in(dir + "/parameters.csv", "gas_boiler_efficiency,0.9", "gas_boiler_efficiency,1.5");
  const CliRun r = check(dir);
  EXPECT_EQ(r.code, 2) << r.out;
  const auto errors = section(r.out, "errors");
  ASSERT_EQ(errors.size(), 2u) << r.out;
  EXPECT_EQ(errors[0].rfind(dir + "/parameters.csv:" + std::to_string(line) + ": column 'value'", 0), 0u);
  EXPECT_EQ(errors[1], dir + "/outputs.csv: cannot open file");
  EXPECT_NE(r.out.find(dir + "/distributions.csv not checked: parameters.csv has errors"), std::string::npos);
}

TEST(Check, BundledCasesHaveOnlyTheirOptionWarnings) {
  // The biomass case's distributions perturb the waste-heat boiler's split, which the option
  // whb_split=table1 sets: true, and what a run with that option is now refused for.
  const CliRun biomass =
      run_symbiomc({"check", "--case", test::BIOMASS_CASE, "--distributions", test::BIOMASS_DISTRIBUTIONS});
  EXPECT_EQ(biomass.code, 1) << biomass.out;
  const auto warnings = section(biomass.out, "warnings");
  ASSERT_EQ(warnings.size(), 2u) << biomass.out;
  EXPECT_NE(warnings[0].find("options.csv:7: option whb_split=table1 sets 'whb_power_frac', which "),
            std::string::npos);
  EXPECT_NE(warnings[1].find("options.csv:8: option whb_split=table1 sets 'whb_heat_frac', which "), std::string::npos);
  EXPECT_TRUE(section(biomass.out, "errors").empty());
}

TEST(OptionConflict, RunIsRefusedNamingBothRowsUnlessOverridden) {
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const std::string dist = dir + "/distributions.csv";
  const auto option_line = add_tariff_option(dir);
  const auto dist_line = replace_in(dist, "gas_price_yuan_per_MJ,", "gas_price_yuan_per_MJ,");
  const std::string both_rows = dir + "/options.csv:" + std::to_string(option_line) +
                                ": option gas_tariff=contract sets 'gas_price_yuan_per_MJ', which " + dist + ":" +
                                std::to_string(dist_line) + " also perturbs";
  const std::vector<std::vector<std::string>> commands = {
      {"uncertainty", "--runs", "1000"}, {"sensitivity", "--base-runs", "64"}, {"sensitivity", "--method", "morris"}};
  for (const auto& command : commands) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--case", dir, "--distributions", dist, "--option", "gas_tariff=contract", "--out",
                             scratch.sub("refused"), "--quiet"});
    const CliRun r = run_symbiomc(args);
    EXPECT_EQ(r.code, 2) << command[0] << ": " << r.err;
    EXPECT_NE(r.err.find(both_rows), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--override-distributions"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(scratch.sub("refused") + "/summary.csv"));
  }
  // The default choice sets the nominal values the distributions describe: not a conflict.
  EXPECT_TRUE(succeeded(run_symbiomc({"uncertainty", "--runs", "1000", "--case", dir, "--distributions", dist,
                                      "--option", "gas_tariff=standard", "--out", scratch.sub("default"), "--quiet"})));
}

TEST(OptionConflict, OverrideHoldsTheOptionsValueAndDropsTheRow) {
  // --override-distributions gives the same numbers as removing the row by hand.
  ScratchDir scratch;
  const std::string dir = starter_case(scratch);
  const std::string dist = dir + "/distributions.csv";
  add_tariff_option(dir);
  const CliRun overridden =
      run_symbiomc({"uncertainty", "--runs", "2000", "--case", dir, "--distributions", dist, "--option",
                    "gas_tariff=contract", "--override-distributions", "--out", scratch.sub("overridden"), "--quiet"});
  ASSERT_TRUE(succeeded(overridden));
  const std::string by_hand = scratch.sub("by_hand.csv");
  std::string text = read_text(dist);
  const auto row = text.find("gas_price_yuan_per_MJ,");
  text.erase(row, text.find('\n', row) + 1 - row);
  write_text(by_hand, text);
  ASSERT_TRUE(succeeded(run_symbiomc({"uncertainty", "--runs", "2000", "--case", dir, "--distributions", by_hand,
                                      "--option", "gas_tariff=contract", "--out", scratch.sub("by_hand"), "--quiet"})));
  for (const char* file : {"summary.csv", "quantiles.csv"}) {
    const auto a = csv_rows(fs::path(scratch.sub("overridden")) / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, csv_rows(fs::path(scratch.sub("by_hand")) / file)) << file;
  }
  const auto json = read_json(fs::path(scratch.sub("overridden")) / "summary.json");
  EXPECT_NE(json.dump().find("\"override-distributions\":\"gas_price_yuan_per_MJ\""), std::string::npos) << json.dump();
}

TEST(OptionConflict, BiomassTable1SplitIsRefusedThenRunsWithItsCorrelationDropped) {
  ScratchDir scratch;
  const std::vector<std::string> base = {"uncertainty",
                                         "--runs",
                                         "1000",
                                         "--case",
                                         test::BIOMASS_CASE,
                                         "--distributions",
                                         test::BIOMASS_DISTRIBUTIONS,
                                         "--option",
                                         "whb_split=table1"};
  std::vector<std::string> refused = base;
  refused.insert(refused.end(), {"--out", scratch.sub("refused"), "--quiet"});
  const CliRun r = run_symbiomc(refused);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("options.csv:7: option whb_split=table1 sets 'whb_power_frac', which " +
                       test::BIOMASS_DISTRIBUTIONS + ":45 also perturbs"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("options.csv:8: option whb_split=table1 sets 'whb_heat_frac', which " +
                       test::BIOMASS_DISTRIBUTIONS + ":46 also perturbs"),
            std::string::npos)
      << r.err;
  std::vector<std::string> overridden = base;
  overridden.insert(overridden.end(), {"--override-distributions", "--out", scratch.sub("overridden"), "--quiet"});
  EXPECT_TRUE(succeeded(run_symbiomc(overridden)));
}

TEST(ProblemWithout, DropsRowsAndRemapsTheRemainingCorrelationPairs) {
  std::vector<UncertainParameter> parameters;
  for (const char* name : {"a", "b", "c", "d"})
    parameters.push_back(UncertainParameter{name, "1", Distribution(Uniform(0.0, 1.0)), name, "", 0, {}});
  const Problem problem("p.csv", 7, parameters, {FixedParameter{"e", 4, 1.0, {}}});
  std::vector<CorrelationPair> pairs = {{0, 1, "a", "b", 0.5, {}}, {2, 3, "c", "d", -0.3, {}}};
  const Problem correlated = problem.with_correlation(RankCorrelation(4, pairs, "p.corr.csv", 9));
  const std::vector<std::string> dropped = {"b", "e"};
  const Problem out = correlated.without(dropped);
  ASSERT_EQ(out.dimension(), 3u);
  EXPECT_EQ(out.parameters()[0].name, "a");
  EXPECT_EQ(out.parameters()[1].name, "c");
  EXPECT_EQ(out.parameters()[2].name, "d");
  EXPECT_TRUE(out.fixed().empty());
  EXPECT_EQ(out.path(), "p.csv");
  ASSERT_TRUE(out.correlation().has_value());
  ASSERT_EQ(out.correlation()->pairs().size(), 1u);
  EXPECT_EQ(out.correlation()->pairs()[0].a, 1u);
  EXPECT_EQ(out.correlation()->pairs()[0].b, 2u);
  EXPECT_EQ(out.correlation()->pairs()[0].rank_correlation, -0.3);
  EXPECT_EQ(out.correlation()->path(), "p.corr.csv");
  const std::vector<std::string> both = {"c", "d"};
  EXPECT_FALSE(correlated.without(both).without(std::vector<std::string>{"a"}).correlation().has_value());
}

}  // namespace
}  // namespace symbiomc::cli
