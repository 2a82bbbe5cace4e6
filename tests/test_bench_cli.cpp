// `symbiomc bench` (issue 14): the three throughput rates of a case per thread count, in the
// JSON keys scripts rely on, and refusals of bad input before anything is measured.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/paths.hpp"

namespace symbiomc {
namespace {

using test::run_symbiomc;

const std::vector<std::string> BIOMASS{"bench", "--case", test::BIOMASS_CASE, "--distributions",
                                       test::BIOMASS_DISTRIBUTIONS};

std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> args = BIOMASS;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(BenchCli, JsonHasTheContractKeysAndARowPerThreadCount) {
  const auto run = run_symbiomc(with({"--runs", "20000", "--threads", "1", "--threads", "2", "--format", "json"}));
  ASSERT_EQ(run.code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["case"], "biomass");
  EXPECT_EQ(j["runs"], 20000);
  ASSERT_EQ(j["results"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = j["results"][i];
    EXPECT_EQ(row["threads"], i + 1);
    const double model = row["model_only_runs_per_s"], sampling = row["sampling_runs_per_s"],
                 whole = row["uncertainty_runs_per_s"], memory = row["peak_rss_mib"];
    EXPECT_GT(model, 0.0);
    EXPECT_GT(sampling, 0.0);
    EXPECT_GT(whole, 0.0);
    // The whole analysis draws and runs the model too: it cannot beat either part alone by
    // much (a factor 2 of slack for a noisy machine and the rates' different warm-ups).
    EXPECT_LT(whole, 2.0 * model) << i;
    EXPECT_LT(whole, 2.0 * sampling) << i;
    EXPECT_GT(memory, 1.0);
    EXPECT_LT(memory, 1024.0);
  }
}

TEST(BenchCli, TableNamesTheRatesAndSizesAStudy) {
  const auto run = run_symbiomc(with({"--runs", "10000", "--threads", "1"}));
  ASSERT_EQ(run.code, 0) << run.err;
  for (const char* text : {"model only [runs/s]", "sampling [runs/s]", "uncertainty [runs/s]", "peak RSS [MiB]",
                           "10^8 runs about", "49 uncertain parameters"})
    EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
}

TEST(BenchCli, AnalyticModelsCanBeMeasuredToo) {
  const auto run =
      run_symbiomc({"bench", "--model", "ishigami", "--runs", "10000", "--threads", "1", "--format", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["results"].size(), 1u);
}

TEST(BenchCli, BadInputIsRefusedWithExitTwo) {
  EXPECT_EQ(run_symbiomc(with({"--runs", "1"})).code, 2);
  EXPECT_EQ(run_symbiomc(with({"--format", "xml"})).code, 2);
  EXPECT_EQ(run_symbiomc(with({"--threads", "-1"})).code, 2);
  const auto missing = run_symbiomc(
      {"bench", "--case", "/nonexistent/case", "--distributions", test::BIOMASS_DISTRIBUTIONS, "--runs", "1000"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/case"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace symbiomc
