// Tests of Shapley effects (stats/shapley.hpp, studies/shapley_study.hpp) against closed forms:
// a linear model of correlated Gaussian inputs (exact Shapley value over all subsets, itself
// checked against Owen & Prieur's d = 2 and Iooss & Prieur's d = 3 formulas), Ishigami
// (Sh1 = S1 + S13/2, Sh2 = S2, Sh3 = S13/2) and Sobol' G (Sh_i = sum over u containing i of
// V_u / |u|, divided by V), each inside its interval and with interval coverage over 100 seeds;
// the exact conditional sampling of the Gaussian copula; effects summing to 1; merge, save and
// load; failed runs counted and dropped whole; and the same bits after a checkpoint and resume
// and with segments computed out of order. Statistical tolerances are written next to each check.

#include "symbiomc/studies/shapley_study.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "support/loaded_case.hpp"
#include "support/paths.hpp"
#include "support/random.hpp"
#include "support/scratch_dir.hpp"
#include "support/shuffled_scheduler.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/problem/correlation.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"
#include "symbiomc/stats/shapley.hpp"

namespace symbiomc {
namespace {

using test::LoadedCase;
using test::ScratchDir;

// Single-seed "truth inside the interval" checks use 99.99 % intervals (3.9 standard errors) so
// that a change of random streams does not fail a correct estimator; the 95 % intervals'
// calibration is what the coverage tests measure.
constexpr double WIDE_LEVEL = 0.9999;
constexpr double K = 4.0;  // other statistical checks: K standard errors

// ---- a linear model of Gaussian inputs, and its exact Shapley effects

class EmptyWorkspace final : public ModelWorkspace {};

/// y_k = sum_j beta_k[j] x_j: one mode "model", one output per coefficient vector.
class LinearModel final : public Model {
 public:
  explicit LinearModel(std::vector<std::vector<double>> betas) : betas_(std::move(betas)) {
    for (std::size_t j = 0; j < betas_.front().size(); ++j) inputs_.push_back({"x" + std::to_string(j + 1), "1", 0.0});
    for (std::size_t k = 0; k < betas_.size(); ++k) outputs_.push_back({"model", "y" + std::to_string(k + 1), "1", 0});
  }
  const std::vector<ModelInput>& inputs() const noexcept override { return inputs_; }
  const std::vector<ModelOutput>& outputs() const noexcept override { return outputs_; }
  const std::vector<std::string>& modes() const noexcept override { return modes_; }
  std::unique_ptr<ModelWorkspace> make_workspace(std::size_t) const override {
    return std::make_unique<EmptyWorkspace>();
  }
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace&, std::span<double> y,
                std::span<RunStatus> status) const override {
    const std::size_t d = inputs_.size(), k = betas_.size();
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t o = 0; o < k; ++o) {
        double sum = 0.0;
        for (std::size_t j = 0; j < d; ++j) sum += betas_[o][j] * x[r * d + j];
        y[r * k + o] = sum;
      }
      status[r] = RunStatus::ok;
    }
  }

 private:
  std::vector<std::vector<double>> betas_;
  std::vector<ModelInput> inputs_;
  std::vector<ModelOutput> outputs_;
  std::vector<std::string> modes_{"model"};
};

struct GaussianInputs {
  std::vector<double> means, sds;
  std::vector<CorrelationPair> pairs;  ///< Spearman's rho_s; a, b indices
};

Problem gaussian_problem(const GaussianInputs& in) {
  std::vector<UncertainParameter> params;
  for (std::size_t j = 0; j < in.means.size(); ++j) {
    UncertainParameter p;
    p.name = "x" + std::to_string(j + 1);
    p.unit = "1";
    p.dist = Normal(in.means[j], in.sds[j]);
    p.group = p.name;
    p.case_index = j;
    params.push_back(std::move(p));
  }
  Problem problem("gaussian", 0, std::move(params), {});
  if (in.pairs.empty()) return problem;
  return problem.with_correlation(RankCorrelation(in.means.size(), in.pairs));
}

