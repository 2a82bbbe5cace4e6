// Tests of `symbiomc sensitivity --method shapley`: the result files (shapley.csv, RFC 4180
// cells with mode, output, unit and parameter; shapley_outputs.csv; shapley.json with
// provenance, correlations and failures) on a built-in model, on a case with and without a
// correlation file, and on a failing case; effects summing to 1 per output in the files;
// byte-identical files at 1, 2 and 8 threads and after --checkpoint / --resume; the terminal
// table and --format json; options of other methods refused with exit 2; and the Sobol'
// refusal of correlated inputs pointing to --method shapley.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::csv_rows;
using test::read_json;
using test::read_text;
using test::ScratchDir;

const std::string DATA = test::SAMPLING_DATA;
const std::string BIOMASS_CORRELATIONS = test::TEST_DATA + "/shapley/biomass.corr.csv";
const std::vector<std::string> SHAPLEY_FILES = {"shapley.csv", "shapley_outputs.csv", "shapley.json"};

std::vector<std::string> biomass_args() {
  return {"sensitivity",
          "--method",
          "shapley",
          "--case",
          test::BIOMASS_CASE,
          "--distributions",
          test::BIOMASS_DISTRIBUTIONS,
          "--correlations",
          BIOMASS_CORRELATIONS,
          "--permutations",
          "200",
          "--shapley-variance-runs",
          "5000",
          "--seed",
          "4"};
}

/// Sum of the effects per (mode, output) over shapley.json's indices.
std::map<std::string, double> sums_by_output(const nlohmann::json& json) {
  std::map<std::string, double> sums;
  for (const auto& row : json.at("indices"))
    sums[row.at("mode").get<std::string>() + "/" + row.at("output").get<std::string>()] +=
        row.at("shapley").get<double>();
  return sums;
}

