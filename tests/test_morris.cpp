// Tests of the Morris trajectory design (grid, one move per factor, reproducibility) and of the
// elementary-effect accumulator (exact on linear models, merge, rankings on Ishigami and G).

#include "symbiomc/stats/morris.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/seed_seq.hpp>

#include "symbiomc/base/error.hpp"
#include "symbiomc/model/analytic_models.hpp"

namespace symbiomc {
namespace {

// The driver seeds one engine per trajectory from (seed, stream, trajectory index); imitate it.
boost::random::mt19937_64 trajectory_engine(std::uint64_t seed, std::size_t t) {
  boost::random::seed_seq seq{static_cast<std::uint32_t>(seed), 7u, static_cast<std::uint32_t>(t)};
  return boost::random::mt19937_64(seq);
}

// Serial Morris driver: r trajectories, unit points mapped to the model's uniform bounds.
MorrisAccumulator run_morris(const AnalyticModel& model, const MorrisDesign& design, std::size_t r, std::uint64_t seed,
                             std::size_t first_trajectory = 0) {
  const auto bounds = model.input_bounds();
  const std::size_t d = bounds.size();
  std::vector<double> points((d + 1) * d), x((d + 1) * d), y(d + 1), step(d);
  std::vector<std::size_t> changed(d);
  std::vector<RunStatus> status(d + 1);
  auto workspace = model.make_workspace(d + 1);
  MorrisAccumulator acc(d, 1);
  for (std::size_t t = first_trajectory; t < first_trajectory + r; ++t) {
    auto engine = trajectory_engine(seed, t);
    design.trajectory(engine, points, changed, step);
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto& [low, high] = bounds[i % d];
      x[i] = low + (high - low) * points[i];
    }
    model.evaluate(x, d + 1, *workspace, y, status);
    acc.add(y, changed, step);
  }
  return acc;
}

TEST(MorrisDesign, TrajectoryMovesEachFactorOnceOnTheGrid) {
  constexpr std::size_t D = 5;
  for (const auto map : {MorrisLevelMap::clamped_grid, MorrisLevelMap::cell_centres}) {
    const MorrisDesign design(D, 6, map);
    const double expected_step = map == MorrisLevelMap::clamped_grid ? 6.0 / 10.0 : 0.5;
    EXPECT_DOUBLE_EQ(design.grid_delta(), 0.6);
    std::vector<double> points((D + 1) * D), step(D);
    std::vector<std::size_t> changed(D);
    for (std::size_t t = 0; t < 200; ++t) {
      auto engine = trajectory_engine(1, t);
      design.trajectory(engine, points, changed, step);
      std::vector<std::size_t> sorted = changed;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t j = 0; j < D; ++j) ASSERT_EQ(sorted[j], j);
      for (const double u : points) {
        ASSERT_GT(u, 0.0);
        ASSERT_LT(u, 1.0);
        bool on_grid = false;
        for (std::size_t k = 0; k < design.levels(); ++k) on_grid = on_grid || u == design.level_value(k);
        ASSERT_TRUE(on_grid) << u;
      }
      for (std::size_t m = 0; m < D; ++m) {
        for (std::size_t j = 0; j < D; ++j) {
          const double before = points[m * D + j], after = points[(m + 1) * D + j];
          if (j == changed[m]) {
            ASSERT_EQ(after - before, step[m]);
          } else {
            ASSERT_EQ(after, before);
          }
        }
        ASSERT_NEAR(std::abs(step[m]), expected_step, 2e-12);
      }
    }
  }
}

