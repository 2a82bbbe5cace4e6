// Tests of the Sobol' and Morris drivers (run_sobol, run_morris, `symbiomc sensitivity`) against
// analytic truth: Ishigami and Sobol' G indices inside their intervals, the intervals' coverage
// over seeded repetitions, groups, second order, convergence rows, the target-width loop,
// byte-identical reports at 1, 2 and 8 threads, refused correlations, dropped base samples and
// zero-variance outputs (tests/data/sampling/failing), and Morris ranking. Statistical
// tolerances are k standard errors or interval levels written next to each check; no timing.

#include "symbiomc/studies/sensitivity.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/loaded_case.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/distributions.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;

const std::string DATA = test::SAMPLING_DATA;
const std::string LINEAR_CASE = DATA + "/linear";
const std::string FAILING_CASE = DATA + "/failing";
const std::string FAILING_DIST = DATA + "/failing.csv";

// Single-seed "truth inside the interval" checks look at about 80 intervals in all; at 95 % a
// few would miss by design (with this file's seeds 7 do, at z = 2.0 to 2.8), and that calibration is
// what the coverage tests measure. These checks ask for 99.99 % intervals instead (3.9 standard
// errors for the delta method, t(7) = 7.9 replicate standard errors for qmc), the same 4-sigma
// margin as K, so that a change of random streams does not fail a correct driver.
constexpr double WIDE_LEVEL = 0.9999;
// Other statistical checks allow K standard errors.
constexpr double K = 4.0;

#if defined(__SANITIZE_ADDRESS__)
// ASan+UBSan slow the driver about tenfold; the coverage study then uses N = 2^14 per repetition.
constexpr std::uint64_t COVERAGE_N = 1u << 14;
#else
constexpr std::uint64_t COVERAGE_N = 1u << 16;
#endif

// ---- helpers

using test::CliRun;
using test::csv_rows;
using test::LoadedCase;
using test::read_text;
using test::ScratchDir;

SobolConfig sobol_config(std::uint64_t n, SamplingMethod method, std::uint64_t seed = 1, double level = 0.95) {
  SobolConfig c;
  c.base_runs = n;
  c.method = method;
  c.seed = seed;
  c.conf_level = level;
  return c;
}

bool covers(const IndexEstimate& e, double truth) { return e.low <= truth && truth <= e.high; }

std::string describe(const IndexEstimate& e) {
  std::ostringstream out;
  out << std::setprecision(5) << e.value << " [" << e.low << ", " << e.high << "] se " << e.std_error;
  return out.str();
}

// Every S1 and ST of output 0 of mode 0 inside its interval.
void expect_indices_inside(const SobolResult& r, const AnalyticIndices& truth, const std::string& label) {
  ASSERT_EQ(r.estimates.size(), 1u);
  const SobolOutputEstimates& est = r.estimates[0].outputs.at(0);
  for (std::size_t j = 0; j < truth.first.size(); ++j) {
    EXPECT_TRUE(covers(est.first[j], truth.first[j]))
        << label << " S1 x" << j + 1 << " truth " << truth.first[j] << ": " << describe(est.first[j]);
    EXPECT_TRUE(covers(est.total[j], truth.total[j]))
        << label << " ST x" << j + 1 << " truth " << truth.total[j] << ": " << describe(est.total[j]);
  }
}

const std::vector<std::vector<double>> SOBOL_G_A = {
    {0, 1, 4.5, 9, 99, 99, 99, 99},  // Saltelli & Sobol' 1995's classic: two important, four inert
    {0.5, 0.5, 0.5},                 // equal factors, strong interactions
    {0, 0.5, 3, 9, 99},              // graded importance
};

// ---- analytic truth at N = 2^16

TEST(SobolDriver, IshigamiIndicesLieInsideTheirIntervalsForMcAndQmc) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  const AnalyticIndices truth = ishigami_indices(7.0, 0.1);
  for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
    const SobolResult r = run_sobol(model, problem, sobol_config(1u << 16, method, 1, WIDE_LEVEL));
    EXPECT_EQ(r.base_runs, 1u << 16);
    EXPECT_EQ(r.model_runs, (1u << 16) * (3u + 2u));
    EXPECT_EQ(r.estimates[0].n_base, 1u << 16);
    EXPECT_EQ(r.estimates[0].interval,
              method == SamplingMethod::qmc ? IntervalMethod::replicate_t : IntervalMethod::delta_method);
    expect_indices_inside(r, truth, std::string("ishigami ") + std::string(to_string(method)));
  }
}