TEST(ShapleyCli, IshigamiWritesTheResultFilesAndATable) {
  ScratchDir dir;
  const CliRun r = test::run_symbiomc({"sensitivity", "--method", "shapley", "--model", "ishigami", "--permutations",
                                       "20000", "--seed", "2", "--out", dir.sub("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Shapley effects"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Song, Nelson & Staum 2016"), std::string::npos);
  EXPECT_NE(r.out.find("\ny [1]\nmode "), std::string::npos) << r.out;  // the summary's table of output y
  EXPECT_NE(r.out.find("\nmodel "), std::string::npos) << r.out;        // its mode's row
  const nlohmann::json json = read_json(dir.path() / "out" / "shapley.json");
  EXPECT_EQ(json.at("method"), "shapley");
  EXPECT_EQ(json.at("case"), "model:ishigami");
  EXPECT_EQ(json.at("permutations"), 20000);
  EXPECT_EQ(json.at("outer_samples"), 1);
  EXPECT_EQ(json.at("inner_samples"), 3);
  EXPECT_EQ(json.at("runs_per_permutation"), 6);
  EXPECT_EQ(json.at("model_runs"), json.at("variance_runs").get<std::uint64_t>() + 20000u * 6u);
  EXPECT_TRUE(json.at("correlations").empty());
  ASSERT_EQ(json.at("indices").size(), 3u);
  for (const auto& row : json.at("indices")) {
    for (const char* key : {"mode", "output", "parameter", "shapley", "shapley_low", "shapley_high"})
      EXPECT_TRUE(row.contains(key)) << key;
    EXPECT_LE(row.at("shapley_low").get<double>(), row.at("shapley").get<double>());
    EXPECT_LE(row.at("shapley").get<double>(), row.at("shapley_high").get<double>());
  }
  // Ishigami's Sh2 = S2 = 0.4424; the 95 % interval at M = 20000 is about +-0.015 wide.
  EXPECT_NEAR(json.at("indices")[1].at("shapley").get<double>(), 0.4424, 0.03);
  for (const auto& [output, sum] : sums_by_output(json)) EXPECT_NEAR(sum, 1.0, 1e-12) << output;
  const auto rows = csv_rows(dir.path() / "out" / "shapley.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "model");
  EXPECT_EQ(rows[0][1], "y");
  EXPECT_EQ(rows[0][2], "1");
  EXPECT_EQ(rows[0][3], "x1");
  const std::string csv = read_text(dir.path() / "out" / "shapley.csv");
  EXPECT_NE(csv.find("mode,output,unit,parameter,shapley,shapley_low,shapley_high,"), std::string::npos);
  EXPECT_NE(csv.find("# symbiomc "), std::string::npos);
  EXPECT_NE(read_text(dir.path() / "out" / "run.log").find("method shapley"), std::string::npos);
}

TEST(ShapleyCli, CorrelatedBiomassRecordsItsCorrelationsAndSumsToOnePerOutput) {
  ScratchDir dir;
  std::vector<std::string> args = biomass_args();
  args.insert(args.end(), {"--out", dir.sub("out"), "--format", "json"});
  const CliRun r = test::run_symbiomc(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json printed = nlohmann::json::parse(r.out);
  const nlohmann::json json = read_json(dir.path() / "out" / "shapley.json");
  EXPECT_EQ(printed, json) << "--format json prints shapley.json";
  ASSERT_EQ(json.at("correlations").size(), 3u);
  EXPECT_EQ(json.at("correlations")[0].at("parameter_a"), "lhv_straw_MJ_kg");
  EXPECT_EQ(json.at("correlations")[0].at("rank_correlation"), -0.5);
  bool listed = false;
  for (const auto& f : json.at("files")) listed |= f.at("role") == "correlations";
  EXPECT_TRUE(listed) << "the correlation file is in the provenance";
  EXPECT_NE(read_text(dir.path() / "out" / "shapley.csv").find("# inputs rank-correlated (3 pairs)"),
            std::string::npos);
  int varying = 0;
  for (const auto& o : json.at("outputs")) {
    if (o.at("zero_variance").get<bool>()) continue;
    ++varying;
    EXPECT_NEAR(o.at("sum_shapley").get<double>(), 1.0, 1e-12) << o.at("mode") << "/" << o.at("output");
  }
  EXPECT_GT(varying, 20);
  for (const auto& [output, sum] : sums_by_output(json))
    EXPECT_TRUE(std::abs(sum - 1.0) < 1e-12 || sum == 0.0) << output << " sums to " << sum;
  EXPECT_EQ(read_text(dir.path() / "out" / "shapley.json").find("null"), std::string::npos) << "a NaN in the JSON";
}

TEST(ShapleyCli, CorrelationFileNextToTheDistributionsIsPickedUpAndCanBeLeftOut) {
  ScratchDir dir;
  const std::vector<std::string> base = {
      "sensitivity",    "--method", "shapley", "--case", DATA + "/linear", "--distributions", DATA + "/correlated.csv",
      "--permutations", "500",      "--quiet"};
  std::vector<std::string> with = base, without = base;
  with.insert(with.end(), {"--out", dir.sub("with")});
  without.insert(without.end(), {"--no-correlations", "--out", dir.sub("without")});
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(with)));
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(without)));
  EXPECT_EQ(read_json(dir.path() / "with" / "shapley.json").at("correlations").size(), 1u);
  EXPECT_TRUE(read_json(dir.path() / "without" / "shapley.json").at("correlations").empty());
}

TEST(ShapleyCli, ResultFilesAreByteIdenticalForOneTwoAndEightThreads) {
  ScratchDir dir;
  test::expect_identical_across_threads(dir.path(), "biomass", biomass_args(), SHAPLEY_FILES);
  test::expect_identical_across_threads(dir.path(), "sobol_g",
                                        {"sensitivity", "--method", "shapley", "--model", "sobol-g:a=0,1,4.5,9,99",
                                         "--permutations", "3000", "--seed", "3"},
                                        SHAPLEY_FILES);
}

TEST(ShapleyCli, ResumingAFinishedCheckpointGivesTheSameFiles) {
  ScratchDir dir;
  std::vector<std::string> checkpointed = biomass_args(), resumed = biomass_args();
  checkpointed.insert(checkpointed.end(), {"--quiet", "--segment-blocks", "2", "--checkpoint", dir.sub("sh.ckpt"),
                                           "--checkpoint-every", "0", "--out", dir.sub("checkpointed")});
  resumed.insert(resumed.end(),
                 {"--quiet", "--segment-blocks", "2", "--resume", dir.sub("sh.ckpt"), "--out", dir.sub("resumed")});
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(checkpointed)));
  ASSERT_TRUE(fs::exists(dir.path() / "sh.ckpt"));
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(resumed)));
  for (const auto& f : SHAPLEY_FILES)
    EXPECT_EQ(read_text(dir.path() / "resumed" / f), read_text(dir.path() / "checkpointed" / f)) << f;
  // Another --permutations is another study: its checkpoint is refused.
  std::vector<std::string> other = resumed;
  other[10] = "201";  // --permutations value
  ASSERT_EQ(other[9], "--permutations");
  EXPECT_EQ(test::run_symbiomc(other).code, cli::EXIT_INPUT_ERROR);
}