/// Cov(X): sd_i sd_j rho_ij, rho the normal-score (here: Pearson) correlation of the copula.
Eigen::MatrixXd covariance(const GaussianInputs& in) {
  const auto d = static_cast<Eigen::Index>(in.sds.size());
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(d, d);
  for (const auto& p : in.pairs) {
    r(static_cast<Eigen::Index>(p.a), static_cast<Eigen::Index>(p.b)) = spearman_to_pearson(p.rank_correlation);
    r(static_cast<Eigen::Index>(p.b), static_cast<Eigen::Index>(p.a)) = spearman_to_pearson(p.rank_correlation);
  }
  const Eigen::VectorXd sd = Eigen::Map<const Eigen::VectorXd>(in.sds.data(), d);
  return sd.asDiagonal() * r * sd.asDiagonal();
}

/// Exact Shapley effects of y = beta' X, X ~ N(mu, sigma), by the definition over all subsets
/// with Song et al.'s cost c(J) = E[Var(Y | X_-J)] = beta_J' (S_JJ - S_J,-J S_-J,-J^-1 S_-J,J) beta_J.
std::vector<double> exact_linear_shapley(const std::vector<double>& beta, const Eigen::MatrixXd& sigma) {
  const std::size_t d = beta.size();
  auto cost = [&](unsigned mask) {
    std::vector<Eigen::Index> in, out;
    for (std::size_t j = 0; j < d; ++j) ((mask >> j) & 1u ? in : out).push_back(static_cast<Eigen::Index>(j));
    if (in.empty()) return 0.0;
    Eigen::MatrixXd s_jj = sigma(in, in);
    Eigen::VectorXd b(static_cast<Eigen::Index>(in.size()));
    for (std::size_t a = 0; a < in.size(); ++a) b(static_cast<Eigen::Index>(a)) = beta[static_cast<std::size_t>(in[a])];
    if (!out.empty())
      s_jj -= sigma(in, out) * Eigen::MatrixXd(sigma(out, out)).llt().solve(Eigen::MatrixXd(sigma(out, in)));
    return b.dot(s_jj * b);
  };
  const double v = cost((1u << d) - 1);
  std::vector<double> factorial(d + 1, 1.0);
  for (std::size_t n = 1; n <= d; ++n) factorial[n] = factorial[n - 1] * static_cast<double>(n);
  std::vector<double> sh(d, 0.0);
  for (std::size_t i = 0; i < d; ++i)
    for (unsigned mask = 0; mask < (1u << d); ++mask) {
      if ((mask >> i) & 1u) continue;
      const auto s = static_cast<std::size_t>(std::popcount(mask));
      sh[i] += factorial[s] * factorial[d - s - 1] / factorial[d] * (cost(mask | (1u << i)) - cost(mask));
    }
  for (double& x : sh) x /= v;
  return sh;
}

/// Sobol' G with independent inputs: Sh_i = sum_{u containing i} prod_{j in u} V_j / |u| / V.
std::vector<double> exact_sobol_g_shapley(const std::vector<double>& a) {
  const std::size_t d = a.size();
  std::vector<double> vi(d);
  for (std::size_t j = 0; j < d; ++j) vi[j] = 1.0 / (3.0 * (1.0 + a[j]) * (1.0 + a[j]));
  double v = 1.0;
  for (double x : vi) v *= 1.0 + x;
  v -= 1.0;
  std::vector<double> sh(d, 0.0);
  for (unsigned mask = 1; mask < (1u << d); ++mask) {
    double vu = 1.0;
    for (std::size_t j = 0; j < d; ++j)
      if ((mask >> j) & 1u) vu *= vi[j];
    const double share = vu / std::popcount(mask) / v;
    for (std::size_t j = 0; j < d; ++j)
      if ((mask >> j) & 1u) sh[j] += share;
  }
  return sh;
}

CorrelationPair pair(std::size_t a, std::size_t b, double rank_correlation) {
  CorrelationPair p;
  p.a = a;
  p.b = b;
  p.rank_correlation = rank_correlation;
  return p;
}

// d = 5: x1-x2-x4-x5 chained by rank correlations, x3 independent; y1 uses every input,
// y2 only x1 (which then shares its variance with the inputs correlated with it).
const GaussianInputs FIVE = {
    {10, -2, 0, 5, 1}, {1, 0.5, 2, 1.5, 0.7}, {pair(0, 1, 0.7), pair(1, 3, -0.3), pair(3, 4, 0.5)}};