TEST(SobolDriver, SobolGIndicesLieInsideTheirIntervalsForSeveralCoefficientVectors) {
  for (const auto& a : SOBOL_G_A) {
    const SobolGModel model(a);
    const Problem problem = uniform_problem(model, "test");
    const AnalyticIndices truth = sobol_g_indices(a);
    for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
      std::ostringstream label;
      label << "sobol-g a=";
      for (double v : a) label << v << " ";
      label << to_string(method);
      const SobolResult r = run_sobol(model, problem, sobol_config(1u << 16, method, 2, WIDE_LEVEL));
      expect_indices_inside(r, truth, label.str());
    }
  }
}

TEST(SobolDriver, UsesExactlyTheRequestedBaseRuns) {
  // N = 1000 is not a multiple of the index-defined block (64 here): the last block stops at N,
  // so the runs are N (F + 2) = 5000, as --base-runs documents.
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
    SCOPED_TRACE(std::string(to_string(method)));
    const SobolResult r = run_sobol(model, problem, sobol_config(1000, method));
    EXPECT_EQ(r.base_runs, 1000u);  // qmc: 8 replicates of 125
    EXPECT_EQ(r.model_runs, 5000u);
    EXPECT_EQ(r.estimates[0].n_base, 1000u);
    EXPECT_EQ(r.convergence.back().base_runs, 1000u);
  }
}

// ---- coverage of the 95 % intervals over 50 seeded repetitions

// Runs the real driver 50 times (seeds 1..50) and counts how often each 95 % interval holds
// the truth. The bar of 90 % applies to all S1 and ST intervals pooled (50 x 2D of them): with
// exact 95 % coverage that fails with probability < 1e-6. One index alone passes 45 of 50 only
// with probability 0.96 (0.91 at a true 94 %), so six or eight of them at 45 would fail a
// correct driver for some seed set every few runs; each index alone must reach 40 of 50
// (binomial tail below 1e-4 at 95 %), which still catches an interval that is too narrow by
// a factor of about 1.5 (coverage ~80 %).
void check_coverage(const AnalyticModel& model, const AnalyticIndices& truth, SamplingMethod method,
                    const std::string& label) {
  constexpr int REPS = 50;
  const Problem problem = uniform_problem(model, "test");
  const std::size_t d = truth.first.size();
  std::vector<int> s1_hits(d, 0), st_hits(d, 0);
  for (int seed = 1; seed <= REPS; ++seed) {
    const SobolResult r = run_sobol(model, problem, sobol_config(COVERAGE_N, method, static_cast<std::uint64_t>(seed)));
    const SobolOutputEstimates& est = r.estimates[0].outputs.at(0);
    for (std::size_t j = 0; j < d; ++j) {
      s1_hits[j] += covers(est.first[j], truth.first[j]) ? 1 : 0;
      st_hits[j] += covers(est.total[j], truth.total[j]) ? 1 : 0;
    }
  }
  int pooled = 0;
  std::cout << "[ info ] coverage of 95 % intervals, " << label << ", " << REPS << " repetitions at N = " << COVERAGE_N
            << ":";
  for (std::size_t j = 0; j < d; ++j) {
    std::cout << " S1_" << j + 1 << " " << s1_hits[j] << ", ST_" << j + 1 << " " << st_hits[j] << ";";
    pooled += s1_hits[j] + st_hits[j];
  }
  const int intervals = static_cast<int>(2 * d) * REPS;
  std::cout << " pooled " << pooled << "/" << intervals << " = " << 100.0 * pooled / intervals << " %\n";
  EXPECT_GE(pooled, (9 * intervals + 9) / 10) << label << ": pooled coverage below 90 %";
  for (std::size_t j = 0; j < d; ++j) {
    EXPECT_GE(s1_hits[j], 40) << label << " S1 of x" << j + 1;
    EXPECT_GE(st_hits[j], 40) << label << " ST of x" << j + 1;
  }
}