TEST(MorrisDesign, StartLevelsAndDirectionsAreUniform) {
  // Each of the p levels should start a factor with probability 1/p; check within 5 sd.
  constexpr std::size_t D = 3, T = 4000, P = 4;
  const MorrisDesign design(D, P);
  std::vector<std::size_t> counts(P, 0);
  std::size_t upward = 0;
  std::vector<double> points((D + 1) * D), step(D);
  std::vector<std::size_t> changed(D);
  for (std::size_t t = 0; t < T; ++t) {
    auto engine = trajectory_engine(2, t);
    design.trajectory(engine, points, changed, step);
    for (std::size_t j = 0; j < D; ++j) {
      for (std::size_t k = 0; k < P; ++k) counts[k] += points[j] == design.level_value(k) ? 1 : 0;
    }
    for (const double s : step) upward += s > 0 ? 1 : 0;
  }
  const double n = static_cast<double>(T * D);
  for (std::size_t k = 0; k < P; ++k) {
    EXPECT_NEAR(static_cast<double>(counts[k]) / n, 1.0 / P, 5.0 * std::sqrt(0.25 * 0.75 / n)) << "level " << k;
  }
  EXPECT_NEAR(static_cast<double>(upward) / n, 0.5, 5.0 * std::sqrt(0.25 / n));
}

TEST(MorrisDesign, SameEngineSeedGivesSameTrajectory) {
  const MorrisDesign design(4);
  std::vector<double> p1(20), p2(20), s1(4), s2(4);
  std::vector<std::size_t> c1(4), c2(4);
  auto e1 = trajectory_engine(9, 3), e2 = trajectory_engine(9, 3);
  design.trajectory(e1, p1, c1, s1);
  design.trajectory(e2, p2, c2, s2);
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(c1, c2);
  EXPECT_EQ(s1, s2);
  auto e3 = trajectory_engine(9, 4);
  design.trajectory(e3, p2, c2, s2);
  EXPECT_NE(p1, p2);
}

TEST(MorrisDesign, RejectsOddOrTooFewLevels) {
  try {
    MorrisDesign design(3, 5);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "Morris levels: expected an even number >= 2, got 5");
  }
  EXPECT_THROW(MorrisDesign(3, 0), InputError);
  EXPECT_THROW(MorrisDesign(0, 4), ModelError);
  const MorrisDesign design(2);
  std::vector<double> points(5), step(2);
  std::vector<std::size_t> changed(2);
  auto engine = trajectory_engine(1, 1);
  EXPECT_THROW(design.trajectory(engine, points, changed, step), ModelError);
}

// y = sum_j c_j u_j in unit coordinates: every elementary effect equals c_j exactly.
TEST(MorrisAccumulator, LinearModelHasExactEffects) {
  constexpr std::size_t D = 4;
  const double c[D] = {2.0, -3.0, 0.5, 0.0};
  const MorrisDesign design(D, 4);
  MorrisAccumulator acc(D, 2);
  std::vector<double> points((D + 1) * D), step(D), y((D + 1) * 2);
  std::vector<std::size_t> changed(D);
  for (std::size_t t = 0; t < 50; ++t) {
    auto engine = trajectory_engine(4, t);
    design.trajectory(engine, points, changed, step);
    for (std::size_t m = 0; m <= D; ++m) {
      y[2 * m] = 0.0;
      for (std::size_t j = 0; j < D; ++j) y[2 * m] += c[j] * points[m * D + j];
      y[2 * m + 1] = -y[2 * m];
    }
    acc.add(y, changed, step);
  }
  const auto est = acc.finalize();
  for (std::size_t j = 0; j < D; ++j) {
    EXPECT_EQ(est.at(j, 0).count, 50u);
    EXPECT_NEAR(est.at(j, 0).mu, c[j], 1e-9);
    EXPECT_NEAR(est.at(j, 0).mu_star, std::abs(c[j]), 1e-9);
    EXPECT_NEAR(est.at(j, 0).sigma, 0.0, 1e-9);
    EXPECT_NEAR(est.at(j, 1).mu, -c[j], 1e-9);
  }
  EXPECT_EQ(est.rank_by_mu_star[0], (std::vector<std::size_t>{2, 1, 3, 4}));
}