const std::vector<std::vector<double>> FIVE_BETAS = {{1, 2, -1.5, 0.8, 3}, {1, 0, 0, 0, 0}};

ShapleyConfig config(std::uint64_t permutations, std::uint64_t variance_runs, std::uint64_t seed, double level = 0.95) {
  ShapleyConfig c;
  c.permutations = permutations;
  c.variance_runs = variance_runs;
  c.seed = seed;
  c.conf_level = level;
  return c;
}

bool covers(const IndexEstimate& e, double truth) { return e.low <= truth && truth <= e.high; }

// ---- the closed-form oracle itself

TEST(ShapleyOracle, LinearShapleyMatchesOwenPrieurForTwoAndIoossPrieurForThreeInputs) {
  // d = 2, unit variances (Owen & Prieur 2017; Iooss & Prieur 2019 eq. for the linear model):
  // Sh1 V = b1^2 (1 - rho^2/2) + rho b1 b2 + b2^2 rho^2/2.
  const double rho_s = 0.6, rho = spearman_to_pearson(rho_s), b1 = 1.5, b2 = -0.7;
  const GaussianInputs two = {{0, 0}, {1, 1}, {pair(0, 1, rho_s)}};
  const std::vector<double> sh2 = exact_linear_shapley({b1, b2}, covariance(two));
  const double v2 = b1 * b1 + 2 * rho * b1 * b2 + b2 * b2;
  EXPECT_NEAR(sh2[0], (b1 * b1 * (1 - rho * rho / 2) + rho * b1 * b2 + b2 * b2 * rho * rho / 2) / v2, 1e-12);
  EXPECT_NEAR(sh2[0] + sh2[1], 1.0, 1e-12);
  // d = 3, X1 independent of (X2, X3) with correlation rho and sds s (Iooss & Prieur 2019, 3.2):
  // Sh1 = b1^2 s1^2 / V, Sh2 = (b2^2 s2^2 (1 - rho^2/2) + rho b2 b3 s2 s3 + b3^2 s3^2 rho^2/2) / V.
  const std::vector<double> b = {0.5, 1.0, 2.0}, s = {2.0, 1.5, 0.8};
  const GaussianInputs three = {{0, 0, 0}, {s[0], s[1], s[2]}, {pair(1, 2, rho_s)}};
  const std::vector<double> sh3 = exact_linear_shapley(b, covariance(three));
  const double v3 = b[0] * b[0] * s[0] * s[0] + b[1] * b[1] * s[1] * s[1] + b[2] * b[2] * s[2] * s[2] +
                    2 * rho * b[1] * b[2] * s[1] * s[2];
  EXPECT_NEAR(sh3[0], b[0] * b[0] * s[0] * s[0] / v3, 1e-12);
  EXPECT_NEAR(sh3[1],
              (b[1] * b[1] * s[1] * s[1] * (1 - rho * rho / 2) + rho * b[1] * b[2] * s[1] * s[2] +
               b[2] * b[2] * s[2] * s[2] * rho * rho / 2) /
                  v3,
              1e-12);
  EXPECT_NEAR(sh3[0] + sh3[1] + sh3[2], 1.0, 1e-12);
}

// ---- exact conditional sampling

TEST(ShapleyConditional, GainAndCholeskyAreTheGaussianConditionalLaw) {
  const RankCorrelation copula(4, {pair(0, 1, 0.5), pair(1, 2, -0.4), pair(0, 3, 0.3)});
  const std::vector<double>& r = copula.normal_score_correlation();
  const std::vector<std::size_t> free = {1, 3};
  const ConditionalNormalScores c = copula.conditional(free);
  ASSERT_EQ(c.given, (std::vector<std::size_t>{0, 2}));
  // gain R_BB = R_AB and L L^T = R_AA - gain R_BA, entry by entry.
  for (std::size_t a = 0; a < 2; ++a) {
    for (std::size_t b = 0; b < 2; ++b) {
      double lhs = 0.0;
      for (std::size_t t = 0; t < 2; ++t) lhs += c.gain[a * 2 + t] * r[c.given[t] * 4 + c.given[b]];
      EXPECT_NEAR(lhs, r[free[a] * 4 + c.given[b]], 1e-14);
    }
    for (std::size_t a2 = 0; a2 < 2; ++a2) {
      double llt = 0.0, explained = 0.0;
      for (std::size_t t = 0; t < 2; ++t) llt += c.cholesky[a * 2 + t] * c.cholesky[a2 * 2 + t];
      for (std::size_t t = 0; t < 2; ++t) explained += c.gain[a * 2 + t] * r[c.given[t] * 4 + free[a2]];
      EXPECT_NEAR(llt, r[free[a] * 4 + free[a2]] - explained, 1e-14);
    }
  }
  EXPECT_THROW((void)copula.conditional(std::vector<std::size_t>{3, 1}), std::invalid_argument);
  EXPECT_THROW((void)copula.conditional(std::vector<std::size_t>{4}), std::invalid_argument);
}