TEST(SobolCoverage, IshigamiMcIntervalsCoverTheTruthInNinetyPercentOfFiftyRepetitions) {
  const IshigamiModel model(7.0, 0.1);
  check_coverage(model, ishigami_indices(7.0, 0.1), SamplingMethod::mc, "ishigami mc (delta method)");
}

TEST(SobolCoverage, IshigamiQmcReplicateIntervalsCoverTheTruthInNinetyPercentOfFiftyRepetitions) {
  const IshigamiModel model(7.0, 0.1);
  check_coverage(model, ishigami_indices(7.0, 0.1), SamplingMethod::qmc, "ishigami qmc (t over 8 replicates)");
}

TEST(SobolCoverage, SobolGMcIntervalsCoverTheTruthInNinetyPercentOfFiftyRepetitions) {
  const std::vector<double> a = {0, 1, 4.5, 9};
  const SobolGModel model(a);
  check_coverage(model, sobol_g_indices(a), SamplingMethod::mc, "sobol-g a=0,1,4.5,9 mc (delta method)");
}

TEST(SobolCoverage, SobolGQmcReplicateIntervalsCoverTheTruthInNinetyPercentOfFiftyRepetitions) {
  const std::vector<double> a = {0, 1, 4.5, 9};
  const SobolGModel model(a);
  check_coverage(model, sobol_g_indices(a), SamplingMethod::qmc, "sobol-g a=0,1,4.5,9 qmc (t over 8 replicates)");
}

// ---- determinism

using test::expect_identical_across_threads;

TEST(SobolDeterminism, ReportsAreByteIdenticalForOneTwoAndEightThreads) {
  ScratchDir dir;
  const std::vector<std::string> sobol_files = {"sobol.csv", "sobol.json", "sobol_outputs.csv", "sobol_convergence.csv",
                                                "sobol_second_order.csv"};
  for (const std::string sampling : {"mc", "qmc"}) {
    // 2^14 base samples in blocks of 256 (mc) or 8 replicates of 2^11 in blocks of 256 (qmc):
    // waves of 4, 8 and 32 blocks at 1, 2 and 8 threads.
    expect_identical_across_threads(dir.path(), "ishigami_" + sampling,
                                    {"sensitivity", "--model", "ishigami", "--base-runs", "16384", "--seed", "3",
                                     "--sampling", sampling, "--second-order"},
                                    sobol_files);
    expect_identical_across_threads(dir.path(), "failing_" + sampling,
                                    {"sensitivity", "--case", FAILING_CASE, "--distributions", FAILING_DIST,
                                     "--base-runs", "8192", "--seed", "3", "--sampling", sampling, "--second-order"},
                                    sobol_files);
  }
  expect_identical_across_threads(dir.path(), "morris",
                                  {"sensitivity", "--model", "sobol-g:a=0,1,4.5,9,99", "--method", "morris",
                                   "--trajectories", "1000", "--seed", "3"},
                                  {"morris.csv", "morris.json"});
}

// ---- groups

