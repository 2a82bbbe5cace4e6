// Tests of the built-in analytic models: values at known points, the Model interface they expose,
// their exact indices (published values, quadrature) and the model-spec parser's messages.

#include "symbiomc/model/analytic_models.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/sobol.hpp"

namespace symbiomc {
namespace {

std::vector<double> evaluate_all(const Model& model, const std::vector<double>& x,
                                 std::vector<RunStatus>* status = nullptr) {
  const std::size_t n = x.size() / model.inputs().size();
  std::vector<double> y(n);
  std::vector<RunStatus> s(n, RunStatus::not_converged);
  auto workspace = model.make_workspace(n);
  model.evaluate(x, n, *workspace, y, s);
  if (status) *status = s;
  return y;
}

// Mean and variance of `model` over its uniform bounds by a tensor two-point Gauss-Legendre rule
// on `cells` equal cells per axis (2 * cells nodes, equal weights), evaluated one slice at a
// time; sums are taken about `centre` (the exact mean). The rule is exact for cubics per cell.
std::pair<double, double> gauss_moments(const AnalyticModel& model, std::size_t cells, double centre) {
  const auto bounds = model.input_bounds();
  const std::size_t m = 2 * cells;
  auto node = [&](std::size_t axis, std::size_t i) {
    const double offset = (i % 2 == 0 ? -0.5 : 0.5) / std::sqrt(3.0);
    const double u = (static_cast<double>(i / 2) + 0.5 + offset) / static_cast<double>(cells);
    return bounds[axis].first + (bounds[axis].second - bounds[axis].first) * u;
  };
  double sum = 0, sum_sq = 0;
  std::vector<double> x;
  for (std::size_t i = 0; i < m; ++i) {
    x.clear();
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t k = 0; k < m; ++k) x.insert(x.end(), {node(0, i), node(1, j), node(2, k)});
    }
    for (const double v : evaluate_all(model, x)) {
      sum += v - centre;
      sum_sq += (v - centre) * (v - centre);
    }
  }
  const double n = static_cast<double>(m * m * m);
  return {centre + sum / n, sum_sq / n - (sum / n) * (sum / n)};
}

TEST(IshigamiModel, EvaluatesClosedForm) {
  const IshigamiModel model;
  const double pi = std::numbers::pi;
  std::vector<RunStatus> status;
  const auto y = evaluate_all(model, {pi / 2, pi / 2, 1.0, 0.0, 0.0, 0.0, -pi / 2, pi / 4, 2.0}, &status);
  EXPECT_NEAR(y[0], 1.0 + 7.0 + 0.1, 1e-12);
  EXPECT_NEAR(y[1], 0.0, 1e-15);
  EXPECT_NEAR(y[2], -1.0 + 3.5 - 1.6, 1e-12);
  EXPECT_EQ(status, std::vector<RunStatus>(3, RunStatus::ok));
  const IshigamiModel other(5.0, 0.2);
  EXPECT_NEAR(evaluate_all(other, {pi / 2, pi / 2, 1.0})[0], 1.0 + 5.0 + 0.2, 1e-12);
}

TEST(IshigamiModel, DescribesInputsOutputsAndBounds) {
  const IshigamiModel model;
  ASSERT_EQ(model.inputs().size(), 3u);
  EXPECT_EQ(model.inputs()[0].name, "x1");
  EXPECT_EQ(model.inputs()[2].name, "x3");
  ASSERT_EQ(model.outputs().size(), 1u);
  EXPECT_EQ(model.outputs()[0].mode, "model");
  EXPECT_EQ(model.outputs()[0].output, "y");
  EXPECT_EQ(model.outputs()[0].mode_index, 0u);
  EXPECT_EQ(model.modes(), std::vector<std::string>{"model"});
  const auto bounds = model.input_bounds();
  ASSERT_EQ(bounds.size(), 3u);
  for (const auto& [low, high] : bounds) {
    EXPECT_EQ(low, -std::numbers::pi);
    EXPECT_EQ(high, std::numbers::pi);
  }
}

TEST(IshigamiModel, NonFiniteInputGivesNonFiniteStatusAndShortSpansThrow) {
  const IshigamiModel model;
  std::vector<RunStatus> status;
  (void)evaluate_all(model, {NAN, 0.0, 0.0}, &status);
  EXPECT_EQ(status[0], RunStatus::non_finite);
  std::vector<double> y(1);
  std::vector<RunStatus> s(1);
  const std::vector<double> x(3);
  auto workspace = model.make_workspace(2);
  try {
    model.evaluate(x, 2, *workspace, y, s);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(),
                 "Ishigami function: evaluate of 2 runs needs 6 inputs, 2 outputs and 2 statuses, got 3, 1, 1");
  }
}

