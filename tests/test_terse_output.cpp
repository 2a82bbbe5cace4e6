// What `uncertainty` and `sensitivity` print by default (cli/terminal_summary.hpp): the case's
// headline outputs (outputs.csv's headline column) and, per output and mode, the parameters
// whose intervals exclude zero, at most five, so a result fits a screen or two; `--all` prints
// every output and the longer tables. The expectations are read from the result files of the
// same run (the top parameter, the parameters with a zero index), never typed in, and the
// files are the same with and without --all: only the terminal changes.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/report/result_csv.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::lines_of;
using test::read_text;

// Lines a default summary of the biomass case may take: two screens. The long tables it replaces
// took 450 (Sobol' with groups) and 230 (uncertainty) lines.
constexpr std::size_t SCREENS_OF_LINES = 100;

const std::vector<std::string> BIOMASS_HEADLINE = {"extra_power_MW", "efficiency_change_pct_points",
                                                   "savings_10k_yuan_per_yr"};

std::vector<std::string> biomass_outputs_not_headline() {
  std::vector<std::string> names;
  for (const auto& o : read_case(test::BIOMASS_CASE).outputs)
    if (!o.headline) names.push_back(o.name);
  return names;
}

bool prints(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

/// The lines of one mode's block in the summary table of `output`: from the line that starts
/// with `mode` (after the output's title line) to the next line that does not start with a
/// space (the next mode, or the end of the table).
std::vector<std::string> mode_block(const std::string& text, const std::string& output, const std::string& mode) {
  const auto lines = lines_of(text);
  std::size_t i = 0;
  while (i < lines.size() && !lines[i].starts_with(output + " [")) ++i;
  while (i < lines.size() && !lines[i].starts_with(mode + " ")) ++i;
  std::vector<std::string> block;
  if (i == lines.size()) return block;
  block.push_back(lines[i]);
  for (++i; i < lines.size() && lines[i].starts_with("  "); ++i) block.push_back(lines[i]);
  return block;
}

/// One row of a result CSV, by column name.
using Row = std::map<std::string, std::string>;
std::vector<Row> rows_of(const fs::path& path) {
  const ResultCsv csv(path.string());
  std::vector<Row> rows;
  for (const auto& r : csv.rows()) {
    Row row;
    for (std::size_t c = 0; c < csv.header().size(); ++c) row[csv.header()[c]] = csv.text(r, c);
    rows.push_back(std::move(row));
  }
  return rows;
}

bool is_headline(const std::string& output) {
  return std::find(BIOMASS_HEADLINE.begin(), BIOMASS_HEADLINE.end(), output) != BIOMASS_HEADLINE.end();
}

class TerseOutput : public ::testing::Test {
 protected:
  const test::ScratchDir scratch;
  CliRun run(std::vector<std::string> args, const std::string& out_name) {
    args.insert(args.end(), {"--out", (scratch.path() / out_name).string()});
    CliRun r = test::run_symbiomc(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return r;
  }
  /// Every file of two result folders byte-identical (run.log and manifest.csv aside: wall time).
  void expect_same_files(const std::string& a, const std::string& b) {
    std::size_t compared = 0;
    for (const auto& entry : fs::directory_iterator(scratch.path() / a)) {
      const std::string name = entry.path().filename().string();
      if (name == "run.log" || name == "manifest.csv") continue;
      EXPECT_EQ(read_text(entry.path()), read_text(scratch.path() / b / name)) << name;
      ++compared;
    }
    EXPECT_GT(compared, 2U);
  }
};

TEST_F(TerseOutput, SobolShowsHeadlineOutputsTopParametersAndGroupsOnTwoScreens) {
  const std::vector<std::string> args = {"sensitivity",
                                         "--case",
                                         test::BIOMASS_CASE,
                                         "--distributions",
                                         test::BIOMASS_DISTRIBUTIONS,
                                         "--ignore-correlation",
                                         "--base-runs",
                                         "512",
                                         "--groups",
                                         "--seed",
                                         "2024"};
  const CliRun terse = run(args, "terse");
  std::vector<std::string> all_args = args;
  all_args.push_back("--all");
  const CliRun all = run(all_args, "all");
  expect_same_files("terse", "all");

  EXPECT_LE(lines_of(terse.out).size(), SCREENS_OF_LINES) << terse.out;
  for (const auto& output : BIOMASS_HEADLINE) EXPECT_TRUE(prints(terse.out, "\n" + output + " [")) << output;
  for (const auto& output : biomass_outputs_not_headline()) {
    EXPECT_FALSE(prints(terse.out, output)) << output << " is not a headline output:\n" << terse.out;
    EXPECT_TRUE(prints(all.out, output)) << output << " missing from --all";
  }
  EXPECT_TRUE(prints(terse.out, "sobol.csv and sobol_outputs.csv")) << terse.out;
  EXPECT_TRUE(prints(terse.out, "--all")) << terse.out;

  const auto rows = rows_of(scratch.path() / "terse" / "sobol.csv");
  // The top parameter of mode-4 savings (largest ST) heads mode 4's block of the savings table,
  // and the top group follows the parameters.
  std::string top_parameter, top_group;
  double top_st = -1, top_group_st = -1;
  for (const auto& row : rows) {
    if (row.at("mode") != "m4" || row.at("output") != "savings_10k_yuan_per_yr") continue;
    const double st = std::stod(row.at("ST"));
    if (row.at("kind") == "parameter" && st > top_st) top_st = st, top_parameter = row.at("parameter");
    if (row.at("kind") == "group" && st > top_group_st) top_group_st = st, top_group = row.at("parameter");
  }
  ASSERT_FALSE(top_parameter.empty());
  const auto block = mode_block(terse.out, "savings_10k_yuan_per_yr", "m4");
  ASSERT_GE(block.size(), 3U) << terse.out;
  EXPECT_TRUE(block[1].starts_with("  " + top_parameter + " ")) << block[1];
  EXPECT_TRUE(std::any_of(block.begin(), block.end(), [&](const std::string& l) {
    return l.starts_with("  group " + top_group + " ");
  })) << terse.out;
  EXPECT_LE(block.size(), 1 + 2 * 5U);  // the mode's line, at most 5 parameters and 5 groups

  // A parameter whose ST interval includes 0 for every headline output and mode is never shown;
  // --all still shows those of them that rank among the 8 largest somewhere.
  std::set<std::string> nonzero_somewhere, zero_everywhere, in_top_eight;
  for (const auto& row : rows) {
    if (row.at("kind") != "parameter") continue;
    if (std::stoi(row.at("rank")) <= 8) in_top_eight.insert(row.at("parameter"));
    if (!is_headline(row.at("output"))) continue;
    if (row.at("ST_indistinguishable_from_zero") == "no") nonzero_somewhere.insert(row.at("parameter"));
  }
  for (const auto& row : rows)
    if (row.at("kind") == "parameter" && !nonzero_somewhere.contains(row.at("parameter")) &&
        in_top_eight.contains(row.at("parameter")))
      zero_everywhere.insert(row.at("parameter"));
  ASSERT_FALSE(zero_everywhere.empty()) << "no zero-index parameter ranks among the 8 largest: nothing to check";
  for (const auto& name : zero_everywhere) {
    EXPECT_FALSE(prints(terse.out, "  " + name + " ")) << name << " has ST ~ 0 in every headline output";
    EXPECT_TRUE(prints(all.out, " " + name + " ")) << name << " missing from --all";
  }
}

TEST_F(TerseOutput, ShapleyShowsTheTopParameterOfModeFourSavings) {
  const CliRun terse =
      run({"sensitivity", "--method", "shapley", "--case", test::BIOMASS_CASE, "--distributions",
           test::BIOMASS_DISTRIBUTIONS, "--permutations", "400", "--shapley-variance-runs", "4000", "--seed", "2024"},
          "shapley");
  EXPECT_LE(lines_of(terse.out).size(), SCREENS_OF_LINES) << terse.out;
  std::string top;
  double top_value = -1;
  std::set<std::string> zero;
  for (const auto& row : rows_of(scratch.path() / "shapley" / "shapley.csv")) {
    if (row.at("mode") != "m4" || row.at("output") != "savings_10k_yuan_per_yr") continue;
    if (const double v = std::stod(row.at("shapley")); v > top_value) top_value = v, top = row.at("parameter");
    if (row.at("indistinguishable_from_zero") == "yes") zero.insert(row.at("parameter"));
  }
  const auto block = mode_block(terse.out, "savings_10k_yuan_per_yr", "m4");
  ASSERT_GE(block.size(), 2U) << terse.out;
  EXPECT_TRUE(block[1].starts_with("  " + top + " ")) << block[1];
  EXPECT_LE(block.size(), 1 + 5U);
  ASSERT_FALSE(zero.empty());
  for (const auto& line : block)
    for (const auto& name : zero) EXPECT_FALSE(line.starts_with("  " + name + " ")) << name << " has ~0 effect";
  EXPECT_TRUE(prints(terse.out, "shapley.csv and shapley_outputs.csv")) << terse.out;
}

TEST_F(TerseOutput, MorrisLeavesOutParametersWithoutEffect) {
  const std::vector<std::string> args = {"sensitivity",
                                         "--method",
                                         "morris",
                                         "--case",
                                         test::BIOMASS_CASE,
                                         "--distributions",
                                         test::BIOMASS_DISTRIBUTIONS,
                                         "--trajectories",
                                         "20",
                                         "--seed",
                                         "2024"};
  const CliRun terse = run(args, "terse");
  std::vector<std::string> all_args = args;
  all_args.push_back("--all");
  const CliRun all = run(all_args, "all");
  EXPECT_LE(lines_of(terse.out).size(), SCREENS_OF_LINES) << terse.out;
  // Every parameter with mu* = 0 for mode-4 savings (morris.csv) is absent from that block.
  std::set<std::string> without_effect;
  std::string top;
  for (const auto& row : rows_of(scratch.path() / "terse" / "morris.csv")) {
    if (row.at("mode") != "m4" || row.at("output") != "savings_10k_yuan_per_yr") continue;
    if (std::stod(row.at("mu_star")) == 0) without_effect.insert(row.at("parameter"));
    if (row.at("rank") == "1") top = row.at("parameter");
  }
  ASSERT_FALSE(without_effect.empty());
  const auto block = mode_block(terse.out, "savings_10k_yuan_per_yr", "m4");
  ASSERT_GE(block.size(), 2U) << terse.out;
  EXPECT_TRUE(block[1].starts_with("  " + top + " ")) << block[1];
  for (const auto& line : block)
    for (const auto& name : without_effect) EXPECT_FALSE(line.starts_with("  " + name + " ")) << name;
  EXPECT_GT(lines_of(all.out).size(), lines_of(terse.out).size());
}

TEST_F(TerseOutput, UncertaintyShowsHeadlineOutputsAndEvppiThatExcludesZero) {
  const std::vector<std::string> args = {"uncertainty",
                                         "--case",
                                         test::BIOMASS_CASE,
                                         "--distributions",
                                         test::BIOMASS_DISTRIBUTIONS,
                                         "--runs",
                                         "20000",
                                         "--seed",
                                         "2024",
                                         "--decision",
                                         "savings_10k_yuan_per_yr",
                                         "--decision",
                                         "efficiency_change_pct_points"};
  const CliRun terse = run(args, "terse");
  std::vector<std::string> all_args = args;
  all_args.push_back("--all");
  const CliRun all = run(all_args, "all");
  expect_same_files("terse", "all");
  EXPECT_LE(lines_of(terse.out).size(), SCREENS_OF_LINES) << terse.out;
  for (const auto& output : BIOMASS_HEADLINE) EXPECT_TRUE(prints(terse.out, "\n" + output + " [")) << output;
  for (const auto& output : biomass_outputs_not_headline()) {
    EXPECT_FALSE(prints(terse.out, "\n" + output + " [")) << output;
    EXPECT_TRUE(prints(all.out, "\n" + output + " [")) << output;
  }
  EXPECT_TRUE(prints(terse.out, "the 3 headline outputs of 10")) << terse.out;
  // The EVPPI rows printed are those whose interval excludes 0 (decision.csv's note says when
  // one is consistent with zero); --all prints the 8 largest as before.
  std::set<std::string> consistent_with_zero, excluding_zero;
  for (const auto& row : rows_of(scratch.path() / "terse" / "decision.csv")) {
    if (row.at("quantity") != "evppi" || row.at("value").empty()) continue;
    const std::string name = (row.at("kind") == "group" ? "group " : "") + row.at("subject");
    (prints(row.at("note"), "consistent with zero") ? consistent_with_zero : excluding_zero).insert(name);
  }
  ASSERT_FALSE(consistent_with_zero.empty());
  for (const auto& line : lines_of(terse.out))
    for (const auto& name : consistent_with_zero) EXPECT_FALSE(line.starts_with(name + " ")) << line;
  EXPECT_TRUE(std::any_of(consistent_with_zero.begin(), consistent_with_zero.end(),
                          [&](const std::string& name) { return prints(all.out, "\n" + name + " "); }))
      << "--all prints the 8 largest EVPPI, zeros among them:\n"
      << all.out;
}

TEST_F(TerseOutput, AnalyticModelShowsItsOutput) {
  const CliRun r = run({"sensitivity", "--model", "ishigami", "--base-runs", "256", "--seed", "1"}, "ishigami");
  EXPECT_TRUE(prints(r.out, "\ny [1]\n")) << r.out;
  EXPECT_TRUE(prints(r.out, "  x1 ")) << r.out;
}

}  // namespace
}  // namespace symbiomc
