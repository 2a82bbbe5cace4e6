// `symbiomc init DIR`: the starter case it writes passes `check` clean and runs through
// balance, uncertainty and sensitivity as it is; an existing non-empty DIR is refused.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "init_command.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/scratch_dir.hpp"

namespace symbiomc::cli {
namespace {

using test::CliRun;
using test::read_text;
using test::run_symbiomc;
using test::ScratchDir;
using test::succeeded;
using test::write_text;

TEST(Init, StarterCaseChecksCleanAndRunsEveryCommand) {
  ScratchDir scratch;
  const std::string dir = scratch.sub("park");
  const std::string dist = dir + "/distributions.csv";
  const CliRun init = run_symbiomc({"init", dir});
  ASSERT_TRUE(succeeded(init));
  EXPECT_NE(init.out.find("symbiomc check --case " + dir), std::string::npos) << init.out;
  for (const auto& file : starter_case_files())
    EXPECT_EQ(read_text(std::filesystem::path(dir) / std::string(file.path)), std::string(file.text)) << file.path;

  const CliRun check = run_symbiomc({"check", "--case", dir, "--distributions", dist});
  EXPECT_EQ(check.code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("errors (0): none"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("warnings (0): none"), std::string::npos) << check.out;

  const CliRun balance = run_symbiomc({"balance", "--case", dir, "--flows"});
  ASSERT_TRUE(succeeded(balance));
  for (const char* output : {"gas_saved_MJ_per_h", "sawdust_reused_t_per_h", "savings_yuan_per_yr"})
    EXPECT_NE(balance.out.find(output), std::string::npos) << balance.out;
  EXPECT_TRUE(succeeded(run_symbiomc({"uncertainty", "--case", dir, "--distributions", dist, "--runs", "4096", "--out",
                                      scratch.sub("u"), "--quiet"})));
  EXPECT_TRUE(succeeded(run_symbiomc({"sensitivity", "--case", dir, "--distributions", dist, "--base-runs", "256",
                                      "--out", scratch.sub("s"), "--quiet"})));
  EXPECT_TRUE(succeeded(run_symbiomc({"sensitivity", "--method", "morris", "--case", dir, "--distributions", dist,
                                      "--out", scratch.sub("m"), "--quiet"})));
}

TEST(Init, StarterCaseSavesMoneyAndGasInTheExchangeMode) {
  // The example must show what the tool is for: cooperation saves gas and money at nominal values.
  ScratchDir scratch;
  const std::string dir = scratch.sub("park");
  ASSERT_TRUE(succeeded(run_symbiomc({"init", dir})));
  const CliRun balance = run_symbiomc({"balance", "--case", dir, "--format", "json"});
  ASSERT_TRUE(succeeded(balance));
  const auto json = nlohmann::json::parse(balance.out);
  ASSERT_TRUE(json.contains("modes")) << balance.out;
  bool exchange_seen = false;
  for (const auto& mode : json["modes"]) {
    if (mode["id"] != "exchange") continue;
    exchange_seen = true;
    EXPECT_GT(mode["gas_saved_MJ_per_h"].get<double>(), 0.0) << mode.dump();
    EXPECT_GT(mode["savings_yuan_per_yr"].get<double>(), 0.0) << mode.dump();
  }
  EXPECT_TRUE(exchange_seen) << balance.out;
}

TEST(Init, RefusesANonEmptyDirectoryAndLeavesItAlone) {
  ScratchDir scratch;
  const std::string dir = scratch.sub("taken");
  write_text(std::filesystem::path(dir) / "notes.txt", "mine");
  const CliRun r = run_symbiomc({"init", dir});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(dir + ": is not empty"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(std::filesystem::path(dir) / "notes.txt"), "mine");
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "parameters.csv"));

  const std::string file = scratch.sub("a_file");
  write_text(file, "x");
  const CliRun on_file = run_symbiomc({"init", file});
  EXPECT_EQ(on_file.code, 2) << on_file.err;
  EXPECT_NE(on_file.err.find("is not a directory"), std::string::npos) << on_file.err;
}

TEST(Init, WritesIntoAnEmptyDirectory) {
  ScratchDir scratch;
  const std::string dir = scratch.sub("empty");
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(succeeded(run_symbiomc({"init", dir})));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "modes.csv"));
}

}  // namespace
}  // namespace symbiomc::cli
