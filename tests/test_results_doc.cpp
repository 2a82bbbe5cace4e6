// docs/results.md describes every result file, CSV column and JSON key symbiomc writes. This
// test runs the biomass case's commands at small run counts, with every option that adds a
// file, a column or a key (thresholds, decisions, --dump-runs, groups, second order, a CI-width
// target, Morris, Shapley, balance --out/--format, the report's chart data), and fails when the
// doc does not name a file, a CSV header cell, a run.log key or a JSON key (at any depth).
// Keys and cells that are the case's own names (modes, outputs, parameters, variables,
// options) are data, not layout, and are skipped; the --dump-runs columns made of them are
// checked against their patterns (`status_<mode>`, `<mode>.<output>`).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/case_csv.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::lines_of;
using test::read_text;
using test::split_commas;

const std::string DOC_PATH = test::SOURCE_DIR + "/docs/results.md";

/// Every name docs/results.md shows as code: each `span`, and each word of letters, digits and
/// '_' inside one (so `ci_low, ci_high` names both).
std::set<std::string> documented_names() {
  const std::string doc = read_text(DOC_PATH);
  std::set<std::string> names;
  for (std::size_t at = doc.find('`'); at != std::string::npos;) {
    const std::size_t end = doc.find('`', at + 1);
    if (end == std::string::npos) break;
    const std::string span = doc.substr(at + 1, end - at - 1);
    names.insert(span);
    std::string word;
    for (const char c : span + " ") {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        word += c;
      } else {
        if (!word.empty()) names.insert(word);
        word.clear();
      }
    }
    at = doc.find('`', end + 1);
  }
  return names;
}

/// The biomass case's own names: keys and columns made of them are data.
std::set<std::string> case_names() {
  const Network network = read_case(test::BIOMASS_CASE);
  std::set<std::string> names;
  for (const auto& x : network.modes) names.insert(x.id);
  for (const auto& x : network.outputs) names.insert(x.name);
  for (const auto& x : network.parameters) names.insert(x.name);
  for (const auto& x : network.variables) names.insert(x.name);
  for (const auto& x : network.options) names.insert(x.name);
  return names;
}

class ResultsDoc : public ::testing::Test {
 protected:
  const std::set<std::string> documented = documented_names();
  const std::set<std::string> data_names = case_names();
  std::vector<std::string> missing;

  void expect_documented(const std::string& name, const std::string& where) {
    if (!documented.contains(name)) missing.push_back(name + " (" + where + ")");
  }
  void check_json(const json& j, const std::string& where) {
    if (j.is_object()) {
      for (const auto& [key, value] : j.items()) {
        if (!data_names.contains(key)) expect_documented(key, where);
        check_json(value, where + "." + key);
      }
    } else if (j.is_array()) {
      for (const auto& element : j) check_json(element, where + "[]");
    }
  }
  void check_csv_header(const std::string& text, const std::string& where) {
    for (const auto& line : lines_of(text)) {
      if (line.empty() || line[0] == '#') continue;
      for (const auto& cell : split_commas(line)) {
        const auto dot = cell.find('.');
        if (data_names.contains(cell)) continue;
        if (cell.starts_with("status_") && data_names.contains(cell.substr(7)))
          expect_documented("status_<mode>", where);
        else if (dot != std::string::npos && data_names.contains(cell.substr(0, dot)) &&
                 data_names.contains(cell.substr(dot + 1)))
          expect_documented("<mode>.<output>", where);
        else
          expect_documented(cell, where);
      }
      return;  // the first other line is the header
    }
    missing.push_back("no header in " + where);
  }
  /// Every file of a result folder (and of a report's chart-data folder): its name, its CSV
  /// header or its JSON keys, run.log's keys.
  void check_folder(const fs::path& dir) {
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      const std::string where = dir.filename().string() + "/" + name;
      if (entry.is_directory()) {
        check_folder(entry.path());
        continue;
      }
      expect_documented(name, where);
      const std::string ext = entry.path().extension().string();
      if (ext == ".csv")
        check_csv_header(read_text(entry.path()), where);
      else if (ext == ".json")
        check_json(json::parse(read_text(entry.path())), where);
      else if (name == "run.log")
        for (const auto& line : lines_of(read_text(entry.path())))
          if (!line.empty()) expect_documented(line.substr(0, line.find(' ')), where);
    }
  }
  void run_ok(const std::vector<std::string>& args) {
    const test::CliRun r = test::run_symbiomc(args);
    ASSERT_EQ(r.code, 0) << r.err;
  }
};