TEST(SobolGroups, GroupTotalIndexLiesBetweenItsLargestMemberAndTheSumOfItsMembers) {
  struct Case {
    std::string label;
    std::unique_ptr<AnalyticModel> model;
    std::vector<std::string> groups;
    double group_total_truth;
  };
  std::vector<Case> cases;
  // Ishigami = f1(x1, x3) + f2(x2): the group {x1, x3} has S1 = ST = 1 - S2 (ST_g = ST_1, the
  // lower end of the inequality, because x3 acts only with x1).
  cases.push_back({"ishigami {x1,x3}",
                   std::make_unique<IshigamiModel>(7.0, 0.1),
                   {"g13", "x2", "g13"},
                   1.0 - ishigami_indices(7.0, 0.1).first[1]});
  // Sobol' G: ST of group g = 1 - (prod_{j not in g} (1 + V_j) - 1) / V (closed index of the rest).
  const std::vector<double> a = {0, 1, 4.5, 9};
  double v_total = 1.0, v_rest = 1.0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double vj = 1.0 / (3.0 * (1.0 + a[j]) * (1.0 + a[j]));
    v_total *= 1.0 + vj;
    if (j >= 2) v_rest *= 1.0 + vj;
  }
  cases.push_back({"sobol-g {x1,x2}",
                   std::make_unique<SobolGModel>(a),
                   {"g12", "g12", "x3", "x4"},
                   1.0 - (v_rest - 1.0) / (v_total - 1.0)});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const Problem problem = uniform_problem(*c.model, "test", c.groups);
    SobolConfig config = sobol_config(1u << 15, SamplingMethod::mc, 4, WIDE_LEVEL);
    config.groups = true;
    const SobolResult r = run_sobol(*c.model, problem, config);
    const std::size_t d = c.model->inputs().size();
    ASSERT_EQ(r.factors.size(), d + 1);
    const SobolFactor& g = r.factors.back();
    EXPECT_TRUE(g.is_group);
    const SobolOutputEstimates& est = r.estimates[0].outputs.at(0);
    const IndexEstimate& st_g = est.total[d];
    double largest = 0.0, sum = 0.0, var_sum = 0.0, se_largest = 0.0;
    for (std::size_t j : g.members) {
      EXPECT_FALSE(r.factors[j].is_group);
      if (est.total[j].value > largest) largest = est.total[j].value, se_largest = est.total[j].std_error;
      sum += est.total[j].value;
      var_sum += est.total[j].std_error * est.total[j].std_error;
    }
    // The inequalities hold for the true indices; the estimates may break them by sampling
    // error only: K standard errors of the difference (treated as independent, which
    // overstates the error of strongly correlated estimates and keeps the test honest).
    EXPECT_GE(st_g.value, largest - K * std::hypot(st_g.std_error, se_largest)) << describe(st_g);
    EXPECT_LE(st_g.value, sum + K * std::sqrt(st_g.std_error * st_g.std_error + var_sum)) << describe(st_g);
    EXPECT_TRUE(covers(st_g, c.group_total_truth)) << "truth " << c.group_total_truth << ": " << describe(st_g);
  }
}

TEST(SobolGroups, GroupOfAllParametersHasTotalIndexOne) {
  for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
    SCOPED_TRACE(std::string(to_string(method)));
    const IshigamiModel model(7.0, 0.1);
    const Problem problem = uniform_problem(model, "test", {"all", "all", "all"});
    SobolConfig config = sobol_config(1u << 14, method, 5, WIDE_LEVEL);
    config.groups = true;
    const SobolResult r = run_sobol(model, problem, config);
    ASSERT_EQ(r.factors.size(), 4u);
    EXPECT_EQ(r.factors[3].name, "all");
    EXPECT_EQ(r.factors[3].members, (std::vector<std::size_t>{0, 1, 2}));
    const SobolOutputEstimates& est = r.estimates[0].outputs.at(0);
    EXPECT_TRUE(covers(est.total[3], 1.0)) << describe(est.total[3]);
    EXPECT_NEAR(est.total[3].value, 1.0, K * est.total[3].std_error + 1e-12);
    EXPECT_TRUE(covers(est.first[3], 1.0)) << describe(est.first[3]);
    // Parameters are ranked among parameters and groups among groups (a group overlaps its
    // members), and sum S1 counts the parameters only.
    EXPECT_EQ(est.rank_by_total[3], 1u);
    EXPECT_EQ((std::vector<std::size_t>{est.rank_by_total[0], est.rank_by_total[1], est.rank_by_total[2]}),
              (std::vector<std::size_t>{1, 2, 3}));  // ST: 0.558, 0.442, 0.244
    EXPECT_EQ(est.sum_first, est.first[0].value + est.first[1].value + est.first[2].value);
  }
}

// ---- second order

TEST(SobolSecondOrder, IshigamiS13LiesInsideItsIntervalAndTheOtherPairsNearZero) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  const AnalyticIndices truth = ishigami_indices(7.0, 0.1);
  EXPECT_NEAR(truth.second[pair_index(0, 2, 3)], 0.2437, 1e-4);
  for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
    SCOPED_TRACE(std::string(to_string(method)));
    SobolConfig config = sobol_config(1u << 16, method, 6, WIDE_LEVEL);
    config.second_order = true;
    const SobolResult r = run_sobol(model, problem, config);
    EXPECT_EQ(r.model_runs, (1u << 16) * (2u * 3u + 2u));
    const SobolOutputEstimates& est = r.estimates[0].outputs.at(0);
    ASSERT_EQ(est.second.size(), 3u);
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t l = j + 1; l < 3; ++l) {
        const IndexEstimate& s2 = est.second[pair_index(j, l, 3)];
        EXPECT_TRUE(covers(s2, truth.second[pair_index(j, l, 3)]))
            << "S" << j + 1 << l + 1 << " truth " << truth.second[pair_index(j, l, 3)] << ": " << describe(s2);
      }
    expect_indices_inside(r, truth, "second order run");
  }
}