TEST(ShapleyDesign, InnerDrawsFollowTheConditionalLawGivenTheOuterDraw) {
  // Two standard normals with normal-score correlation rho: at the first step of a
  // permutation, J = {order[0]}; its inner draws given the other input's outer value x_o must
  // have mean rho x_o and variance 1 - rho^2. Regression over 20000 permutations, 3 draws each.
  const GaussianInputs two = {{0, 0}, {1, 1}, {pair(0, 1, 0.7)}};
  const Problem problem = gaussian_problem(two);
  const double rho = spearman_to_pearson(0.7);
  const ShapleyDesign design(problem, 1, 3);
  ASSERT_EQ(design.rows_per_permutation(), 3u);
  ShapleyDesign::Scratch scratch = design.make_scratch();
  std::vector<std::size_t> order(2);
  std::vector<double> x(3 * 2);
  double sxx = 0, sxy = 0, syy = 0;
  std::size_t n = 0, first_counts[2] = {0, 0};
  for (std::uint64_t p = 0; p < 20000; ++p) {
    Engine engine = make_engine(3, Stream::shapley_permutation, p);
    design.permutation(engine, order, x, scratch);
    ++first_counts[order[0]];
    const std::size_t j = order[0], o = order[1];
    for (std::size_t h = 0; h < 3; ++h) {
      EXPECT_EQ(x[h * 2 + o], x[o]) << "the outer draw is shared by the inner draws";
      sxx += x[o] * x[o];
      sxy += x[o] * x[h * 2 + j];
      syy += x[h * 2 + j] * x[h * 2 + j];
      ++n;
    }
    EXPECT_NE(x[j], x[2 + j]) << "inner draws differ";
  }
  const double slope = sxy / sxx;
  const double residual = (syy - slope * sxy) / static_cast<double>(n - 1);
  // se(slope) ~ sqrt((1 - rho^2) / n) (x_o repeated 3 times: sqrt(3) more); var of a variance ~ sqrt(2/n).
  EXPECT_NEAR(slope, rho, K * std::sqrt(3 * (1 - rho * rho) / static_cast<double>(n)));
  EXPECT_NEAR(residual, 1 - rho * rho, K * (1 - rho * rho) * std::sqrt(2.0 * 3 / static_cast<double>(n)));
  // Uniform permutations: each input first half of the time (binomial sd 71).
  EXPECT_NEAR(static_cast<double>(first_counts[0]), 10000.0, K * 71);
}

// ---- estimates against closed forms

void expect_inside(const ShapleyOutputEstimates& est, const std::vector<double>& truth, const std::string& label) {
  ASSERT_EQ(est.effects.size(), truth.size());
  for (std::size_t j = 0; j < truth.size(); ++j)
    EXPECT_TRUE(covers(est.effects[j], truth[j]))
        << label << " x" << j + 1 << " truth " << truth[j] << ": " << est.effects[j].value << " [" << est.effects[j].low
        << ", " << est.effects[j].high << "]";
  EXPECT_NEAR(est.sum_effects, 1.0, 1e-12) << label;
}

