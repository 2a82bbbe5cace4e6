// Sobol' analysis end to end (run_sobol: design, quantiles, pick-freeze rows, model, streaming
// accumulators, convergence snapshots) on Ishigami, on the G function at D = 5, 10, 20 and on
// cases/biomass; the models alone over pre-built rows; and SobolAccumulator::add. Items are
// model runs (rows, N(F+2) per analysis), so the output reads runs/s; base_per_second counts N.
//
//   /tmp/b_bench/bench/bench_sobol --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "biomass_fixture.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/sampling/design.hpp"
#include "symbiomc/stats/sobol.hpp"
#include "symbiomc/studies/sensitivity.hpp"

namespace {

using namespace symbiomc;
using symbiomc::bench::Biomass;

/// The G function of the comparison (bench/compare): a = 0, 1, 4.5, 9, then 99 for the rest.
std::vector<double> g_coefficients(std::size_t dims) {
  std::vector<double> a{0.0, 1.0, 4.5, 9.0};
  a.resize(dims, 99.0);
  return a;
}

void run_sobol_loop(benchmark::State& state, const Model& model, const Problem& problem, std::uint64_t base_runs) {
  SobolConfig config;
  config.base_runs = base_runs;
  std::uint64_t rows = 0;
  for (auto _ : state) {
    const SobolResult result = run_sobol(model, problem, config);
    rows = result.model_runs;
    benchmark::DoNotOptimize(result.estimates.data());
  }
  const auto it = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(it * static_cast<double>(rows)));
  state.counters["base_per_second"] =
      benchmark::Counter(it * static_cast<double>(base_runs), benchmark::Counter::kIsRate);
  state.counters["ns_per_run"] = benchmark::Counter(it * static_cast<double>(rows) * 1e-9,
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Ishigami (D = 3, 5 rows per base sample): how cost grows with N, and 1 vs 2 threads.
void BM_RunSobolIshigami(benchmark::State& state) {
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(state.range(1)));
  const IshigamiModel model;
  run_sobol_loop(state, model, uniform_problem(model, "bench"), static_cast<std::uint64_t>(state.range(0)));
}
BENCHMARK(BM_RunSobolIshigami)
    ->ArgNames({"base_runs", "tbb_threads"})
    ->ArgsProduct({{1 << 14, 1 << 16, 1 << 18}, {1}})
    ->Args({1 << 18, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// G function: how cost grows with D (5, 10, 20) at N = 2^16, and 1 vs 2 threads at D = 20.
void BM_RunSobolG(benchmark::State& state) {
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(state.range(2)));
  const SobolGModel model(g_coefficients(static_cast<std::size_t>(state.range(0))));
  run_sobol_loop(state, model, uniform_problem(model, "bench"), static_cast<std::uint64_t>(state.range(1)));
}
BENCHMARK(BM_RunSobolG)
    ->ArgNames({"dims", "base_runs", "tbb_threads"})
    ->ArgsProduct({{5, 10, 20}, {1 << 16}, {1}})
    ->Args({20, 1 << 16, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// cases/biomass: 49 factors, 5 modes x 10 outputs, 51 rows per base sample.
void BM_RunSobolBiomass(benchmark::State& state) {
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(state.range(1)));
  const Biomass b;
  run_sobol_loop(state, b.model, b.problem, static_cast<std::uint64_t>(state.range(0)));
}
BENCHMARK(BM_RunSobolBiomass)
    ->ArgNames({"base_runs", "tbb_threads"})
    ->Args({1 << 8, 1})
    ->Args({1 << 10, 1})
    ->Args({1 << 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The models alone over 4096 pre-built rows (inputs already in physical units), one core: the
// floor for "analysis <= 2x the model". model: 0 = Ishigami, 1 = G (D = 20), 2 = biomass.
void BM_SobolModelOnly(benchmark::State& state) {
  const std::size_t which = static_cast<std::size_t>(state.range(0));
  std::unique_ptr<Biomass> biomass;
  std::unique_ptr<AnalyticModel> analytic;
  std::unique_ptr<Problem> analytic_prob;
  const Model* model = nullptr;
  const Problem* problem = nullptr;
  if (which == 2) {
    biomass = std::make_unique<Biomass>();
    model = &biomass->model;
    problem = &biomass->problem;
  } else {
    if (which == 0)
      analytic = std::make_unique<IshigamiModel>();
    else
      analytic = std::make_unique<SobolGModel>(g_coefficients(20));
    analytic_prob = std::make_unique<Problem>(uniform_problem(*analytic, "bench"));
    model = analytic.get();
    problem = analytic_prob.get();
  }
  constexpr std::size_t ROWS = 4096;
  const std::size_t d = problem->dimension();
  const UnitDesign design(SamplingMethod::mc, d, ROWS, 1);
  std::vector<double> u(ROWS * d), x(ROWS * d);
  design.fill_block(0, ROWS, u);
  for (std::size_t i = 0; i < ROWS; ++i)
    problem->to_physical(std::span<const double>(u.data() + i * d, d), std::span<double>(x.data() + i * d, d), {});
  const auto ws = model->make_workspace(ROWS);
  std::vector<double> y(ROWS * model->outputs().size());
  std::vector<RunStatus> status(ROWS * model->modes().size());
  for (auto _ : state) {
    model->evaluate(x, ROWS, *ws, y, status);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const auto rows = static_cast<double>(state.iterations()) * ROWS;
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
  state.counters["ns_per_run"] =
      benchmark::Counter(rows * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(which == 0 ? "ishigami" : which == 1 ? "sobol-g d=20" : "biomass");
}
BENCHMARK(BM_SobolModelOnly)->ArgName("model")->DenseRange(0, 2);

// SobolAccumulator::add for one base sample: D factors x K outputs (3x1 Ishigami, 20x1 G,
// 49x10 one biomass mode; the biomass run adds 5 of the last per base sample).
void BM_SobolAccumulatorAdd(benchmark::State& state) {
  const std::size_t d = static_cast<std::size_t>(state.range(0)), k = static_cast<std::size_t>(state.range(1));
  constexpr std::size_t SAMPLES = 256;
  Engine engine = make_engine(3, Stream::sampling, 0);
  std::vector<double> ya(SAMPLES * k), yb(SAMPLES * k), yab(SAMPLES * d * k);
  for (double& v : ya) v = next_open_unit(engine);
  for (double& v : yb) v = next_open_unit(engine);
  for (double& v : yab) v = next_open_unit(engine);
  SobolAccumulator acc(d, k, false, std::vector<double>(k, 0.5));
  for (auto _ : state) {
    for (std::size_t s = 0; s < SAMPLES; ++s)
      acc.add(std::span<const double>(ya.data() + s * k, k), std::span<const double>(yb.data() + s * k, k),
              std::span<const double>(yab.data() + s * d * k, d * k), {});
    benchmark::DoNotOptimize(acc.count());
  }
  const auto n = static_cast<double>(state.iterations()) * SAMPLES;
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["ns_per_base_sample"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ns_per_index_pair"] = benchmark::Counter(n * static_cast<double>(d * k) * 1e-9,
                                                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SobolAccumulatorAdd)->ArgNames({"params", "outputs"})->Args({3, 1})->Args({20, 1})->Args({49, 10});

}  // namespace