// ---- convergence rows and the target width

TEST(SobolConvergence, RowsAtEighthQuarterHalfAndFullNWithIntervalsShrinkingAsOneOverRootN) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  constexpr std::uint64_t N = 1u << 16;
  const SobolResult r = run_sobol(model, problem, sobol_config(N, SamplingMethod::mc, 7));
  ASSERT_EQ(r.convergence.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(r.convergence[i].base_runs, N >> (3 - i));
  // The last row is the final result.
  EXPECT_EQ(r.convergence.back().modes[0].outputs[0].total[0].value, r.estimates[0].outputs[0].total[0].value);
  // Interval width x sqrt(n) is the same at every n up to the noise of the standard-error
  // estimate (a few % at n = 8192): allow 25 %.
  const auto& final_est = r.estimates[0].outputs[0];
  for (std::size_t j = 0; j < 3; ++j)
    for (auto member : {&SobolOutputEstimates::first, &SobolOutputEstimates::total}) {
      const double final_width =
          ((final_est.*member)[j].high - (final_est.*member)[j].low) * std::sqrt(static_cast<double>(N));
      for (const auto& snap : r.convergence) {
        const auto& est = snap.modes[0].outputs[0];
        const double width =
            ((est.*member)[j].high - (est.*member)[j].low) * std::sqrt(static_cast<double>(snap.base_runs));
        EXPECT_NEAR(width / final_width, 1.0, 0.25)
            << (member == &SobolOutputEstimates::first ? "S1" : "ST") << " x" << j + 1 << " at n = " << snap.base_runs;
      }
      const auto& eighth = r.convergence.front().modes[0].outputs[0];
      EXPECT_GT((eighth.*member)[j].high - (eighth.*member)[j].low,
                2.0 * ((final_est.*member)[j].high - (final_est.*member)[j].low))
          << "8 times the samples narrow the interval by about sqrt(8) = 2.8";
    }

  // The same rows reach sobol_convergence.csv: every (parameter, base_runs) once.
  ScratchDir dir;
  const CliRun cli = test::run_symbiomc(
      {"sensitivity", "--model", "ishigami:a=7,b=0.1", "--base-runs", "4096", "--quiet", "--out", dir.sub("out")});
  ASSERT_EQ(cli.code, 0) << cli.err;
  std::map<std::string, std::set<std::string>> runs_per_parameter;
  for (const auto& row : csv_rows(dir.path() / "out" / "sobol_convergence.csv"))
    runs_per_parameter[row.at(2)].insert(row.at(3));
  ASSERT_EQ(runs_per_parameter.size(), 3u);
  for (const auto& [parameter, runs] : runs_per_parameter)
    EXPECT_EQ(runs, (std::set<std::string>{"512", "1024", "2048", "4096"})) << parameter;
}

double widest_total_interval(const SobolEstimates& e) {
  double widest = 0.0;
  for (const auto& o : e.outputs)
    for (const auto& t : o.total) widest = std::max(widest, t.high - t.low);
  return widest;
}

TEST(SobolTargetWidth, StopsAtTheFirstDoublingWhereEveryTotalIntervalIsNarrower) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  SobolConfig config = sobol_config(1024, SamplingMethod::mc, 8);
  config.target_ci_width = 0.05;
  const SobolResult r = run_sobol(model, problem, config);
  EXPECT_TRUE(r.target_reached);
  EXPECT_GT(r.base_runs, 1024u);
  EXPECT_EQ(r.base_runs & (r.base_runs - 1), 0u) << "N doubles: " << r.base_runs;
  EXPECT_LE(r.widest_total_ci, 0.05);
  EXPECT_EQ(r.widest_total_ci, widest_total_interval(r.estimates[0]));
  for (const auto& t : r.estimates[0].outputs[0].total) EXPECT_LE(t.high - t.low, 0.05);
  // Not one doubling too many: at N/2 some interval was still wider than the target.
  const auto half = std::find_if(r.convergence.begin(), r.convergence.end(),
                                 [&](const SobolSnapshot& s) { return s.base_runs == r.base_runs / 2; });
  ASSERT_NE(half, r.convergence.end());
  EXPECT_GT(widest_total_interval(half->modes[0]), 0.05);
}

