// What the result files promise to the scripts that read them, and what the shell promises
// when something goes wrong: CSV cells are RFC 4180 (a unit holding a comma and a quote stays
// in its column, in every CSV a study writes), and no exception ends the process uncaught —
// each becomes one "error: ..." line with its documented exit code.
#include "cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/report/html_report.hpp"

namespace symbiomc::cli {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::read_text;
using test::write_text;

const fs::path SOURCE = test::SOURCE_DIR;

CliRun run(const std::vector<std::string>& args) { return test::run_symbiomc(args); }

/// Rows of an RFC 4180 file, '#' comment lines skipped. Written here, independently of the
/// writers, so that a writer that forgets to quote cannot be excused by a lenient reader.
std::vector<std::vector<std::string>> read_rfc4180(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '#') {  // comment line
      i = text.find('\n', i);
      i = i == std::string::npos ? text.size() : i + 1;
      continue;
    }
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (;; ++i) {
      const char c = i < text.size() ? text[i] : '\n';
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c == '"' && cell.empty()) {
        quoted = true;
      } else if (c == ',') {
        row.push_back(std::move(cell));
        cell.clear();
      } else if (c == '\n') {
        row.push_back(std::move(cell));
        ++i;
        break;
      } else {
        cell += c;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

/// A copy of the biomass case whose savings output has a unit with a comma and quotes.
const std::string AWKWARD_UNIT = R"(10^4 yuan/yr, "net")";

fs::path awkward_case(const test::ScratchDir& scratch) {
  const fs::path dir = scratch.path() / "case";
  fs::copy(SOURCE / "cases" / "biomass", dir, fs::copy_options::recursive);
  std::string outputs = read_text(dir / "outputs.csv");
  const std::string plain = "savings_10k_yuan_per_yr,10^4 yuan/yr,";
  const std::size_t at = outputs.find(plain);
  EXPECT_NE(at, std::string::npos) << "cases/biomass/outputs.csv no longer has the savings row this test edits";
  outputs.replace(at, plain.size(), R"(savings_10k_yuan_per_yr,"10^4 yuan/yr, ""net""",)");
  write_text(dir / "outputs.csv", outputs);
  return dir;
}

/// Every row of `file` has as many cells as its header, and the unit column holds
/// AWKWARD_UNIT on the savings rows. Returns the number of savings rows seen.
int check_columns(const fs::path& file, const std::string& output_column, const std::string& unit_column) {
  const auto rows = read_rfc4180(read_text(file));
  EXPECT_GE(rows.size(), 2u) << file;
  if (rows.empty()) return 0;
  const auto& header = rows.front();
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << file << " has no column " << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t output = column(output_column);
  const std::size_t unit = column(unit_column);
  int savings_rows = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), header.size()) << file << " row " << r;
    if (rows[r].size() != header.size()) continue;
    if (rows[r][output] != "savings_10k_yuan_per_yr") continue;
    ++savings_rows;
    EXPECT_EQ(rows[r][unit], AWKWARD_UNIT) << file << " row " << r;
  }
  return savings_rows;
}

TEST(ResultCsv, UnitWithCommaAndQuoteStaysInItsColumnInEveryUncertaintyFile) {
  test::ScratchDir scratch("symbiomc_test_result_files");
  const fs::path dir = awkward_case(scratch);
  const fs::path out = scratch.path() / "u";
  const CliRun r = run({"uncertainty", "--case", dir.string(), "--distributions",
                        (SOURCE / "distributions" / "biomass.csv").string(), "--runs", "3000", "--seed", "1",
                        "--threshold", "savings_10k_yuan_per_yr=800", "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(check_columns(out / "summary.csv", "output", "unit"), 5);
  EXPECT_EQ(check_columns(out / "quantiles.csv", "output", "unit"), 5 * 7);
  EXPECT_GT(check_columns(out / "histograms.csv", "output", "unit"), 5);
  EXPECT_EQ(check_columns(out / "thresholds.csv", "output", "unit"), 5);
  EXPECT_EQ(check_columns(out / "comparisons.csv", "output", "unit"), 6);  // pairs of the four synergy modes
}

TEST(ResultCsv, UnitWithCommaAndQuoteStaysInItsColumnInSensitivityAndBalanceFiles) {
  test::ScratchDir scratch("symbiomc_test_result_files");
  const fs::path dir = awkward_case(scratch);
  const std::string distributions = (SOURCE / "distributions" / "biomass.csv").string();
  const fs::path sobol = scratch.path() / "s";
  CliRun r = run({"sensitivity", "--case", dir.string(), "--distributions", distributions, "--base-runs", "64",
                  "--no-correlations", "--out", sobol.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GT(check_columns(sobol / "sobol.csv", "output", "unit"), 5);
  const fs::path morris = scratch.path() / "m";
  r = run({"sensitivity", "--method", "morris", "--case", dir.string(), "--distributions", distributions,
           "--trajectories", "4", "--no-correlations", "--out", morris.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GT(check_columns(morris / "morris.csv", "output", "unit"), 5);
  r = run({"balance", "--case", dir.string(), "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  write_text(scratch.path() / "balance.csv", r.out);
  EXPECT_EQ(check_columns(scratch.path() / "balance.csv", "name", "unit"), 5);
}

TEST(ResultCsv, ReaderOfThisTestReadsQuotedCells) {
  // The check above is only as good as its reader.
  const auto rows = read_rfc4180("# comment\na,b,c\n1,\"x, \"\"y\"\"\",\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "x, \"y\"", ""}));
}

// ---- The safety net of run_cli: no exception leaves it.

/// An Ishigami uncertainty folder `out` whose summary.json says `"runs": <runs_text>` instead of
/// 1000, without its manifest (the reader itself must catch a bad value, not the manifest
/// check). Returns the edited summary.json's text; a failure is recorded (callers check HasFailure()).
std::string result_folder_with_runs(const fs::path& out, const std::string& runs_text) {
  const CliRun r = run({"uncertainty", "--model", "ishigami", "--runs", "1000", "--out", out.string(), "--quiet"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::string summary = read_text(out / "summary.json");
  const std::string original = "\"runs\": 1000";
  const std::size_t at = summary.find(original);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << original << " in " << summary.substr(0, 400);
    return summary;
  }
  summary.replace(at, original.size(), "\"runs\": " + runs_text);
  write_text(out / "summary.json", summary);
  fs::remove(out / "manifest.csv");
  return summary;
}

TEST(CliErrors, NumberThatOverflowsADoubleInAResultFileIsAnInputError) {
  test::ScratchDir scratch("symbiomc_test_result_files");
  const fs::path out = scratch.path() / "u";
  (void)result_folder_with_runs(out, "1e999");
  ASSERT_FALSE(HasFailure());
  const CliRun r = run({"report", "--in", out.string(), "--out", (scratch.path() / "r.html").string(), "--quiet"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// Found by the result-reader fuzzer: the library (not only the CLI's safety net) must refuse a
// number a double cannot hold as an InputError naming the file, line and column; it let
// nlohmann's out_of_range escape, which a caller catching InputError did not expect.
TEST(ReportReading, NumberThatOverflowsADoubleIsAnInputErrorWithItsPlace) {
  test::ScratchDir scratch("symbiomc_test_result_files");
  const fs::path out = scratch.path() / "u";
  const std::string summary = result_folder_with_runs(out, "9.4e768");
  ASSERT_FALSE(HasFailure());
  const std::size_t number = summary.find("9.4e768");
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < number; ++i) {
    column = summary[i] == '\n' ? 1 : column + 1;
    line += summary[i] == '\n' ? 1 : 0;
  }
  try {
    (void)report_data_json(find_report_sources({out.string()}), HtmlReportOptions{});
    FAIL() << "a summary.json with 9.4e768 was read";
  } catch (const InputError& e) {
    const std::string where = message((out / "summary.json").string(), ":", line, ":", column, ": ");
    EXPECT_EQ(std::string(e.what()).rfind(where, 0), 0u) << e.what() << "\nexpected it to start with " << where;
    EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
  }
}

TEST(CliErrors, DumpRunsIntoADirectoryIsAnInputErrorNotACrash) {
  test::ScratchDir scratch("symbiomc_test_result_files");
  const fs::path dump = scratch.path() / "a_directory";
  fs::create_directory(dump);
  const CliRun r = run({"uncertainty", "--model", "ishigami", "--runs", "1000", "--out",
                        (scratch.path() / "u").string(), "--dump-runs", dump.string(), "--quiet"});
  EXPECT_EQ(r.code, EXIT_INPUT_ERROR) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(dump.string()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace symbiomc::cli
