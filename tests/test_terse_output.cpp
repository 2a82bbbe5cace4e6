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

// Lines a default summary of the biomass case may take: two screens. In the main job
// (scripts/run-biomass.sh) the summaries take 57 (uncertainty with two decisions), 82 (Shapley)
// and 82 (Sobol' with groups) lines; the long tables, now behind --all, took 138, 578 and 1,008.
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
/// with `mode` (after the output's title line; it also holds the first parameter) to the next
/// line that does not start with a space (the next mode, or the end of the table).
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

/// The lines from the one that starts with `title` to the next empty line (a --all table).
std::vector<std::string> table_after(const std::string& text, const std::string& title) {
  std::vector<std::string> table;
  bool inside = false;
  for (const auto& line : lines_of(text)) {
    if (!inside && line.starts_with(title)) inside = true;
    if (inside && line.empty()) break;
    if (inside) table.push_back(line);
  }
  return table;
}

/// Whether `line` shows `name` as a cell of its own.
bool shows_name(const std::string& line, const std::string& name) { return prints(line + " ", " " + name + " "); }

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
  /// Every file of two result folders byte-identical (run.log aside: it holds the wall time).
  void expect_same_files(const std::string& a, const std::string& b) {
    std::size_t compared = 0;
    for (const auto& entry : fs::directory_iterator(scratch.path() / a)) {
      const std::string name = entry.path().filename().string();
      if (name == "run.log") continue;
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
  ASSERT_GE(block.size(), 2U) << terse.out;
  EXPECT_TRUE(shows_name(block[0], top_parameter)) << block[0];
  EXPECT_TRUE(shows_name(block[0], top_group)) << block[0];  // groups beside the parameters
  EXPECT_LE(block.size(), 5U) << terse.out;

  // Per headline output and mode, the parameters among the 8 largest ST whose ST interval
  // includes 0 (the long tables list them, "S1 ~ 0", where few parameters matter): never in
  // the summary's block of that mode, still in --all's table of that mode and output.
  std::map<std::pair<std::string, std::string>, std::vector<Row>> blocks;
  for (const auto& row : rows)
    if (row.at("kind") == "parameter" && is_headline(row.at("output")))
      blocks[{row.at("mode"), row.at("output")}].push_back(row);
  std::size_t checked = 0;
  for (auto& [key, parameters] : blocks) {
    std::stable_sort(parameters.begin(), parameters.end(),
                     [](const Row& a, const Row& b) { return std::stod(a.at("ST")) > std::stod(b.at("ST")); });
    if (parameters.front().at("ST_indistinguishable_from_zero") == "yes") continue;  // the output does not vary
    const auto& [mode, output] = key;
    const auto block = mode_block(terse.out, output, mode);
    const auto long_table = table_after(all.out, mode + " / " + output + " [");
    for (std::size_t i = 0; i < 8 && i < parameters.size(); ++i) {
      const std::string& name = parameters[i].at("parameter");
      // Zero: the interval includes 0, or a floating-point residue (1e-30) whose interval does not.
      if (parameters[i].at("ST_indistinguishable_from_zero") != "yes" && std::stod(parameters[i].at("ST")) >= 1e-12)
        continue;
      ++checked;
      for (const auto& line : block) EXPECT_FALSE(shows_name(line, name)) << mode << " " << output << ": " << line;
      EXPECT_TRUE(std::any_of(long_table.begin(), long_table.end(),
                              [&](const std::string& line) { return shows_name(line, name); }))
          << name << " missing from --all's table of " << mode << " / " << output;
    }
  }
  EXPECT_GT(checked, 0U) << "no zero-index parameter among the 8 largest: nothing was checked";
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
  ASSERT_GE(block.size(), 1U) << terse.out;
  EXPECT_TRUE(shows_name(block[0], top)) << block[0];
  EXPECT_LE(block.size(), 5U);
  ASSERT_FALSE(zero.empty());
  for (const auto& line : block)
    for (const auto& name : zero) EXPECT_FALSE(shows_name(line, name)) << name << " has ~0 effect";
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
    if (std::stod(row.at("mu_star")) < 1e-12) without_effect.insert(row.at("parameter"));
    if (row.at("rank") == "1") top = row.at("parameter");
  }
  ASSERT_FALSE(without_effect.empty());
  const auto block = mode_block(terse.out, "savings_10k_yuan_per_yr", "m4");
  ASSERT_GE(block.size(), 1U) << terse.out;
  EXPECT_TRUE(shows_name(block[0], top)) << block[0];
  EXPECT_LE(block.size(), 5U);
  for (const auto& line : block)
    for (const auto& name : without_effect) EXPECT_FALSE(shows_name(line, name)) << name;
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
  // The EVPPI rows printed under each decision are those whose interval excludes 0
  // (decision.csv's note says when one is consistent with zero); --all prints the 8 largest.
  std::map<std::string, std::set<std::string>> consistent_with_zero_of;  // by decision output
  std::set<std::string> consistent_with_zero;
  for (const auto& row : rows_of(scratch.path() / "terse" / "decision.csv")) {
    if (row.at("quantity") != "evppi" || row.at("value").empty()) continue;
    const std::string name = (row.at("kind") == "group" ? "group " : "") + row.at("subject");
    if (prints(row.at("note"), "consistent with zero")) {
      consistent_with_zero_of[row.at("output")].insert(name);
      consistent_with_zero.insert(name);
    }
  }
  ASSERT_FALSE(consistent_with_zero.empty());
  for (const auto& [output, names] : consistent_with_zero_of) {
    const auto decision = table_after(terse.out, "Decision on " + output + " [");
    ASSERT_FALSE(decision.empty()) << output;
    for (const auto& line : decision)
      for (const auto& name : names) EXPECT_FALSE(line.starts_with(name + " ")) << output << ": " << line;
  }
  EXPECT_TRUE(std::any_of(consistent_with_zero.begin(), consistent_with_zero.end(),
                          [&](const std::string& name) { return prints(all.out, "\n" + name + " "); }))
      << "--all prints the 8 largest EVPPI, zeros among them:\n"
      << all.out;
}

TEST_F(TerseOutput, AnalyticModelShowsItsOutput) {
  const CliRun r = run({"sensitivity", "--model", "ishigami", "--base-runs", "256", "--seed", "1"}, "ishigami");
  EXPECT_TRUE(prints(r.out, "\ny [1]\n")) << r.out;
  const auto lines = lines_of(r.out);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) { return shows_name(line, "x1"); }))
      << r.out;
}

}  // namespace
}  // namespace symbiomc