TEST(SobolTargetWidth, ReportsTargetNotReachedAtTheCap) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  SobolConfig config = sobol_config(1024, SamplingMethod::mc, 8);
  config.target_ci_width = 1e-4;
  config.max_base_runs = 4096;
  const SobolResult r = run_sobol(model, problem, config);
  EXPECT_FALSE(r.target_reached);
  EXPECT_EQ(r.base_runs, 4096u);
  EXPECT_GT(r.widest_total_ci, 1e-4);

  ScratchDir dir;
  const CliRun cli =
      test::run_symbiomc({"sensitivity", "--model", "ishigami", "--base-runs", "1024", "--target-ci-width", "0.0001",
                          "--max-base-runs", "4096", "--quiet", "--out", dir.sub("out")});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const auto json = nlohmann::json::parse(read_text(dir.path() / "out" / "sobol.json"));
  EXPECT_EQ(json.at("target_reached"), false);
  EXPECT_EQ(json.at("base_runs"), 4096u);
  EXPECT_GT(json.at("widest_total_ci").get<double>(), 1e-4);
}

// ---- correlated inputs

TEST(SobolCorrelation, CorrelatedInputsAreRefusedUnlessIgnoredExplicitly) {
  ScratchDir dir;
  const std::string correlated = DATA + "/correlated.csv";  // correlated.corr.csv sits next to it
  const CliRun refused = test::run_symbiomc({"sensitivity", "--case", LINEAR_CASE, "--distributions", correlated,
                                             "--base-runs", "256", "--quiet", "--out", dir.sub("refused")});
  EXPECT_EQ(refused.code, cli::EXIT_MODEL_ERROR);
  EXPECT_NE(refused.err.find("--ignore-correlation"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("correlated.corr.csv"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir.path() / "refused" / "sobol.json"));

  const CliRun ignored =
      test::run_symbiomc({"sensitivity", "--case", LINEAR_CASE, "--distributions", correlated, "--base-runs", "256",
                          "--ignore-correlation", "--quiet", "--out", dir.sub("ignored")});
  ASSERT_EQ(ignored.code, 0) << ignored.err;
  EXPECT_EQ(nlohmann::json::parse(read_text(dir.path() / "ignored" / "sobol.json")).at("correlation_ignored"), true);
  EXPECT_NE(
      read_text(dir.path() / "ignored" / "sobol.csv").find("# WARNING: the inputs' rank correlations were ignored"),
      std::string::npos);

  const CliRun plain =
      test::run_symbiomc({"sensitivity", "--case", LINEAR_CASE, "--distributions", DATA + "/linear.csv", "--base-runs",
                          "256", "--quiet", "--out", dir.sub("plain")});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(read_text(dir.path() / "plain" / "sobol.json")).at("correlation_ignored"), false);

  // The driver itself refuses a correlated problem, naming the way out.
  const LoadedCase c(LINEAR_CASE, correlated);
  const Problem with = c.problem.with_correlation(read_correlations(DATA + "/correlated.corr.csv", c.problem));
  try {
    (void)run_sobol(c.model, with, sobol_config(256, SamplingMethod::mc));
    ADD_FAILURE() << "a correlated problem was accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("--ignore-correlation"), std::string::npos) << e.what();
  }
}

// ---- failed runs and constant outputs (tests/data/sampling/failing)

