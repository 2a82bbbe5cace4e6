// Cost of evaluating the compiled balance of cases/biomass: the instruction tape per mode, all
// modes together, the lane width, and CaseModel::evaluate (tape + moving parameters in and
// outputs out), one core. Items are runs, so Google Benchmark prints runs/s; the ns_per_run
// counter is the same figure inverted, ns_per_instruction divides it by the tape length.
//
//   /tmp/b_bench/bench/bench_balance --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "biomass_fixture.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/sampling/design.hpp"

namespace {

using namespace symbiomc;
using symbiomc::bench::Biomass;

/// `n` parameter draws (plain Monte Carlo, seed 1), row-major n x D, in physical units.
std::vector<double> draw_inputs(const Problem& problem, std::size_t n) {
  const std::size_t d = problem.dimension();
  const UnitDesign design(SamplingMethod::mc, d, n, 1);
  std::vector<double> u(n * d), x(n * d);
  design.fill_block(0, n, u);
  for (std::size_t i = 0; i < n; ++i)
    problem.to_physical(std::span<const double>(u.data() + i * d, d), std::span<double>(x.data() + i * d, d), {});
  return x;
}

/// Loads lanes [0, width) of `ws` with draws of the problem's parameters.
void load_lanes(const Biomass& b, BalanceWorkspace& ws, const std::vector<double>& x) {
  const std::size_t d = b.problem.dimension();
  for (std::size_t lane = 0; lane < ws.width(); ++lane)
    for (std::size_t i = 0; i < d; ++i) ws.set_parameter(b.problem.parameters()[i].case_index, lane, x[lane * d + i]);
}

/// Instructions evaluate() runs: the baseline, the range the synergy modes share, the modes.
std::size_t tape_length(const BalancePlan& plan, std::size_t only_mode) {
  std::size_t total = 0;
  for (std::size_t m = 0; m < plan.modes().size(); ++m)
    if (only_mode == static_cast<std::size_t>(-1) || m == 0 || m == only_mode)
      total += plan.modes()[m].code_end - plan.modes()[m].code_begin;
  if (only_mode != 0 && plan.modes().size() > 1) total += plan.shared_code_end() - plan.shared_code_begin();
  return total;
}

void set_counters(benchmark::State& state, std::size_t runs_per_iteration, std::size_t instructions) {
  const auto runs = static_cast<double>(state.iterations()) * static_cast<double>(runs_per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(runs));
  state.counters["ns_per_run"] =
      benchmark::Counter(runs * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["instructions"] = static_cast<double>(instructions);
  state.counters["ns_per_instruction"] = benchmark::Counter(runs * static_cast<double>(instructions) * 1e-9,
                                                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// evaluate() on 64 lanes of sampled parameters, all modes of a case cut to `modes` modes
// (2 = independent + m1, ..., 5 = all): how cost grows with the number of modes.
void BM_BalanceEvaluate(benchmark::State& state) {
  const Biomass b(static_cast<std::size_t>(state.range(0)));
  const std::size_t lanes = static_cast<std::size_t>(state.range(1));
  BalanceWorkspace ws(b.plan, lanes);
  load_lanes(b, ws, draw_inputs(b.problem, lanes));
  for (auto _ : state) {
    evaluate(b.plan, ws, lanes);
    benchmark::DoNotOptimize(ws.value(0, 0));
    benchmark::ClobberMemory();
  }
  set_counters(state, lanes, tape_length(b.plan, static_cast<std::size_t>(-1)));
  state.counters["slots"] = static_cast<double>(b.plan.slot_count());
  state.counters["slot_KiB"] = static_cast<double>(b.plan.slot_count() * lanes * sizeof(double)) / 1024.0;
}
BENCHMARK(BM_BalanceEvaluate)
    ->ArgNames({"modes", "lanes"})
    ->ArgsProduct({{2, 3, 4, 5}, {64}})
    ->Args({5, 1})
    ->Args({5, 8})
    ->Args({5, 256});

// Independent operation plus one synergy mode (evaluate's only_mode): the cost of each mode.
void BM_BalanceEvaluateMode(benchmark::State& state) {
  const Biomass b;
  const std::size_t mode = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t LANES = 64;
  BalanceWorkspace ws(b.plan, LANES);
  load_lanes(b, ws, draw_inputs(b.problem, LANES));
  for (auto _ : state) {
    evaluate(b.plan, ws, LANES, mode);
    benchmark::DoNotOptimize(ws.value(0, 0));
    benchmark::ClobberMemory();
  }
  set_counters(state, LANES, tape_length(b.plan, mode));
  state.SetLabel("independent + " + b.plan.modes()[mode].id);
}
BENCHMARK(BM_BalanceEvaluateMode)->ArgName("mode")->DenseRange(1, 4);

// CaseModel::evaluate over 4096 pre-drawn runs: the tape plus scattering the 50 parameters into
// lanes and gathering 5 x 10 outputs and statuses; what the samplers pay per run for the model.
void BM_CaseModelEvaluate(benchmark::State& state) {
  const Biomass b;
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::vector<double> x = draw_inputs(b.problem, n);
  const auto ws = b.model.make_workspace(n);
  std::vector<double> y(n * b.model.outputs().size());
  std::vector<RunStatus> status(n * b.model.modes().size());
  for (auto _ : state) {
    b.model.evaluate(x, n, *ws, y, status);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, tape_length(b.plan, static_cast<std::size_t>(-1)));
}
BENCHMARK(BM_CaseModelEvaluate)->ArgName("runs")->Arg(4096);

}  // namespace