TEST(IshigamiIndices, MatchPublishedValues) {
  // The values quoted in the literature for a = 7, b = 0.1, to 4 decimals (SALib's regression
  // test expects S1 ~ [0.31, 0.44, 0.00], ST ~ [0.55, 0.44, 0.24]).
  const auto t = ishigami_indices();
  EXPECT_NEAR(t.variance, 13.8446, 1e-4);
  EXPECT_NEAR(t.mean, 3.5, 1e-15);
  EXPECT_NEAR(t.first[0], 0.3139, 1e-4);
  EXPECT_NEAR(t.first[1], 0.4424, 1e-4);
  EXPECT_EQ(t.first[2], 0.0);
  EXPECT_NEAR(t.total[0], 0.5576, 1e-4);
  EXPECT_NEAR(t.total[1], 0.4424, 1e-4);
  EXPECT_NEAR(t.total[2], 0.2437, 1e-4);
  EXPECT_NEAR(t.second[pair_index(0, 2, 3)], 0.2437, 1e-4);
  EXPECT_EQ(t.second[pair_index(0, 1, 3)], 0.0);
  EXPECT_EQ(t.second[pair_index(1, 2, 3)], 0.0);
  // Ishigami has no term above second order: S1 + S2 sum to 1.
  EXPECT_NEAR(
      std::accumulate(t.first.begin(), t.first.end(), 0.0) + std::accumulate(t.second.begin(), t.second.end(), 0.0),
      1.0, 1e-12);
}

TEST(IshigamiIndices, MeanAndVarianceMatchQuadrature) {
  // 60 cells per axis: exact in x3 up to degree 3 per cell, so the x3^8 term is off by O(h^4).
  const IshigamiModel model(6.0, 0.15);
  const auto [mean, variance] = gauss_moments(model, 60, 3.0);
  const auto t = ishigami_indices(6.0, 0.15);
  EXPECT_NEAR(mean, t.mean, 1e-9);
  EXPECT_NEAR(variance, t.variance, 1e-6 * t.variance);
}

TEST(SobolGModel, EvaluatesClosedFormAndDescribesInputs) {
  const SobolGModel model({0.0, 1.0});
  const auto y = evaluate_all(model, {0.5, 0.3, 0.0, 1.0, 0.25, 0.75});
  EXPECT_EQ(y[0], 0.0);
  EXPECT_NEAR(y[1], 2.0 * 1.5, 1e-15);
  EXPECT_NEAR(y[2], 1.0 * 1.0, 1e-15);
  ASSERT_EQ(model.inputs().size(), 2u);
  EXPECT_EQ(model.inputs()[1].name, "x2");
  EXPECT_EQ(model.input_bounds(), (std::vector<std::pair<double, double>>{{0.0, 1.0}, {0.0, 1.0}}));
  EXPECT_EQ(model.outputs()[0].output, "y");
}

TEST(SobolGIndices, MatchHandComputedTwoFactorCase) {
  // a = {0, 1}: V1 = 1/3, V2 = 1/12, V12 = 1/36, V = 4/9.
  const auto t = sobol_g_indices({0.0, 1.0});
  EXPECT_NEAR(t.variance, 4.0 / 9.0, 1e-15);
  EXPECT_NEAR(t.first[0], 0.75, 1e-15);
  EXPECT_NEAR(t.first[1], 0.1875, 1e-15);
  EXPECT_NEAR(t.second[0], 0.0625, 1e-15);
  EXPECT_NEAR(t.total[0], 0.8125, 1e-15);
  EXPECT_NEAR(t.total[1], 0.25, 1e-15);
}

TEST(SobolGIndices, VarianceMatchesQuadratureAndTermsSumToOne) {
  // With an even cell count the kink of |4x - 2| is on a cell edge, so each factor's square is a
  // quadratic per cell and the Gauss rule is exact up to rounding.
  const std::vector<double> a = {0.0, 4.5, 1.0};
  const SobolGModel model(a);
  const auto [mean, variance] = gauss_moments(model, 40, 1.0);
  const auto t = sobol_g_indices(a);
  EXPECT_NEAR(mean, 1.0, 1e-9);
  EXPECT_NEAR(variance, t.variance, 1e-12);
  // ANOVA terms: S1 + S2 + S123 = 1, with S123 = V1 V2 V3 / V.
  double v_i[3];
  for (std::size_t i = 0; i < 3; ++i) v_i[i] = 1.0 / (3.0 * (1 + a[i]) * (1 + a[i]));
  const double s123 = v_i[0] * v_i[1] * v_i[2] / t.variance;
  EXPECT_NEAR(std::accumulate(t.first.begin(), t.first.end(), 0.0) +
                  std::accumulate(t.second.begin(), t.second.end(), 0.0) + s123,
              1.0, 1e-12);
  EXPECT_NEAR(t.total[0], t.first[0] + t.second[pair_index(0, 1, 3)] + t.second[pair_index(0, 2, 3)] + s123, 1e-12);
}