TEST(ShapleyEffects, LinearCorrelatedGaussianEffectsLieInsideTheirIntervals) {
  const LinearModel model(FIVE_BETAS);
  const Problem problem = gaussian_problem(FIVE);
  const ShapleyResult r = run_shapley(model, problem, config(40000, 200000, 1, WIDE_LEVEL));
  ASSERT_EQ(r.estimates.size(), 1u);
  EXPECT_EQ(r.permutation_runs, 4u * 3u);
  EXPECT_EQ(r.model_runs, 200000u + 40000u * 12u);
  for (std::size_t k = 0; k < FIVE_BETAS.size(); ++k) {
    const std::vector<double> truth = exact_linear_shapley(FIVE_BETAS[k], covariance(FIVE));
    expect_inside(r.estimates[0].outputs.at(k), truth, "linear y" + std::to_string(k + 1));
    // y2 = x1 only: its correlated neighbours still get a share (Shapley, unlike a Sobol' index).
    if (k == 1) {
      EXPECT_GT(truth[1], 0.1);
    }
  }
  // Exact variance: beta' Sigma beta, within K standard errors of V^.
  const auto& y1 = r.estimates[0].outputs[0];
  const Eigen::Map<const Eigen::VectorXd> b(FIVE_BETAS[0].data(), 5);
  EXPECT_NEAR(y1.variance, b.dot(covariance(FIVE) * b), K * y1.variance_std_error);
}

TEST(ShapleyEffects, IshigamiEffectsAreFirstOrderPlusHalfTheInteraction) {
  const IshigamiModel model(7.0, 0.1);
  const Problem problem = uniform_problem(model, "test");
  const AnalyticIndices s = ishigami_indices(7.0, 0.1);
  const double s13 = s.second[pair_index(0, 2, 3)];
  const std::vector<double> truth = {s.first[0] + s13 / 2, s.first[1], s13 / 2};
  EXPECT_NEAR(truth[0] + truth[1] + truth[2], 1.0, 1e-12);
  EXPECT_NEAR(truth[1], 0.4424, 1e-4);
  const ShapleyResult r = run_shapley(model, problem, config(100000, 200000, 2, WIDE_LEVEL));
  expect_inside(r.estimates[0].outputs.at(0), truth, "ishigami");
  EXPECT_EQ(r.estimates[0].outputs[0].by_effect.back(), 2u) << "x3 ranks last";
}

TEST(ShapleyEffects, SobolGEffectsShareEachInteractionEquallyAmongItsInputs) {
  const std::vector<double> a = {0, 1, 4.5, 9, 99};
  const SobolGModel model(a);
  const Problem problem = uniform_problem(model, "test");
  const ShapleyResult r = run_shapley(model, problem, config(40000, 200000, 3, WIDE_LEVEL));
  expect_inside(r.estimates[0].outputs.at(0), exact_sobol_g_shapley(a), "sobol-g");
}

// ---- coverage of the 95 % intervals over 100 seeds

// Each repetition is a whole study at modest M; pooled over parameters (and outputs) the
// coverage must lie in [0.90, 0.99] of the intervals (with true 95 % coverage of 400-1000
// intervals, outside that band has probability < 1e-5), and each parameter alone must reach
// 85 of 100 (binomial tail < 1e-3 at 95 %), which still catches intervals too narrow by ~1.5.
void check_coverage(const Model& model, const Problem& problem, const std::vector<std::vector<double>>& truths,
                    std::uint64_t permutations, const std::string& label) {
  constexpr int REPS = 100;
  const std::size_t d = truths.front().size();
  std::vector<int> hits(truths.size() * d, 0);
  for (int seed = 1; seed <= REPS; ++seed) {
    const ShapleyResult r = run_shapley(model, problem, config(permutations, 20000, static_cast<std::uint64_t>(seed)));
    for (std::size_t k = 0; k < truths.size(); ++k)
      for (std::size_t j = 0; j < d; ++j)
        hits[k * d + j] += covers(r.estimates[0].outputs[k].effects[j], truths[k][j]) ? 1 : 0;
  }
  const int pooled = std::accumulate(hits.begin(), hits.end(), 0);
  const int intervals = static_cast<int>(hits.size()) * REPS;
  std::cout << "[ info ] coverage of 95 % intervals, " << label << ", " << REPS << " seeds at M = " << permutations
            << ": pooled " << pooled << "/" << intervals << " =" << 100.0 * pooled / intervals << " %; per input";
  for (int h : hits) std::cout << " " << h;
  std::cout << "\n";
  EXPECT_GE(pooled, (90 * intervals) / 100) << label;
  EXPECT_LE(pooled, (99 * intervals) / 100) << label;
  for (int h : hits) EXPECT_GE(h, 85) << label;
}

