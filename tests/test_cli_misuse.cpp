// Command lines a careless user writes (issue 15, item 12): numbers that are not numbers or do
// not fit, options that contradict each other, options given twice. Each is refused while the
// command line is parsed, with exit code 2 and the option named, and nothing is written.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli.hpp"
#include "support/cli_run.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::ScratchDir;

/// Runs `args` + "--out <dir>/out" and expects exit code 2, every one of `phrases` in stderr
/// and no result folder: the refusal came before any computation.
void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& phrases) {
  const ScratchDir dir;
  std::vector<std::string> full = args;
  full.insert(full.end(), {"--out", dir.sub("out")});
  const CliRun r = test::run_symbiomc(full);
  std::string line;
  for (const auto& a : full) line += a + " ";
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << line << "\nstderr: " << r.err;
  for (const auto& phrase : phrases) EXPECT_NE(r.err.find(phrase), std::string::npos) << line << "\nstderr: " << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out")) << line;
}

const std::vector<std::string> UNCERTAINTY = {"uncertainty", "--model", "ishigami", "--runs", "100", "--quiet"};
const std::vector<std::string> SOBOL = {"sensitivity", "--model", "ishigami", "--base-runs", "64", "--quiet"};
const std::vector<std::string> MORRIS = {"sensitivity", "--method", "morris", "--model", "ishigami", "--quiet"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CliMisuse, SeedOutsideTheUnsigned64BitRangeIsRefusedNotWrapped) {
  // CLI11 read "-1" as 2^64-1 and clamped 2^64 to it: two different inputs, one silent seed.
  for (const std::string seed : {"-1", "18446744073709551616", "1e3", "0x10", ""}) {
    expect_refused(with(UNCERTAINTY, {"--seed", seed}),
                   {"--seed", "expected a whole number in [0, 18446744073709551615]"});
    expect_refused(with(SOBOL, {"--seed", seed}), {"--seed", "expected a whole number"});
  }
}

TEST(CliMisuse, LargestSeedIsAccepted) {
  const ScratchDir dir;
  const CliRun r = test::run_symbiomc(with(UNCERTAINTY, {"--seed", "18446744073709551615", "--out", dir.sub("out")}));
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(CliMisuse, NegativeCountsAreRefusedNotWrapped) {
  // --max-base-runs had no range at all: -1 became a cap of 2^64-1 base runs.
  expect_refused(with(SOBOL, {"--target-ci-width", "0.1", "--max-base-runs", "-1"}),
                 {"--max-base-runs", "expected a whole number"});
  expect_refused(with(UNCERTAINTY, {"--runs", "-1"}), {"--runs", "expected a whole number in [2, "});
  expect_refused(with(UNCERTAINTY, {"--block-size", "-5"}), {"--block-size", "expected a whole number"});
}

TEST(CliMisuse, NonFiniteNumbersAreRefusedWithExitTwo) {
  // NaN passed CLI11's Range (every comparison with NaN is false): --target-ci-width nan ran,
  // --conf-level nan failed later inside the study with exit code 3.
  for (const std::string bad : {"nan", "NaN", "inf", "-inf"}) {
    expect_refused(with(SOBOL, {"--target-ci-width", bad}), {"--target-ci-width", "expected a number in [1e-9, 10]"});
    expect_refused(with(SOBOL, {"--conf-level", bad}), {"--conf-level", "expected a number in [0.5, 0.9999]"});
    expect_refused(with(UNCERTAINTY, {"--conf-level", bad}), {"--conf-level", "expected a number in [0.5, 0.9999]"});
    expect_refused(with(UNCERTAINTY, {"--checkpoint-every", bad}), {"--checkpoint-every", "expected a number"});
  }
}

TEST(CliMisuse, ConflictingOptionsAreRefused) {
  const ScratchDir dir;
  expect_refused({"uncertainty", "--case", test::BIOMASS_CASE, "--distributions", test::BIOMASS_DISTRIBUTIONS,
                  "--correlations", dir.sub("c.csv"), "--no-correlations", "--runs", "100"},
                 {"--no-correlations", "--correlations"});
  expect_refused(with(SOBOL, {"--max-base-runs", "1000"}), {"--max-base-runs", "--target-ci-width"});
}

TEST(CliMisuse, OptionsOfAnotherMethodAreRefused) {
  expect_refused(with(MORRIS, {"--second-order"}), {"--second-order does not apply to --method morris"});
  expect_refused(with(MORRIS, {"--base-runs", "64"}), {"--base-runs does not apply to --method morris"});
  expect_refused(with(MORRIS, {"--target-ci-width", "0.1"}), {"--target-ci-width does not apply to --method morris"});
  expect_refused(with(MORRIS, {"--conf-level", "0.9"}), {"--conf-level does not apply to --method morris"});
  expect_refused(with(SOBOL, {"--trajectories", "10"}), {"--trajectories does not apply to --method sobol"});
  expect_refused(with(SOBOL, {"--levels", "4"}), {"--levels does not apply to --method sobol"});
}

TEST(CliMisuse, AFlagGivenTwiceIsRefused) {
  // Single-valued options already refused a second value; flags took the last one silently.
  expect_refused({"uncertainty", "--model", "ishigami", "--runs", "100", "--quiet", "--quiet"}, {"--quiet"});
  expect_refused(with(SOBOL, {"--second-order", "--second-order"}), {"--second-order"});
  expect_refused(with(UNCERTAINTY, {"--runs", "200"}), {"--runs"});
}

TEST(CliMisuse, TheSameStructuralOptionOrParameterTwiceIsRefused) {
  const std::vector<std::string> biomass = {
      "uncertainty", "--case", test::BIOMASS_CASE, "--distributions", test::BIOMASS_DISTRIBUTIONS,
      "--runs",      "100",    "--quiet"};
  expect_refused(with(biomass, {"--option", "load_model=fuel", "--option", "load_model=mode_index"}),
                 {"--option load_model=mode_index: 'load_model' is already given (--option load_model=fuel)"});
  expect_refused(with(biomass, {"--set", "hours_per_year=8000", "--set", "hours_per_year=7000"}),
                 {"--set hours_per_year=7000: 'hours_per_year' is already given (--set hours_per_year=8000)"});
  const ScratchDir dir;
  const CliRun r = test::run_symbiomc(
      {"balance", "--case", test::BIOMASS_CASE, "--option", "whb_split=table1", "--option", "whb_split=table5"});
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find("'whb_split' is already given"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace symbiomc
