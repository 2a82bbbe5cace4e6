// Tests of `symbiomc uncertainty --decision` and of the importance files every uncertainty run
// writes (studies/decision_analysis.hpp, report/decision_report.hpp): the contract keys of
// decision.json and importance.json on the biomass case; a decision between three modes whose
// gains are linear in one uniform input, where EVPI, EVPPI and P(best) have closed forms, with
// independent and with rank-correlated inputs; :min against :max; runs with a failed mode
// excluded and counted; importance measures absent (not zero) where they are not computed;
// bad options refused with exit 2 before any run; byte-identical files for 1, 2 and 8 threads
// and across an interruption and resume. Fixtures: tests/data/decision/ (the linear choice) and
// tests/data/sampling/failing. Statistical tolerances are k standard errors, k = 4.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "support/cancel_after.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/loaded_case.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/report/decision_report.hpp"
#include "symbiomc/report/result_csv.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::CliRun;
using test::read_json;
using test::read_text;
using test::ScratchDir;

const std::string CHOICE_CASE = test::TEST_DATA + "/decision/choice";
const std::string CHOICE_DIST = test::TEST_DATA + "/decision/choice.csv";
const std::string CORRELATED_DIST = test::TEST_DATA + "/decision/correlated_choice.csv";
const std::string FAILING_CASE = test::SAMPLING_DATA + "/failing";
const std::string FAILING_DIST = test::SAMPLING_DATA + "/failing.csv";

constexpr double K = 4.0;  // standard errors allowed by every statistical check (fixed seeds)

const std::vector<std::string> GIVEN_DATA_FILES = {"decision.json",   "decision.csv",   "tornado.csv",
                                                   "importance.json", "importance.csv", "targets.csv"};

double normal_cdf(double x) { return boost::math::cdf(boost::math::normal(), x); }
double normal_pdf(double x) { return boost::math::pdf(boost::math::normal(), x); }

std::vector<std::string> uncertainty(const std::string& case_dir, const std::string& dist, const std::string& runs,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"uncertainty", "--case", case_dir, "--distributions", dist, "--runs", runs};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