// Mode risky fails when x < 3, x ~ U[0, 10] (p = 0.3); the baseline never fails. A base sample's
// rows A, B, AB_x (x from B), AB_y (x from A) fail when x_A < 3 or x_B < 3, so a base sample is
// dropped with probability 1 - 0.7^2 = 0.51, and the failed rows number 2 (#x_A < 3) + 2 (#x_B < 3).
TEST(SobolFailures, BaseSampleWithAFailedRunIsDroppedWholeAndCountedNeverANaN) {
  const LoadedCase c(FAILING_CASE, FAILING_DIST);
  constexpr std::uint64_t N = 1u << 14;
  const SobolResult r = run_sobol(c.model, c.problem, sobol_config(N, SamplingMethod::mc, 9, WIDE_LEVEL));
  ASSERT_EQ(r.modes, (std::vector<std::string>{"base", "risky"}));
  EXPECT_EQ(r.dropped_base_samples[0], 0u);
  const double p_drop = 1.0 - 0.7 * 0.7;
  const std::uint64_t dropped = r.dropped_base_samples[1];
  EXPECT_NEAR(static_cast<double>(dropped), p_drop * N, K * std::sqrt(N * p_drop * (1 - p_drop)));
  EXPECT_EQ(r.estimates[0].n_base, N);
  EXPECT_EQ(r.estimates[1].n_base, N - dropped);

  const std::uint64_t failed_rows = r.failed_rows[1][static_cast<std::size_t>(RunStatus::negative_flow)];
  EXPECT_EQ(failed_rows % 2, 0u) << "each failing x fails two rows";
  EXPECT_NEAR(static_cast<double>(failed_rows), 4 * 0.3 * N, K * 2 * std::sqrt(2.0 * N * 0.3 * 0.7));
  for (std::size_t s = 0; s < RUN_STATUS_COUNT; ++s) {
    EXPECT_EQ(r.failed_rows[0][s], 0u);
    if (s != static_cast<std::size_t>(RunStatus::negative_flow)) {
      EXPECT_EQ(r.failed_rows[1][s], 0u);
    }
  }

  // No NaN anywhere, in the final estimates or the convergence rows.
  for (const auto* list : {&r.estimates, &r.convergence.front().modes})
    for (const auto& e : *list)
      for (const auto& o : e.outputs) {
        EXPECT_TRUE(std::isfinite(o.mean) && std::isfinite(o.variance));
        for (const auto* idx : {&o.first, &o.total})
          for (const auto& v : *idx)
            EXPECT_TRUE(std::isfinite(v.value) && std::isfinite(v.low) && std::isfinite(v.high));
      }

  // Dropping whole base samples leaves an unbiased design on x ~ U[3, 10], y ~ U[0, 10]:
  // for xy = x + 2y, S_x = (49/12) / (49/12 + 400/12) = 49/449 and S_y = 400/449, S1 = ST.
  // Dropping single rows instead would mix A and B rows of different populations.
  const std::size_t xy = 1;  // outputs of a mode in file order: x_out, xy, constant_out
  ASSERT_EQ(r.outputs[1][xy].output, "xy_MJ_per_h");
  const SobolOutputEstimates& risky = r.estimates[1].outputs[xy];
  const double sx = 49.0 / 449.0, sy = 400.0 / 449.0;
  EXPECT_TRUE(covers(risky.first[0], sx)) << describe(risky.first[0]);
  EXPECT_TRUE(covers(risky.total[0], sx)) << describe(risky.total[0]);
  EXPECT_TRUE(covers(risky.first[1], sy)) << describe(risky.first[1]);
  EXPECT_TRUE(covers(risky.total[1], sy)) << describe(risky.total[1]);
  EXPECT_NEAR(risky.mean, 6.5 + 10.0, K * std::sqrt((49.0 + 400.0) / 12.0 / (2.0 * static_cast<double>(N - dropped))));
  // The baseline sees every draw: S_x = 100/500.
  const SobolOutputEstimates& base = r.estimates[0].outputs[xy];
  EXPECT_TRUE(covers(base.first[0], 0.2)) << describe(base.first[0]);
  EXPECT_TRUE(covers(base.total[1], 0.8)) << describe(base.total[1]);
}