TEST_F(ResultsDoc, NamesEveryFileColumnAndKeyTheBiomassCommandsWrite) {
  const test::ScratchDir scratch;
  const fs::path root = scratch.path();
  const std::string b = test::BIOMASS_CASE, d = test::BIOMASS_DISTRIBUTIONS;
  run_ok({"balance", "--case", b, "--out", (root / "balance").string()});
  run_ok({"uncertainty",
          "--case",
          b,
          "--distributions",
          d,
          "--runs",
          "3000",
          "--seed",
          "3",
          "--quiet",
          "--out",
          (root / "uncertainty").string(),
          "--threshold",
          "savings_10k_yuan_per_yr=800",
          "--decision",
          "savings_10k_yuan_per_yr",
          "--decision",
          "efficiency_change_pct_points:min",
          "--dump-runs",
          (root / "runs.csv").string()});
  run_ok({"sensitivity", "--case", b, "--distributions", d, "--ignore-correlation", "--base-runs", "64", "--groups",
          "--second-order", "--target-ci-width", "9", "--seed", "3", "--quiet", "--out", (root / "sobol").string()});
  run_ok({"sensitivity", "--method", "morris", "--case", b, "--distributions", d, "--trajectories", "4", "--seed", "3",
          "--quiet", "--out", (root / "morris").string()});
  run_ok({"sensitivity", "--method", "shapley", "--case", b, "--distributions", d, "--permutations", "4",
          "--shapley-variance-runs", "64", "--seed", "3", "--quiet", "--out", (root / "shapley").string()});
  fs::create_directories(root / "report");
  run_ok({"report", "--in", (root / "uncertainty").string(), "--in", (root / "sobol").string(), "--in",
          (root / "morris").string(), "--in", (root / "balance").string(), "--out",
          (root / "report" / "report.html").string()});
  for (const char* folder : {"balance", "uncertainty", "sobol", "morris", "shapley", "report"})
    check_folder(root / folder);
  check_csv_header(read_text(root / "runs.csv"), "--dump-runs");
  expect_documented("report.html", "report");

  const test::CliRun csv = test::run_symbiomc({"balance", "--case", b, "--flows", "--format", "csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  check_csv_header(csv.out, "balance --format csv");
  std::set<std::string> kinds;  // balance --format csv's `kind` column names what each row is
  for (const auto& line : lines_of(csv.out))
    if (const auto cells = split_commas(line); cells.size() > 1 && cells[0] != "mode") kinds.insert(cells[1]);
  for (const auto& kind : kinds) expect_documented(kind, "balance --format csv, column kind");
  const test::CliRun flows = test::run_symbiomc({"balance", "--case", b, "--flows", "--format", "json"});
  ASSERT_EQ(flows.code, 0) << flows.err;
  check_json(json::parse(flows.out), "balance --format json --flows");

  // The run statuses name failure reasons (failures.csv's reason, the *failures* objects' keys).
  for (std::size_t s = 0; s < RUN_STATUS_COUNT; ++s)
    expect_documented(std::string(to_string(static_cast<RunStatus>(s))), "RunStatus");

  std::set<std::string> unique(missing.begin(), missing.end());
  std::string list;
  for (const auto& m : unique) list += "\n  " + m;
  EXPECT_TRUE(unique.empty()) << "docs/results.md does not name:" << list;
}

TEST_F(ResultsDoc, TheCheckFindsAnUndocumentedName) {
  // The check itself: a name the doc does not have is reported, one it has is not.
  expect_documented("summary.csv", "here");
  EXPECT_TRUE(missing.empty());
  check_json(json{{"no_such_key_in_the_doc", 1}, {"mean", 2}}, "here");
  ASSERT_EQ(missing.size(), 1U);
  EXPECT_EQ(missing[0], "no_such_key_in_the_doc (here)");
}

}  // namespace
}  // namespace symbiomc