/// Runs symbiomc with `args` plus --out DIR --quiet and returns DIR.
fs::path run_into(const ScratchDir& dir, const std::string& name, std::vector<std::string> args) {
  const std::string out = dir.sub(name);
  args.insert(args.end(), {"--out", out, "--quiet"});
  const CliRun r = test::run_symbiomc(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return out;
}

const json& mode_entry(const json& decision, const std::string& mode) {
  for (const json& m : decision.at("modes"))
    if (m.at("name") == mode) return m;
  throw std::runtime_error("no mode " + mode + " in the decision");
}

const json& evppi_entry(const json& decision, const std::string& factor) {
  for (const json& e : decision.at("evppi"))
    if (e.at("factor") == factor) return e;
  throw std::runtime_error("no EVPPI of " + factor);
}

/// The checks every decision object must pass, whatever the case.
void expect_decision_contract(const json& d, const json& summary) {
  for (const char* key : {"output", "direction", "unit", "best_mode", "modes", "evpi", "evppi"})
    ASSERT_TRUE(d.contains(key)) << key;
  // The unit is the output's, as summary.json gives it; modes are summary.json's, in its order.
  std::vector<std::string> modes;
  for (const json& m : summary.at("modes")) {
    modes.push_back(m.at("name"));
    for (const json& o : m.at("outputs"))
      if (o.at("name") == d.at("output")) {
        EXPECT_EQ(d.at("unit"), o.at("unit"));
      }
  }
  ASSERT_EQ(d.at("modes").size(), modes.size());
  double total = 0.0;
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const json& e = d.at("modes")[m];
    EXPECT_EQ(e.at("name"), modes[m]);
    for (const char* key : {"name", "mean", "prob_best", "prob_best_ci95"}) EXPECT_TRUE(e.contains(key)) << key;
    const double p = e.at("prob_best");
    EXPECT_LE(e.at("prob_best_ci95")[0].get<double>(), p);
    EXPECT_GE(e.at("prob_best_ci95")[1].get<double>(), p);
    total += p;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NE(std::find(modes.begin(), modes.end(), d.at("best_mode").get<std::string>()), modes.end());
  // The best mode has the largest (max) or smallest (min) mean.
  const bool max = d.at("direction") == "max";
  EXPECT_TRUE(d.at("direction") == "max" || d.at("direction") == "min");
  const double best = mode_entry(d, d.at("best_mode")).at("mean");
  for (const json& e : d.at("modes")) EXPECT_TRUE(max ? e.at("mean").get<double>() <= best : e.at("mean") >= best);
  const double evpi = d.at("evpi").at("value");
  EXPECT_GE(evpi, 0.0);
  EXPECT_EQ(d.at("evpi").at("ci95").size(), 2u);
  // EVPPI: 0 <= value <= EVPI, largest first, parameters and groups.
  double previous = INFINITY;
  for (const json& e : d.at("evppi")) {
    for (const char* key : {"factor", "kind", "value", "ci95"}) EXPECT_TRUE(e.contains(key)) << key;
    EXPECT_TRUE(e.at("kind") == "parameter" || e.at("kind") == "group");
    const double v = e.at("value");
    EXPECT_GE(v, 0.0) << e.at("factor");
    EXPECT_LE(v, evpi) << e.at("factor");
    EXPECT_LE(v, previous) << e.at("factor") << ": not sorted";
    previous = v;
  }
  EXPECT_EQ(d.at("runs_used").get<std::uint64_t>() + d.at("runs_excluded").get<std::uint64_t>(),
            d.at("runs").get<std::uint64_t>());
}

// ---- the contract, on the biomass case

TEST(DecisionCli, BiomassDecisionJsonHasTheContractKeysForEveryParameterAndGroup) {
  ScratchDir dir;
  const fs::path out = run_into(dir, "out",
                                uncertainty(test::BIOMASS_CASE, test::BIOMASS_DISTRIBUTIONS, "20000",
                                            {"--decision", "efficiency_change_pct_points", "--seed", "3"}));
  const json d = read_json(out / "decision.json");
  const json summary = read_json(out / "summary.json");
  expect_decision_contract(d, summary);
  EXPECT_EQ(d.at("output"), "efficiency_change_pct_points");
  EXPECT_EQ(d.at("direction"), "max");
  EXPECT_EQ(d.at("unit"), "pct points");
  EXPECT_EQ(d.at("best_mode"), "m2");  // 11.8 points against m4's 9.2
  EXPECT_EQ(d.at("runs_excluded"), 0);
  EXPECT_GT(d.at("evpi").at("value").get<double>(), 0.0);  // m4 beats m2 in ~13 % of the runs
  // Every parameter, and every group of two or more members, is either estimated or listed
  // with the reason it is not.
  std::set<std::string> parameters, groups;
  for (const json& e : d.at("evppi")) (e.at("kind") == "parameter" ? parameters : groups).insert(e.at("factor"));
  for (const json& e : d.at("evppi_not_computed")) {
    EXPECT_EQ(e.at("kind"), "group");
    EXPECT_FALSE(e.at("reason").get<std::string>().empty());
    groups.insert(e.at("factor"));
  }
  EXPECT_EQ(parameters.size(), summary.at("inputs").size());
  EXPECT_EQ(groups, (std::set<std::string>{"supply", "heating_value", "chp_efficiency", "load_point", "ad_process",
                                           "ethanol_process", "pyrolysis_process", "cement_whb", "economics",
                                           "efficiency_accounting"}));
  // One decision: the same object again under "decisions"; the provenance at the top level.
  ASSERT_EQ(d.at("decisions").size(), 1u);
  json first = d.at("decisions")[0];
  for (const auto& [key, value] : first.items()) EXPECT_EQ(d.at(key), value) << key;
  EXPECT_EQ(d.at("seed"), 3);
  EXPECT_TRUE(d.contains("files"));
  // decision.csv: RFC 4180 rows (a reason holds commas) with the unit of each value in a column.
  const ResultCsv csv((out / "decision.csv").string());
  ASSERT_EQ(csv.header().size(), 10u);
  const std::size_t quantity = csv.column("quantity"), unit = csv.column("unit");
  std::size_t evppi_rows = 0;
  for (const auto& row : csv.rows()) {
    ASSERT_EQ(row.cells.size(), 10u) << row.line;
    if (row.cells[quantity] == "evppi") ++evppi_rows;
    if (row.cells[quantity] == "evpi") {
      EXPECT_EQ(row.cells[unit], "pct points");
    }
    if (row.cells[quantity] == "prob_best") {
      EXPECT_EQ(row.cells[unit], "1");
    }
  }
  EXPECT_EQ(evppi_rows, d.at("evppi").size() + d.at("evppi_not_computed").size());
}

TEST(DecisionCli, SeveralDecisionsKeepTheFirstAtTheTopAndListAllInOrder) {
  ScratchDir dir;
  const fs::path out = run_into(
      dir, "out",
      uncertainty(test::BIOMASS_CASE, test::BIOMASS_DISTRIBUTIONS, "8000",
                  {"--decision", "savings_10k_yuan_per_yr", "--decision", "efficiency_change_pct_points:min"}));
  const json d = read_json(out / "decision.json");
  ASSERT_EQ(d.at("decisions").size(), 2u);
  EXPECT_EQ(d.at("output"), "savings_10k_yuan_per_yr");
  EXPECT_EQ(d.at("decisions")[0].at("output"), "savings_10k_yuan_per_yr");
  EXPECT_EQ(d.at("decisions")[1].at("output"), "efficiency_change_pct_points");
  EXPECT_EQ(d.at("decisions")[1].at("direction"), "min");
  const json summary = read_json(out / "summary.json");
  for (const json& each : d.at("decisions")) expect_decision_contract(each, summary);
  // Savings grow mode by mode: m4 is best in every run, and nothing is worth knowing.
  EXPECT_EQ(d.at("best_mode"), "m4");
  EXPECT_EQ(mode_entry(d, "m4").at("prob_best"), 1.0);
  EXPECT_EQ(d.at("evpi").at("value"), 0.0);
  // The smallest efficiency change is m1's, which lowers the efficiency.
  EXPECT_EQ(d.at("decisions")[1].at("best_mode"), "m1");
}

// ---- closed forms: gain 0 (base), 3u - 1 (ma), -0.5 (mb), u and w ~ U(0, 1)

// EVPI of maximising: E[max(0, 3U - 1)] - max(0, 1/2) = 2/3 - 1/2 = 1/6. Minimising (u = -y):
// E[max(0, 1 - 3U, 1/2)] - 1/2 = integral over (0, 1/6) of (1/2 - 3u) = 1/24.
constexpr double EVPI_MAX = 1.0 / 6.0;
constexpr double EVPI_MIN = 1.0 / 24.0;

TEST(DecisionCli, LinearChoiceMatchesTheClosedFormEvpiEvppiAndPBest) {
  ScratchDir dir;
  const fs::path out = run_into(dir, "out",
                                uncertainty(CHOICE_CASE, CHOICE_DIST, "200000",
                                            {"--decision", "gain_MW", "--decision", "gain_MW:min", "--seed", "5"}));
  const json all = read_json(out / "decision.json");
  const json summary = read_json(out / "summary.json");
  const json& max = all.at("decisions")[0];
  const json& min = all.at("decisions")[1];
  expect_decision_contract(max, summary);
  expect_decision_contract(min, summary);
  const double n = 200000;

  EXPECT_EQ(max.at("best_mode"), "ma");  // mean 1/2
  EXPECT_NEAR(max.at("evpi").at("value").get<double>(), EVPI_MAX, K * max.at("evpi").at("std_error").get<double>());
  // P(best): base when u < 1/3 (ties go to the baseline), ma otherwise, mb never.
  EXPECT_NEAR(mode_entry(max, "base").at("prob_best").get<double>(), 1.0 / 3.0, K * std::sqrt(2.0 / 9.0 / n));
  EXPECT_NEAR(mode_entry(max, "ma").at("prob_best").get<double>(), 2.0 / 3.0, K * std::sqrt(2.0 / 9.0 / n));
  EXPECT_EQ(mode_entry(max, "mb").at("prob_best"), 0.0);
  // u decides everything: its EVPPI is the EVPI (less a coarseness bias of order 1/B^2); w's is 0.
  const json& u = evppi_entry(max, "u_MW");
  EXPECT_NEAR(u.at("value").get<double>(), EVPI_MAX, K * u.at("std_error").get<double>() + 1e-3);
  EXPECT_LE(u.at("ci95")[0].get<double>(), EVPI_MAX + 1e-3);
  EXPECT_GE(u.at("ci95")[1].get<double>(), EVPI_MAX - 1e-3);
  const json& w = evppi_entry(max, "w_MW");
  EXPECT_TRUE(w.at("consistent_with_zero").get<bool>());
  EXPECT_EQ(w.at("ci95")[0], 0.0);
  EXPECT_LT(w.at("value").get<double>(), 0.002);
  // The group of both, at floor(sqrt(B)) bins per member: EVPI less a larger coarseness bias.
  const json& both = evppi_entry(max, "both");
  EXPECT_EQ(both.at("kind"), "group");
  EXPECT_NEAR(both.at("value").get<double>(), EVPI_MAX, 0.01);
  EXPECT_EQ(all.at("unit"), "MW");

  // Minimising: mb (-0.5) is best unless u < 1/6, when ma (3u - 1 < -0.5) is.
  EXPECT_EQ(min.at("best_mode"), "mb");
  EXPECT_NEAR(min.at("evpi").at("value").get<double>(), EVPI_MIN, K * min.at("evpi").at("std_error").get<double>());
  EXPECT_NEAR(mode_entry(min, "ma").at("prob_best").get<double>(), 1.0 / 6.0, K * std::sqrt(5.0 / 36.0 / n));
  EXPECT_NEAR(mode_entry(min, "mb").at("prob_best").get<double>(), 5.0 / 6.0, K * std::sqrt(5.0 / 36.0 / n));
  EXPECT_EQ(mode_entry(min, "base").at("prob_best"), 0.0);
  // :min's best is :max's worst (the mode with the smallest mean).
  std::string worst;
  double lowest = INFINITY;
  for (const json& m : max.at("modes"))
    if (m.at("mean").get<double>() < lowest) lowest = m.at("mean"), worst = m.at("name");
  EXPECT_EQ(min.at("best_mode"), worst);
}

const json& tornado_entry(const json& decision, const std::string& parameter, const std::string& mode) {
  for (const json& e : decision.at("tornado"))
    if (e.at("parameter") == parameter && e.at("mode") == mode) return e;
  throw std::runtime_error("no tornado entry of " + parameter + " in " + mode);
}

// The probabilistic tornado: gain = 3 u - 1 in mode ma with u ~ U[0, 1], so its mean over the
// runs with u in [0, 0.1) is 3 * 0.05 - 1 = -0.85 and over u in [0.9, 1] 3 * 0.95 - 1 = 1.85;
// base (0) and mb (-0.5) are constants; w touches no gain, so ma's mean in w's deciles is 1/2.
TEST(DecisionCli, TornadoGivesTheClosedFormMeanInEachExtremeDecile) {
  ScratchDir dir;
  const fs::path out =
      run_into(dir, "out", uncertainty(CHOICE_CASE, CHOICE_DIST, "100000", {"--decision", "gain_MW", "--seed", "3"}));
  const json d = read_json(out / "decision.json").at("decisions")[0];
  ASSERT_EQ(d.at("tornado").size(), 2u * 3u);  // parameters x modes
  auto expect_mean = [&](const json& e, const char* key, double expected) {
    const std::string k = key;
    const double mean = e.at(k), low = e.at(k + "_ci95")[0], high = e.at(k + "_ci95")[1];
    EXPECT_NEAR(mean, expected, K / 1.96 * std::max(high - mean, 1e-15)) << e.dump() << " " << key;
    EXPECT_LE(low, mean);
    EXPECT_GE(high, mean);
  };
  const json& u_ma = tornado_entry(d, "u_MW", "ma");
  expect_mean(u_ma, "mean_low_decile", -0.85);
  expect_mean(u_ma, "mean_high_decile", 1.85);
  EXPECT_EQ(u_ma.at("unit"), "MW");
  EXPECT_EQ(u_ma.at("parameter_unit"), "MW");
  // A tenth of the runs in each decile (binomial, 4 sd).
  for (const char* key : {"runs_low_decile", "runs_high_decile"})
    EXPECT_NEAR(u_ma.at(key).get<double>(), 10000.0, K * std::sqrt(100000.0 * 0.1 * 0.9)) << key;
  for (const char* p : {"u_MW", "w_MW"}) {
    EXPECT_EQ(tornado_entry(d, p, "base").at("mean_low_decile"), 0.0);
    EXPECT_EQ(tornado_entry(d, p, "mb").at("mean_high_decile"), -0.5);
  }
  expect_mean(tornado_entry(d, "w_MW", "ma"), "mean_low_decile", 0.5);
  expect_mean(tornado_entry(d, "w_MW", "ma"), "mean_high_decile", 0.5);
  // tornado.csv holds the same numbers, one row per (parameter, mode, decile).
  const ResultCsv csv((out / "tornado.csv").string());
  ASSERT_EQ(csv.rows().size(), 2u * 3u * 2u);
  bool found = false;
  for (const ResultCsv::Row& row : csv.rows()) {
    if (csv.text(row, csv.column("parameter")) != "u_MW" || csv.text(row, csv.column("mode")) != "ma" ||
        csv.text(row, csv.column("decile")) != "lowest")
      continue;
    found = true;
    EXPECT_EQ(csv.number(row, csv.column("mean")), u_ma.at("mean_low_decile").get<double>());
    EXPECT_EQ(csv.text(row, csv.column("unit")), "MW");
  }
  EXPECT_TRUE(found);
}

// With a Gaussian copula of rank correlation r_s (Pearson rho = 2 sin(pi r_s / 6) between the
// normal scores), E[U | W] = Phi(rho z / sqrt(2 - rho^2)) for W = Phi(z), so
// EVPPI(w) = E_z[max(0, 3 Phi(rho z / sqrt(2 - rho^2)) - 1)] - 1/2.
double correlated_evppi_of_w(double rank_correlation) {
  const double rho = 2.0 * std::sin(std::numbers::pi * rank_correlation / 6.0);
  const double scale = rho / std::sqrt(2.0 - rho * rho);
  double integral = 0.0;
  const double h = 1e-3;
  for (double z = -10.0; z < 10.0; z += h) {
    const double mid = z + h / 2;
    integral += std::max(0.0, 3.0 * normal_cdf(scale * mid) - 1.0) * normal_pdf(mid) * h;
  }
  return integral - 0.5;
}

TEST(DecisionCli, CorrelatedInputsGiveTheIrrelevantInputItsClosedFormEvppi) {
  ScratchDir dir;
  // correlated_choice.corr.csv, next to the distributions file, is picked up.
  const fs::path out = run_into(
      dir, "out", uncertainty(CHOICE_CASE, CORRELATED_DIST, "200000", {"--decision", "gain_MW", "--seed", "9"}));
  const json d = read_json(out / "decision.json");
  expect_decision_contract(d, read_json(out / "summary.json"));
  const double truth = correlated_evppi_of_w(0.8);
  ASSERT_GT(truth, 0.05);  // w now says much about u
  const json& w = evppi_entry(d, "w_MW");
  EXPECT_FALSE(w.at("consistent_with_zero").get<bool>());
  EXPECT_GT(w.at("ci95")[0].get<double>(), 0.0);
  // Coarseness: E[U | w] changes fastest where the decision turns; B = 59 bins cost < 0.002.
  EXPECT_NEAR(w.at("value").get<double>(), truth, K * w.at("std_error").get<double>() + 0.002);
  const json& u = evppi_entry(d, "u_MW");
  EXPECT_NEAR(u.at("value").get<double>(), EVPI_MAX, K * u.at("std_error").get<double>() + 1e-3);
  EXPECT_LT(w.at("value").get<double>(), u.at("value").get<double>());
  EXPECT_EQ(d.at("evppi")[0].at("factor"), "u_MW");
}

// ---- failed runs

TEST(DecisionCli, RunsInWhichAModeFailedAreExcludedAndCounted) {
  ScratchDir dir;
  // Mode risky fails (negative flow) when x < 3: 30 % of the runs.
  const fs::path out = run_into(
      dir, "out", uncertainty(FAILING_CASE, FAILING_DIST, "20000", {"--decision", "x_out_MJ_per_h", "--seed", "2"}));
  const json d = read_json(out / "decision.json");
  const json summary = read_json(out / "summary.json");
  expect_decision_contract(d, summary);
  EXPECT_EQ(d.at("runs"), 20000);
  EXPECT_EQ(d.at("runs_excluded"), summary.at("failures"));  // every failure is in mode risky
  EXPECT_NEAR(d.at("runs_excluded").get<double>(), 6000.0, K * std::sqrt(20000 * 0.3 * 0.7));
  // Both modes give x itself: they tie in every run used, and ties go to the baseline.
  EXPECT_EQ(d.at("best_mode"), "base");
  EXPECT_EQ(mode_entry(d, "base").at("prob_best"), 1.0);
  const json imp = read_json(out / "importance.json");
  EXPECT_EQ(imp.at("runs_excluded").get<std::uint64_t>() + imp.at("runs_used").get<std::uint64_t>(),
            std::min<std::uint64_t>(20000, DEFAULT_IMPORTANCE_RUNS));
  EXPECT_GT(imp.at("runs_excluded").get<std::uint64_t>(), 0u);
}

// ---- bad options: exit 2 before any run

TEST(DecisionCli, UnknownOutputExitsTwoSuggestingTheNameAndWritesNothing) {
  ScratchDir dir;
  const CliRun r = test::run_symbiomc(uncertainty(CHOICE_CASE, CHOICE_DIST, "1000000000",
                                                  {"--decision", "gain_MWW", "--quiet", "--out", dir.sub("out")}));
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR);
  EXPECT_NE(r.err.find("--decision gain_MWW:max: unknown output 'gain_MWW'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'gain_MW'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

TEST(DecisionCli, BadDirectionExitsTwoAndWritesNothing) {
  ScratchDir dir;
  for (const std::string bad : {"gain_MW:maximum", "gain_MW:", ":max"}) {
    const CliRun r = test::run_symbiomc(
        uncertainty(CHOICE_CASE, CHOICE_DIST, "1000000000", {"--decision", bad, "--quiet", "--out", dir.sub("out")}));
    EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << bad;
    EXPECT_NE(r.err.find("--decision " + bad), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

TEST(DecisionCli, ADecisionNeedsTwoModesAndIsAskedForOnce) {
  ScratchDir dir;
  const CliRun one = test::run_symbiomc({"uncertainty", "--model", "ishigami", "--runs", "1000000000", "--decision",
                                         "y", "--quiet", "--out", dir.sub("out")});
  EXPECT_EQ(one.code, cli::EXIT_INPUT_ERROR);
  EXPECT_NE(one.err.find("at least two modes"), std::string::npos) << one.err;
  const CliRun twice = test::run_symbiomc(
      uncertainty(CHOICE_CASE, CHOICE_DIST, "1000000000",
                  {"--decision", "gain_MW", "--decision", "gain_MW:max", "--quiet", "--out", dir.sub("out")}));
  EXPECT_EQ(twice.code, cli::EXIT_INPUT_ERROR);
  EXPECT_NE(twice.err.find("asked for twice"), std::string::npos) << twice.err;
  const CliRun bins = test::run_symbiomc(uncertainty(
      CHOICE_CASE, CHOICE_DIST, "1000", {"--decision", "gain_MW", "--decision-bins", "1", "--out", dir.sub("out")}));
  EXPECT_EQ(bins.code, cli::EXIT_INPUT_ERROR);
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

// ---- options and printing

TEST(DecisionCli, DecisionBinsSetTheEvppiBinsAndAreTheDefaultRuleOtherwise) {
  ScratchDir dir;
  const fs::path chosen =
      run_into(dir, "chosen",
               uncertainty(CHOICE_CASE, CHOICE_DIST, "10000", {"--decision", "gain_MW", "--decision-bins", "40"}));
  EXPECT_EQ(read_json(chosen / "decision.json").at("bins"), 40);
  EXPECT_EQ(evppi_entry(read_json(chosen / "decision.json"), "both").at("bins_per_member"), 6);  // floor(sqrt(40))
  const fs::path rule =
      run_into(dir, "rule", uncertainty(CHOICE_CASE, CHOICE_DIST, "10000", {"--decision", "gain_MW"}));
  EXPECT_EQ(read_json(rule / "decision.json").at("bins"), default_bins(10000));
  // The bins are part of the study's identity: a resume with other bins is refused.
  UncertaintyConfig a, b;
  b.decision_bins = 40;
  EXPECT_NE(result_identity(a), result_identity(b));
}

TEST(DecisionCli, TableAndJsonOutputCarryTheDecision) {
  ScratchDir dir;
  const CliRun table = test::run_symbiomc(
      uncertainty(CHOICE_CASE, CHOICE_DIST, "10000", {"--decision", "gain_MW", "--out", dir.sub("table")}));
  ASSERT_EQ(table.code, 0) << table.err;
  const std::size_t at = table.out.find("Decision on gain_MW [MW]");
  ASSERT_NE(at, std::string::npos) << table.out;
  EXPECT_GT(at, table.out.find("w_out_MW [MW]"));  // after the uncertainty tables
  EXPECT_NE(table.out.find("ma (best)"), std::string::npos);
  EXPECT_NE(table.out.find("EVPI "), std::string::npos);
  EXPECT_NE(table.out.find("decision.json"), std::string::npos);
  const CliRun quiet = test::run_symbiomc(
      uncertainty(CHOICE_CASE, CHOICE_DIST, "10000", {"--decision", "gain_MW", "--quiet", "--out", dir.sub("quiet")}));
  EXPECT_EQ(quiet.out, "");
  const CliRun printed = test::run_symbiomc(uncertainty(
      CHOICE_CASE, CHOICE_DIST, "10000", {"--decision", "gain_MW", "--format", "json", "--out", dir.sub("json")}));
  ASSERT_EQ(printed.code, 0) << printed.err;
  const json j = json::parse(printed.out);
  EXPECT_TRUE(j.contains("modes"));  // summary.json's content
  ASSERT_EQ(j.at("decision").size(), 1u);
  EXPECT_EQ(j.at("decision")[0], read_json(dir.path() / "json" / "decision.json").at("decisions")[0]);
  // Without --decision, --format json prints summary.json as it is.
  const CliRun plain = test::run_symbiomc(
      uncertainty(CHOICE_CASE, CHOICE_DIST, "10000", {"--format", "json", "--out", dir.sub("plain")}));
  EXPECT_EQ(plain.out, read_text(dir.path() / "plain" / "summary.json"));
}

TEST(DecisionCli, WithoutDecisionThereIsNoDecisionFileEvenFromAnEarlierRun) {
  ScratchDir dir;
  const fs::path out = run_into(dir, "out", uncertainty(CHOICE_CASE, CHOICE_DIST, "5000", {"--decision", "gain_MW"}));
  ASSERT_TRUE(fs::exists(out / "decision.json"));
  run_into(dir, "out", uncertainty(CHOICE_CASE, CHOICE_DIST, "5000", {}));
  EXPECT_FALSE(fs::exists(out / "decision.json"));
  EXPECT_FALSE(fs::exists(out / "decision.csv"));
  EXPECT_TRUE(fs::exists(out / "importance.json"));
}

// ---- importance

const json* index_entry(const json& importance, const std::string& mode, const std::string& output,
                        const std::string& parameter) {
  for (const json& e : importance.at("indices"))
    if (e.at("mode") == mode && e.at("output") == output && e.at("parameter") == parameter) return &e;
  ADD_FAILURE() << "no index of " << parameter << " for " << mode << "." << output;
  return nullptr;
}

TEST(ImportanceFiles, BiomassHasEveryModeOutputAndParameterAndDeltaOnlyWhereNamed) {
  ScratchDir dir;
  const fs::path out =
      run_into(dir, "out",
               uncertainty(test::BIOMASS_CASE, test::BIOMASS_DISTRIBUTIONS, "20000",
                           {"--threshold", "efficiency_change_pct_points=5", "--decision", "savings_10k_yuan_per_yr"}));
  const json imp = read_json(out / "importance.json");
  const json summary = read_json(out / "summary.json");
  const std::size_t parameters = summary.at("inputs").size();
  std::size_t outputs = 0;
  for (const json& m : summary.at("modes")) outputs += m.at("outputs").size();
  ASSERT_EQ(imp.at("indices").size(), outputs * parameters);
  EXPECT_EQ(imp.at("runs_used"), 16384);
  EXPECT_EQ(imp.at("runs_excluded"), 0);
  EXPECT_EQ(imp.at("max_runs"), DEFAULT_IMPORTANCE_RUNS);
  for (const json& e : imp.at("indices")) {
    for (const char* key : {"mode", "output", "parameter", "first_order", "first_order_ci95"})
      ASSERT_TRUE(e.contains(key)) << key;
    const bool named = e.at("output") == "savings_10k_yuan_per_yr" || e.at("output") == "efficiency_change_pct_points";
    EXPECT_EQ(e.contains("delta"), named) << e.at("mode") << "." << e.at("output");
    EXPECT_EQ(e.contains("delta_ci95"), named);
    EXPECT_EQ(e.contains("srrc"), e.contains("srrc_ci95"));
  }
  // The baseline's extra power is 0 in every run: zero variance, and no SRRC (constant rank).
  const json* constant = index_entry(imp, "independent", "extra_power_MW", "chp_straw_t_h");
  ASSERT_NE(constant, nullptr);
  EXPECT_EQ(constant->at("first_order"), 0.0);
  EXPECT_FALSE(constant->contains("srrc"));
  // What drives mode 4's efficiency change (README: the cement plant's steam).
  const json* steam = index_entry(imp, "m4", "efficiency_change_pct_points", "cem_steam_energy_MJ_t");
  ASSERT_NE(steam, nullptr);
  EXPECT_GT(steam->at("first_order").get<double>(), 0.25);
  EXPECT_GT(steam->at("srrc").get<double>(), 0.4);
  // Targets: each mode's P(efficiency change > 5), every mode pair on the two named outputs.
  std::set<std::string> threshold_modes, pairs;
  for (const json& t : imp.at("targets")) {
    EXPECT_TRUE(t.contains("first_order") && t.contains("first_order_ci95") && t.contains("parameter"));
    if (t.at("kind") == "threshold") {
      EXPECT_EQ(t.at("target"), "efficiency_change_pct_points > 5");
      threshold_modes.insert(t.at("mode"));
    } else {
      pairs.insert(t.at("target"));
    }
  }
  EXPECT_EQ(threshold_modes.size(), 5u);
  EXPECT_EQ(pairs.size(), 2u * 10u);  // 2 outputs x (5 choose 2) mode pairs
  EXPECT_EQ(imp.at("targets").size(), (5u + 20u) * parameters);
  // The CSV files hold the same rows, with RFC 4180 cells.
  const ResultCsv indices((out / "importance.csv").string()), targets((out / "targets.csv").string());
  EXPECT_EQ(indices.rows().size(), outputs * parameters);
  EXPECT_EQ(targets.rows().size(), imp.at("targets").size());
  for (const auto& row : indices.rows()) EXPECT_EQ(row.cells.size(), indices.header().size()) << row.line;
  for (const auto& row : targets.rows()) EXPECT_EQ(row.cells.size(), targets.header().size()) << row.line;
}

TEST(ImportanceFiles, LinearChoiceIndicesAndTargetsMatchTheirClosedForms) {
  ScratchDir dir;
  const fs::path out = run_into(
      dir, "out", uncertainty(CHOICE_CASE, CHOICE_DIST, "50000", {"--threshold", "gain_MW=0.5", "--seed", "4"}));
  const json imp = read_json(out / "importance.json");
  // gain in ma is 3u - 1: all of its variance is u's; w_out is w itself.
  auto index = [&](const std::string& mode, const std::string& output, const std::string& parameter) {
    const json* e = index_entry(imp, mode, output, parameter);
    return e ? *e : json();
  };
  const double bins = imp.at("first_order_bins");
  EXPECT_NEAR(index("ma", "gain_MW", "u_MW").at("first_order").get<double>(), 1.0 - 1.0 / (bins * bins), 0.01);
  EXPECT_NEAR(index("ma", "gain_MW", "w_MW").at("first_order").get<double>(), 0.0, 0.01);
  EXPECT_NEAR(index("ma", "gain_MW", "u_MW").at("srrc").get<double>(), 1.0, 0.01);
  EXPECT_NEAR(index("mb", "w_out_MW", "w_MW").at("first_order").get<double>(), 1.0 - 1.0 / (bins * bins), 0.01);
  EXPECT_TRUE(index("ma", "gain_MW", "u_MW").contains("delta"));  // named by --threshold
  EXPECT_FALSE(index("ma", "w_out_MW", "w_MW").contains("delta"));
  EXPECT_GT(index("ma", "gain_MW", "u_MW").at("delta").get<double>(), 0.5);
  // gain is constant in base and mb: no SRRC there (absent, not zero).
  EXPECT_FALSE(index("base", "gain_MW", "u_MW").contains("srrc"));
  EXPECT_FALSE(index("mb", "gain_MW", "u_MW").contains("srrc"));
  // P(gain > 0.5) in ma is P(u > 1/2): u explains the indicator entirely (1/2 is a bin edge).
  for (const json& t : imp.at("targets")) {
    if (t.at("kind") == "threshold" && t.at("mode") == "ma") {
      EXPECT_NEAR(t.at("probability").get<double>(), 0.5, K * std::sqrt(0.25 / 16384));
      EXPECT_NEAR(t.at("first_order").get<double>(), t.at("parameter") == "u_MW" ? 1.0 : 0.0, 0.01);
    }
    // P(ma > base) is P(u > 1/3).
    if (t.at("kind") == "comparison" && t.at("mode_a") == "base" && t.at("mode_b") == "ma" &&
        t.at("parameter") == "u_MW") {
      EXPECT_EQ(t.at("target"), "gain_MW: base > ma");
      EXPECT_NEAR(t.at("probability").get<double>(), 1.0 / 3.0, K * std::sqrt(2.0 / 9.0 / 16384));
      EXPECT_GT(t.at("first_order").get<double>(), 0.9);
    }
  }
}

TEST(ImportanceFiles, ImportanceRunsBoundTheRunsAndZeroWritesNoImportanceFiles) {
  ScratchDir dir;
  const fs::path few =
      run_into(dir, "few", uncertainty(CHOICE_CASE, CHOICE_DIST, "50000", {"--importance-runs", "5000"}));
  // Whole blocks of 4096 runs: 5000 runs take two.
  EXPECT_EQ(read_json(few / "importance.json").at("runs_used"), 8192);
  EXPECT_EQ(read_json(few / "importance.json").at("max_runs"), 5000);
  const fs::path none =
      run_into(dir, "none", uncertainty(CHOICE_CASE, CHOICE_DIST, "5000", {"--importance-runs", "0"}));
  for (const char* name : {"importance.json", "importance.csv", "targets.csv"}) EXPECT_FALSE(fs::exists(none / name));
  EXPECT_TRUE(fs::exists(none / "summary.json"));
}

TEST(ImportanceFiles, TooFewRunsLeaveTheEstimatesAbsentWithTheReason) {
  ScratchDir dir;
  // 5 runs: too few for 4 bins per parameter (the first-order index needs B + 2).
  const fs::path out =
      run_into(dir, "out", uncertainty(CHOICE_CASE, CHOICE_DIST, "5", {"--decision", "gain_MW", "--bins", "16"}));
  const json imp = read_json(out / "importance.json");
  EXPECT_TRUE(imp.at("not_computed").contains("first_order"));
  for (const json& e : imp.at("indices")) EXPECT_FALSE(e.contains("first_order"));
  const json d = read_json(out / "decision.json");
  EXPECT_TRUE(d.contains("best_mode"));
  EXPECT_EQ(d.at("runs"), 5);
}

// ---- determinism

const std::vector<std::string> ALL_FILES = {"summary.csv",  "quantiles.csv",  "histograms.csv",  "comparisons.csv",
                                            "failures.csv", "thresholds.csv", "summary.json",    "decision.json",
                                            "decision.csv", "tornado.csv",    "importance.json", "importance.csv",
                                            "targets.csv"};

TEST(DecisionDeterminism, FilesAreByteIdenticalForOneTwoAndEightThreads) {
  ScratchDir dir;
  // 12000 runs in blocks of 128: 94 blocks in two segments, waves of 4, 8 and 32 blocks.
  for (const std::string method : {"mc", "qmc"}) {
    test::expect_identical_across_threads(
        dir.path(), "failing_" + method,
        uncertainty(FAILING_CASE, FAILING_DIST, "12000",
                    {"--block-size", "128", "--method", method, "--decision", "x_out_MJ_per_h", "--decision",
                     "xy_MJ_per_h:min", "--threshold", "xy_MJ_per_h=10", "--seed", "7"}),
        ALL_FILES);
    test::expect_identical_across_threads(
        dir.path(), "correlated_" + method,
        uncertainty(CHOICE_CASE, CORRELATED_DIST, "12000",
                    {"--block-size", "128", "--method", method, "--decision", "gain_MW", "--importance-runs", "3000"}),
        ALL_FILES);
  }
}

/// Sets `flag` once `after` progress reports have arrived (progress is reported per fold).
using test::CancelAfter;

UncertaintyConfig resumable_config() {
  UncertaintyConfig c;
  c.runs = 30000;
  c.seed = 11;
  c.block_size = 512;
  c.segment_blocks = 3;  // 20 segments; importance (2^14 runs) spans the first 11
  c.histogram_bins = 128;
  c.decisions = {{"gain_MW", DecisionDirection::maximise}, {"gain_MW", DecisionDirection::minimise}};
  c.thresholds = {{"gain_MW", 0.2}};
  return c;
}

TEST(DecisionDeterminism, AnInterruptedAndResumedStudyEndsWithTheSameBits) {
  const test::LoadedCase c(CHOICE_CASE, CORRELATED_DIST);
  const ScratchDir dir;
  const UncertaintyResult whole = run_uncertainty(c.model, c.problem, resumable_config());
  ASSERT_EQ(whole.decisions.size(), 2u);
  ASSERT_TRUE(whole.decisions[0].result.has_value());
  ASSERT_FALSE(whole.importance.first_order.empty());

  // Progress is reported after every wave and fold: two reports per segment of 3 blocks. The
  // importance sums become estimates at the fold of segment 10 (blocks 0-32 of 512 runs hold the
  // first 2^14 runs): interrupt before, and after, that.
  for (const int after : {2, 7, 15, 30}) {
    UncertaintyConfig first = resumable_config();
    CancelAfter cancel(after);
    first.cancel = &cancel.flag;
    first.progress = cancel.callback();
    const std::string checkpoint = dir.sub("u" + std::to_string(after) + ".ckpt");
    first.checkpoint.path = checkpoint;
    first.checkpoint.every_seconds = 1e9;  // only the checkpoint written on the interruption
    EXPECT_THROW((void)run_uncertainty(c.model, c.problem, first), RunInterrupted);
    UncertaintyConfig second = resumable_config();
    second.checkpoint.resume_path = checkpoint;
    const UncertaintyResult resumed = run_uncertainty(c.model, c.problem, second);
    EXPECT_TRUE(resumed.decisions == whole.decisions) << "interrupted after " << after;
    EXPECT_TRUE(resumed.importance == whole.importance) << "interrupted after " << after;
    // And the files written from them.
    const Provenance provenance;
    write_decision_report(whole, provenance, dir.sub("whole"));
    write_importance_report(whole, provenance, dir.sub("whole"));
    write_decision_report(resumed, provenance, dir.sub("resumed"));
    write_importance_report(resumed, provenance, dir.sub("resumed"));
    for (const auto& name : GIVEN_DATA_FILES)
      EXPECT_EQ(read_text(dir.path() / "resumed" / name), read_text(dir.path() / "whole" / name)) << name;
  }
  // Resuming with other decision options is refused.
  UncertaintyConfig other = resumable_config();
  other.decisions.pop_back();
  other.checkpoint.resume_path = dir.sub("u2.ckpt");
  EXPECT_THROW((void)run_uncertainty(c.model, c.problem, other), InputError);
}

TEST(DecisionDeterminism, ResumingAFinishedCheckpointThroughTheCliGivesTheSameFiles) {
  ScratchDir dir;
  const std::vector<std::string> args =
      uncertainty(CHOICE_CASE, CHOICE_DIST, "40000",
                  {"--decision", "gain_MW", "--threshold", "gain_MW=0", "--segment-blocks", "2", "--seed", "8"});
  const fs::path whole = run_into(dir, "whole", args);
  std::vector<std::string> checkpointed = args;
  checkpointed.insert(checkpointed.end(), {"--checkpoint", dir.sub("c.ckpt"), "--checkpoint-every", "0"});
  run_into(dir, "checkpointed", checkpointed);
  std::vector<std::string> resumed = args;
  resumed.insert(resumed.end(), {"--resume", dir.sub("c.ckpt")});
  const fs::path again = run_into(dir, "resumed", resumed);
  for (const auto& name : ALL_FILES) {
    EXPECT_EQ(read_text(dir.path() / "checkpointed" / name), read_text(whole / name)) << name;
    EXPECT_EQ(read_text(again / name), read_text(whole / name)) << name;
  }
}

}  // namespace
}  // namespace symbiomc