TEST(SobolFailures, CliReportsDroppedBaseSamplesAndNoNullIndex) {
  ScratchDir dir;
  const CliRun r = test::run_symbiomc({"sensitivity", "--case", FAILING_CASE, "--distributions", FAILING_DIST,
                                       "--base-runs", "2048", "--quiet", "--out", dir.sub("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = read_text(dir.path() / "out" / "sobol.json");
  EXPECT_EQ(text.find("null"), std::string::npos) << "a NaN reached sobol.json";
  const auto json = nlohmann::json::parse(text);
  const std::uint64_t dropped = json.at("failures").at("risky").at("dropped_base_samples");
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(json.at("failures").at("base").at("dropped_base_samples"), 0u);
  for (const auto& o : json.at("outputs")) {
    EXPECT_EQ(o.at("dropped_base_samples"), o.at("mode") == "risky" ? dropped : 0u);
    EXPECT_EQ(o.at("base_samples_used"), 2048u - o.at("dropped_base_samples").get<std::uint64_t>());
  }
  for (const auto& row : csv_rows(dir.path() / "out" / "sobol.csv"))
    for (std::size_t col = 5; col <= 10; ++col) EXPECT_FALSE(row.at(col).empty()) << "empty (NaN) cell in sobol.csv";
}

TEST(SobolZeroVariance, ConstantOutputIsReportedAsZeroVarianceWithZeroIndices) {
  const LoadedCase c(FAILING_CASE, FAILING_DIST);
  for (SamplingMethod method : {SamplingMethod::mc, SamplingMethod::qmc}) {
    SCOPED_TRACE(std::string(to_string(method)));
    const SobolResult r = run_sobol(c.model, c.problem, sobol_config(2048, method, 10));
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const std::size_t k = 2;
      ASSERT_EQ(r.outputs[m][k].output, "constant_out_1");
      const SobolOutputEstimates& est = r.estimates[m].outputs[k];
      EXPECT_TRUE(est.zero_variance) << r.modes[m];
      EXPECT_EQ(est.mean, 7.0);
      EXPECT_EQ(est.variance, 0.0);
      for (const auto* idx : {&est.first, &est.total})
        for (const auto& v : *idx) {
          EXPECT_EQ(v.value, 0.0);
          EXPECT_EQ(v.low, 0.0);
          EXPECT_EQ(v.high, 0.0);
          EXPECT_EQ(v.std_error, 0.0);
        }
      // The output next to it still varies.
      EXPECT_FALSE(r.estimates[m].outputs[1].zero_variance);
    }
  }
  ScratchDir dir;
  const CliRun cli = test::run_symbiomc({"sensitivity", "--case", FAILING_CASE, "--distributions", FAILING_DIST,
                                         "--base-runs", "512", "--quiet", "--out", dir.sub("out")});
  ASSERT_EQ(cli.code, 0) << cli.err;
  int constant_rows = 0;
  for (const auto& row : csv_rows(dir.path() / "out" / "sobol_outputs.csv"))
    if (row[1] == "constant_out_1") {
      ++constant_rows;
      EXPECT_EQ(row[7], "yes") << "zero_variance column";
    }
  EXPECT_EQ(constant_rows, 2);
  for (const auto& row : csv_rows(dir.path() / "out" / "sobol.csv")) {
    if (row[1] != "constant_out_1") continue;
    for (std::size_t col = 5; col <= 10; ++col) EXPECT_EQ(row[col], "0") << "column " << col;
  }
}

// ---- Morris

TEST(MorrisDriver, IshigamiRanksX1AndX2AboveX3ByMuStar) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  MorrisConfig config;
  // On the 4-level grid mu*(x2) = 7 * 0.75 / (2/3) = 7.875 exactly, and mu*(x1) ~ 7.7 and
  // mu*(x3) ~ 6.3 (SALib reports about the same): a gap of ~1.4 that 2000 trajectories resolve
  // at 4 standard errors (sd(|EE|) ~ 6 for x1 and x3).
  config.trajectories = 2000;
  config.seed = 12;
  const MorrisResult r = run_morris(model, problem, config);
  EXPECT_EQ(r.model_runs, 2000u * 4u);
  EXPECT_EQ(r.dropped_trajectories, std::vector<std::uint64_t>{0});
  const MorrisEstimates& e = r.estimates[0];
  const MorrisEffect& x3 = e.at(2, 0);
  for (std::size_t j : {0u, 1u}) {
    const MorrisEffect& xj = e.at(j, 0);
    EXPECT_EQ(xj.count, 2000u);
    EXPECT_GT(xj.mu_star - x3.mu_star, K * std::hypot(xj.mu_star_std_error, x3.mu_star_std_error))
        << "x" << j + 1 << " mu* " << xj.mu_star << " vs x3 " << x3.mu_star;
    EXPECT_LT(e.rank_by_mu_star[0][j], 3u);
  }
  EXPECT_EQ(e.rank_by_mu_star[0][2], 3u);
}

}  // namespace
}  // namespace symbiomc