TEST(ShapleyCli, FailedRunsAreCountedPerModeAndNoIndexIsNaN) {
  ScratchDir dir;
  const CliRun r =
      test::run_symbiomc({"sensitivity", "--method", "shapley", "--case", DATA + "/failing", "--distributions",
                          DATA + "/failing.csv", "--permutations", "2000", "--out", dir.sub("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("permutations dropped (failed runs)"), std::string::npos) << r.out;
  const std::string text = read_text(dir.path() / "out" / "shapley.json");
  EXPECT_EQ(text.find("null"), std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(text);
  const auto& risky = json.at("failures").at("risky");
  EXPECT_GT(risky.at("dropped_permutations").get<std::uint64_t>(), 500u);  // expected 0.48 x 2000
  EXPECT_GT(risky.at("dropped_variance_runs").get<std::uint64_t>(), 0u);
  EXPECT_GT(risky.at("failed_runs").at("negative_flow").get<std::uint64_t>(), 0u);
  EXPECT_EQ(json.at("failures").at("base").at("dropped_permutations"), 0u);
  for (const auto& o : json.at("outputs")) {
    const std::uint64_t dropped = o.at("dropped_permutations");
    EXPECT_EQ(o.at("permutations_used").get<std::uint64_t>() + dropped, 2000u);
    if (o.at("mode") == "risky" && !o.at("zero_variance").get<bool>()) {
      EXPECT_NE(o.at("warning").get<std::string>().find("dropped"), std::string::npos);
    }
  }
  for (const auto& row : csv_rows(dir.path() / "out" / "shapley.csv"))
    for (std::size_t col = 4; col <= 7; ++col) EXPECT_FALSE(row.at(col).empty()) << "empty (NaN) cell";
}

TEST(ShapleyCli, OptionsOfOtherMethodsAreRefusedWithExitTwo) {
  ScratchDir dir;
  const std::vector<std::string> shapley = {"sensitivity",    "--method", "shapley", "--model", "ishigami",
                                            "--permutations", "100",      "--quiet", "--out",   dir.sub("out")};
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--second-order"},
                                                {"--groups"},
                                                {"--base-runs", "64"},
                                                {"--sampling", "qmc"},
                                                {"--ignore-correlation"},
                                                {"--trajectories", "10"},
                                                {"--target-ci-width", "0.1"},
                                                {"--replicates", "4"},
                                                {"--report", dir.sub("r.html")}}) {
    std::vector<std::string> args = shapley;
    args.insert(args.end(), extra.begin(), extra.end());
    const CliRun r = test::run_symbiomc(args);
    EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << extra[0];
    EXPECT_NE(r.err.find(extra[0] + " does not apply to --method shapley"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "shapley.json"));
  for (const std::string method : {"sobol", "morris"}) {
    const CliRun r = test::run_symbiomc({"sensitivity", "--method", method, "--model", "ishigami", "--permutations",
                                         "100", "--quiet", "--out", dir.sub(method)});
    EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << method;
    EXPECT_NE(r.err.find("--permutations does not apply to --method " + method), std::string::npos) << r.err;
  }
  const CliRun inner = test::run_symbiomc(
      {"sensitivity", "--method", "shapley", "--model", "ishigami", "--shapley-inner", "1", "--out", dir.sub("inner")});
  EXPECT_EQ(inner.code, cli::EXIT_INPUT_ERROR) << "N_i = 1 gives no sample variance";
}

TEST(ShapleyCli, SobolRefusalOfCorrelatedInputsPointsToShapley) {
  ScratchDir dir;
  const CliRun r =
      test::run_symbiomc({"sensitivity", "--case", DATA + "/linear", "--distributions", DATA + "/correlated.csv",
                          "--base-runs", "256", "--quiet", "--out", dir.sub("out")});
  EXPECT_EQ(r.code, cli::EXIT_MODEL_ERROR);
  EXPECT_NE(r.err.find("--method shapley"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--ignore-correlation"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace symbiomc