TEST(ShapleyCoverage, LinearCorrelatedGaussianIntervalsCoverTheTruth) {
  const LinearModel model(FIVE_BETAS);
  std::vector<std::vector<double>> truths;
  for (const auto& beta : FIVE_BETAS) truths.push_back(exact_linear_shapley(beta, covariance(FIVE)));
  check_coverage(model, gaussian_problem(FIVE), truths, 2000, "linear gaussian, d = 5, 3 correlated pairs");
}

TEST(ShapleyCoverage, IshigamiIntervalsCoverTheTruth) {
  const IshigamiModel model(7.0, 0.1);
  const AnalyticIndices s = ishigami_indices(7.0, 0.1);
  const double s13 = s.second[pair_index(0, 2, 3)];
  check_coverage(model, uniform_problem(model, "test"), {{s.first[0] + s13 / 2, s.first[1], s13 / 2}}, 4000,
                 "ishigami");
}

// ---- the accumulator

TEST(ShapleyAccumulator, MergedHalvesEqualOneAccumulatorAndSaveLoadRoundTrips) {
  const std::size_t d = 3, k = 2, rows = (d - 1) * 3;
  test::TestEngine engine(5);
  ShapleyAccumulator whole(d, k, 1, 3), first(d, k, 1, 3), second(d, k, 1, 3);
  std::vector<double> y(rows * k);
  std::vector<std::size_t> order = {0, 1, 2};
  for (int p = 0; p < 200; ++p) {
    for (double& v : y) v = test::open_uniform(engine) * 10;
    test::shuffle(order, engine);
    whole.add_permutation(order, y);
    (p < 120 ? first : second).add_permutation(order, y);
    whole.add_variance_run(std::span<const double>(y.data(), k));
    (p < 70 ? first : second).add_variance_run(std::span<const double>(y.data(), k));
  }
  first.merge(second);
  const ShapleyEstimates a = whole.finalize(0.9), b = first.finalize(0.9);
  ASSERT_EQ(a.outputs.size(), k);
  EXPECT_EQ(b.permutations, 200u);
  EXPECT_EQ(b.variance_runs, 200u);
  for (std::size_t o = 0; o < k; ++o) {
    EXPECT_NEAR(a.outputs[o].variance, b.outputs[o].variance, 1e-12 * a.outputs[o].variance);
    EXPECT_NEAR(a.outputs[o].variance_std_error, b.outputs[o].variance_std_error, 1e-9 * a.outputs[o].variance);
    for (std::size_t i = 0; i < d; ++i) {
      EXPECT_NEAR(a.outputs[o].effects[i].value, b.outputs[o].effects[i].value, 1e-12);
      EXPECT_NEAR(a.outputs[o].effects[i].std_error, b.outputs[o].effects[i].std_error, 1e-12);
    }
    EXPECT_NEAR(b.outputs[o].sum_effects, 1.0, 1e-12);
  }
  ByteWriter out;
  first.save(out);
  ByteReader in(out.bytes(), "test");
  const ShapleyAccumulator back = ShapleyAccumulator::load(in);
  in.expect_end();
  const ShapleyEstimates c = back.finalize(0.9);
  for (std::size_t o = 0; o < k; ++o)
    for (std::size_t i = 0; i < d; ++i) EXPECT_EQ(c.outputs[o].effects[i], b.outputs[o].effects[i]);
  ByteReader truncated(std::string_view(out.bytes()).substr(0, out.bytes().size() - 3), "test");
  EXPECT_THROW((void)ShapleyAccumulator::load(truncated), InputError);
}

// Found by the checkpoint fuzzer in CI: a state claiming 2^24 inputs and outputs asked the
// allocator for 2^48 doubles before reading the sums. The shape must be refused, as a
// message, by the bytes that follow it.
TEST(ShapleyAccumulator, ShapeLargerThanTheStateIsRefusedBeforeAllocating) {
  ByteWriter out;
  out.u64(std::uint64_t{1} << 24);  // inputs
  out.u64(std::uint64_t{1} << 24);  // outputs
  out.u64(1);                       // outer
  out.u64(2);                       // inner
  out.u64(0);                       // permutations
  for (int i = 0; i < 16; ++i) out.u64(0);
  ByteReader in(out.bytes(), "hostile.checkpoint");
  try {
    (void)ShapleyAccumulator::load(in);
    FAIL() << "a 2^24 x 2^24 shape in a 168-byte state was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("hostile.checkpoint"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Shapley sums"), std::string::npos) << e.what();
  }
}