TEST(MorrisAccumulator, MergeEqualsSequentialAdd) {
  const IshigamiModel model;
  const MorrisDesign design(3, 4);
  MorrisAccumulator merged = run_morris(model, design, 37, 5, 0);
  merged.merge(run_morris(model, design, 63, 5, 37));
  const auto m = merged.finalize();
  const auto s = run_morris(model, design, 100, 5, 0).finalize();
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_EQ(m.at(j, 0).count, s.at(j, 0).count);
    // Relative 1e-12, absolute below 1: x2's |EE| is the same in every trajectory on this grid,
    // so its mu* standard error is rounding noise (~1e-16).
    auto tol = [](double x) { return 1e-12 * std::max(1.0, std::abs(x)); };
    EXPECT_NEAR(m.at(j, 0).mu, s.at(j, 0).mu, tol(s.at(j, 0).mu));
    EXPECT_NEAR(m.at(j, 0).mu_star, s.at(j, 0).mu_star, tol(s.at(j, 0).mu_star));
    EXPECT_NEAR(m.at(j, 0).sigma, s.at(j, 0).sigma, tol(s.at(j, 0).sigma));
    EXPECT_NEAR(m.at(j, 0).mu_star_std_error, s.at(j, 0).mu_star_std_error, tol(s.at(j, 0).mu_star_std_error));
  }
}

TEST(MorrisAccumulator, IshigamiRanksX1AndX2AboveX3) {
  const IshigamiModel model;
  const auto est = run_morris(model, MorrisDesign(3, 4), 500, 11).finalize();
  const auto& e1 = est.at(0, 0);
  const auto& e2 = est.at(1, 0);
  const auto& e3 = est.at(2, 0);
  // Separated by more than 3 standard errors, so the ranking is not a coin toss at r = 500.
  EXPECT_GT(e1.mu_star - e3.mu_star, 3.0 * std::hypot(e1.mu_star_std_error, e3.mu_star_std_error));
  EXPECT_GT(e2.mu_star - e3.mu_star, 3.0 * std::hypot(e2.mu_star_std_error, e3.mu_star_std_error));
  EXPECT_EQ(est.rank_by_mu_star[0][2], 3u);
  // x2 enters through a sin^2 alone: effects of both signs cancel in mu but not in mu*.
  EXPECT_LT(std::abs(e2.mu), 0.2 * e2.mu_star);
}

// Cell centres make every step exactly 1/2 of the range, i.e. pi for Ishigami's x2, and
// sin^2(x + pi) = sin^2(x): x2 looks inert. This documents why clamped_grid is the default.
TEST(MorrisAccumulator, CellCentresAliasIshigamiX2) {
  const IshigamiModel model;
  const auto est = run_morris(model, MorrisDesign(3, 4, MorrisLevelMap::cell_centres), 100, 11).finalize();
  EXPECT_LT(est.at(1, 0).mu_star, 1e-12);
  EXPECT_GT(est.at(0, 0).mu_star, 1.0);
}

TEST(MorrisAccumulator, SobolGRanksInertFactorFarBelow) {
  const SobolGModel model({0.0, 99.0});
  const auto est = run_morris(model, MorrisDesign(2, 4), 200, 12).finalize();
  EXPECT_GT(est.at(0, 0).mu_star, 20.0 * est.at(1, 0).mu_star);
  EXPECT_EQ(est.rank_by_mu_star[0], (std::vector<std::size_t>{1, 2}));
}

TEST(MorrisAccumulator, FinalizeNeedsTwoEffectsPerFactor) {
  MorrisAccumulator acc(2, 1);
  acc.add_effect(0, 0, 1.0);
  acc.add_effect(0, 0, 2.0);
  acc.add_effect(1, 0, 1.0);
  try {
    (void)acc.finalize();
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "Morris finalize: factor 1, output 0 has 1 elementary effects; need at least 2 for sigma");
  }
  EXPECT_THROW(acc.add_effect(2, 0, 1.0), ModelError);
  const std::vector<double> y(3);
  const std::vector<std::size_t> changed = {0, 0};
  const std::vector<double> zero_step = {0.5, 0.0};
  EXPECT_THROW(acc.add(y, changed, zero_step), ModelError);
}

}  // namespace
}  // namespace symbiomc