TEST(SobolGModel, RejectsNegativeOrMissingCoefficients) {
  try {
    SobolGModel model({0.0, -1.0});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "Sobol' G function: coefficient 2: expected a finite number >= 0, got -1");
  }
  EXPECT_THROW(SobolGModel(std::vector<double>{}), InputError);
}

TEST(ParseModelSpec, BuildsIshigamiWithDefaultsOrKeys) {
  const auto plain = parse_model_spec("ishigami");
  const auto* ishigami = dynamic_cast<const IshigamiModel*>(plain.get());
  ASSERT_NE(ishigami, nullptr);
  EXPECT_EQ(ishigami->a(), 7.0);
  EXPECT_EQ(ishigami->b(), 0.1);
  const auto keyed = parse_model_spec(" ishigami: b=0.2 ,a=5 ");
  const auto* custom = dynamic_cast<const IshigamiModel*>(keyed.get());
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->a(), 5.0);
  EXPECT_EQ(custom->b(), 0.2);
}

TEST(ParseModelSpec, BuildsSobolGWithCoefficients) {
  const auto model = parse_model_spec("sobol-g:a=0,1,4.5,9,99");
  const auto* g = dynamic_cast<const SobolGModel*>(model.get());
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->a(), (std::vector<double>{0, 1, 4.5, 9, 99}));
  EXPECT_EQ(model->inputs().size(), 5u);
  const std::unique_ptr<Model> as_model = parse_model_spec("sobol-g:a=1e2");
  EXPECT_EQ(as_model->inputs().size(), 1u);
}

void expect_spec_error(const std::string& spec, const std::string& expected) {
  try {
    (void)parse_model_spec(spec);
    ADD_FAILURE() << "expected InputError for '" << spec << "'";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

TEST(ParseModelSpec, ReportsWhatWasExpected) {
  expect_spec_error("", "model spec '': expected 'ishigami' or 'sobol-g:a=<a1>,<a2>,...'");
  expect_spec_error("ishigam",
                    "model spec 'ishigam': unknown model 'ishigam' (did you mean 'ishigami'?); "
                    "expected 'ishigami' or 'sobol-g:a=<a1>,<a2>,...'");
  expect_spec_error("rosenbrock",
                    "model spec 'rosenbrock': unknown model 'rosenbrock'; "
                    "expected 'ishigami' or 'sobol-g:a=<a1>,<a2>,...'");
  expect_spec_error("sobol-g",
                    "model spec 'sobol-g': expected 'sobol-g:a=<a1>,<a2>,...' with at least one coefficient");
  expect_spec_error("sobol-g:",
                    "model spec 'sobol-g:': expected 'sobol-g:a=<a1>,<a2>,...' with at least one coefficient");
  expect_spec_error("sobol-g:b=1", "model spec 'sobol-g:b=1': expected 'a=' after 'sobol-g:', got 'b=1'");
  expect_spec_error("sobol-g:a=0,x,3",
                    "model spec 'sobol-g:a=0,x,3': coefficient 2: expected a finite number >= 0, got 'x'");
  expect_spec_error("sobol-g:a=0,-1",
                    "model spec 'sobol-g:a=0,-1': coefficient 2: expected a finite number >= 0, got '-1'");
  expect_spec_error("sobol-g:a=0,,1",
                    "model spec 'sobol-g:a=0,,1': coefficient 2: expected a finite number >= 0, got ''");
  expect_spec_error("sobol-g:a=1.5x",
                    "model spec 'sobol-g:a=1.5x': coefficient 1: expected a finite number >= 0, got '1.5x'");
  expect_spec_error("sobol-g:a=inf",
                    "model spec 'sobol-g:a=inf': coefficient 1: expected a finite number >= 0, got 'inf'");
  expect_spec_error("ishigami:c=1", "model spec 'ishigami:c=1': unknown key 'c'; expected 'a' or 'b'");
  expect_spec_error("ishigami:7", "model spec 'ishigami:7': expected key=value with key 'a' or 'b', got '7'");
  expect_spec_error("ishigami:a=seven",
                    "model spec 'ishigami:a=seven': key 'a': expected a finite number, got 'seven'");
  expect_spec_error("ishigami:a=1,a=2", "model spec 'ishigami:a=1,a=2': key 'a' given twice");
}

}  // namespace
}  // namespace symbiomc