TEST(ShapleyAccumulator, ConstantOutputIsZeroVarianceAndShapesAreChecked) {
  ShapleyAccumulator acc(2, 1, 1, 3);
  const std::vector<double> y(3, 7.0);
  for (int p = 0; p < 10; ++p) {
    acc.add_permutation(std::vector<std::size_t>{static_cast<std::size_t>(p % 2), static_cast<std::size_t>(1 - p % 2)},
                        y);
    acc.add_variance_run(std::span<const double>(y.data(), 1));
  }
  const ShapleyEstimates e = acc.finalize(0.95);
  ASSERT_EQ(e.outputs.size(), 1u);
  EXPECT_TRUE(e.outputs[0].zero_variance);
  for (const auto& sh : e.outputs[0].effects) EXPECT_EQ(sh, IndexEstimate{});
  EXPECT_EQ(ShapleyAccumulator(2, 1, 1, 3).finalize(0.95).outputs.size(), 0u) << "no permutation yet";
  EXPECT_THROW(acc.add_permutation(std::vector<std::size_t>{0}, y), ModelError);
  EXPECT_THROW(acc.merge(ShapleyAccumulator(3, 1, 1, 3)), ModelError);
  EXPECT_THROW(ShapleyAccumulator(2, 1, 1, 1), ModelError);
  EXPECT_THROW((void)acc.finalize(1.0), ModelError);
}

// ---- failed runs (tests/data/sampling/failing: mode risky fails when x < 3, x, y ~ U[0, 10])

// A permutation has 3 runs: when x comes first, x is drawn three times (inner) and the
// permutation survives with probability 0.7^3; when y comes first, x is the one outer draw
// (0.7). So P(dropped) = 1 - (0.343 + 0.7) / 2, and the failed runs number 0.9 per permutation
// on average (variance 1.26) plus 0.3 per variance run.
TEST(ShapleyFailures, PermutationWithAFailedRunIsDroppedWholeAndCountedNeverANaN) {
  const LoadedCase c(test::SAMPLING_DATA + "/failing", test::SAMPLING_DATA + "/failing.csv");
  constexpr std::uint64_t M = 1u << 14, NV = 1u << 14;
  const ShapleyResult r = run_shapley(c.model, c.problem, config(M, NV, 9, WIDE_LEVEL));
  ASSERT_EQ(r.modes, (std::vector<std::string>{"base", "risky"}));
  EXPECT_EQ(r.dropped_permutations[0], 0u);
  EXPECT_EQ(r.dropped_variance_runs[0], 0u);
  const double p_drop = 1.0 - (0.343 + 0.7) / 2;
  EXPECT_NEAR(static_cast<double>(r.dropped_permutations[1]), p_drop * M, K * std::sqrt(M * p_drop * (1 - p_drop)));
  EXPECT_NEAR(static_cast<double>(r.dropped_variance_runs[1]), 0.3 * NV, K * std::sqrt(NV * 0.21));
  EXPECT_EQ(r.estimates[1].permutations, M - r.dropped_permutations[1]);
  EXPECT_EQ(r.estimates[1].variance_runs, NV - r.dropped_variance_runs[1]);
  const std::uint64_t failed = r.failed_runs[1][static_cast<std::size_t>(RunStatus::negative_flow)];
  EXPECT_NEAR(static_cast<double>(failed), 0.9 * M + 0.3 * NV, K * std::sqrt(1.26 * M + 0.21 * NV));
  for (std::size_t s = 0; s < RUN_STATUS_COUNT; ++s) {
    EXPECT_EQ(r.failed_runs[0][s], 0u);
    if (s != static_cast<std::size_t>(RunStatus::negative_flow)) {
      EXPECT_EQ(r.failed_runs[1][s], 0u);
    }
  }
  for (const auto& e : r.estimates)
    for (const auto& o : e.outputs)
      for (const auto& sh : o.effects)
        EXPECT_TRUE(std::isfinite(sh.value) && std::isfinite(sh.low) && std::isfinite(sh.high));
  // xy = x + 2y is additive, so every kept permutation credits x with Var(x) whatever its
  // place: on the runs that succeed (x ~ U[3, 10]) Sh_x = 49/449; the baseline sees x ~ U[0, 10].
  ASSERT_EQ(r.outputs[1][1].output, "xy_MJ_per_h");
  EXPECT_TRUE(covers(r.estimates[1].outputs[1].effects[0], 49.0 / 449.0));
  EXPECT_TRUE(covers(r.estimates[0].outputs[1].effects[0], 0.2));
  EXPECT_TRUE(r.estimates[1].outputs[2].zero_variance) << "constant_out_1";
}

// ---- the same bits for any thread count, after a resume, and with segments out of order

using test::ShuffledScheduler;

std::string result_bytes(const ShapleyResult& r) {
  ByteWriter out;
  out.u64(r.model_runs);
  out.u64s(r.dropped_permutations);
  for (const auto& e : r.estimates) {
    out.u64(e.permutations);
    out.u64(e.variance_runs);
    for (const auto& o : e.outputs) {
      out.f64(o.mean);
      out.f64(o.variance);
      out.f64(o.variance_std_error);
      for (const auto& sh : o.effects) {
        out.f64(sh.value);
        out.f64(sh.low);
        out.f64(sh.high);
      }
    }
  }
  return out.take();
}

ShapleyConfig small_biomass_config() {
  ShapleyConfig c = config(300, 3000, 13);
  c.permutation_block = 8;
  c.variance_block = 512;
  c.segment_blocks = 3;
  return c;
}

TEST(ShapleyReproducibility, SameBitsForOneTwoAndFourThreadsOutOfOrderSegmentsAndAfterAResume) {
  const LoadedCase c(test::BIOMASS_CASE, test::BIOMASS_DISTRIBUTIONS);
  const Problem problem =
      c.problem.with_correlation(read_correlations(test::TEST_DATA + "/shapley/biomass.corr.csv", c.problem));
  auto run_at = [&](int threads, ShapleyConfig cfg) {
    // The outer limit first, so the arena really gets `threads` slots on a smaller machine.
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    tbb::task_arena arena(threads);
    ShapleyResult r;
    arena.execute([&] { r = run_shapley(c.model, problem, cfg); });
    return r;
  };
  const ShapleyResult whole = run_at(1, small_biomass_config());
  ASSERT_EQ(whole.model_runs, 3000u + 300u * 48u * 3u);
  for (const auto& e : whole.estimates)
    for (const auto& o : e.outputs)
      if (!o.zero_variance) {
        EXPECT_NEAR(o.sum_effects, 1.0, 1e-12);
      }
  const std::string bytes = result_bytes(whole);
  for (int threads : {2, 4}) EXPECT_EQ(result_bytes(run_at(threads, small_biomass_config())), bytes) << threads;

  ShapleyConfig shuffled = small_biomass_config();
  ShuffledScheduler scheduler;
  shuffled.scheduler = &scheduler;
  EXPECT_EQ(result_bytes(run_shapley(c.model, problem, shuffled)), bytes) << "segments computed out of order";

  const ScratchDir dir;
  ShapleyConfig first = small_biomass_config();
  std::atomic<bool> cancel{false};
  int folds = 0;
  first.cancel = &cancel;
  first.progress = [&](std::uint64_t, std::uint64_t) { cancel = ++folds >= 4; };
  first.checkpoint.path = dir.sub("sh.ckpt");
  EXPECT_THROW((void)run_shapley(c.model, problem, first), RunInterrupted);
  ShapleyConfig second = small_biomass_config();
  second.checkpoint.resume_path = dir.sub("sh.ckpt");
  EXPECT_EQ(result_bytes(run_at(2, second)), bytes) << "interrupted and resumed";
  ShapleyConfig other = small_biomass_config();
  other.checkpoint.resume_path = dir.sub("sh.ckpt");
  other.permutations = 301;
  EXPECT_THROW((void)run_shapley(c.model, problem, other), InputError) << "another study's checkpoint";
}

}  // namespace
}  // namespace symbiomc
