// The Monte Carlo uncertainty loop on cases/biomass (49 uncertain parameters, 5 modes x 10
// outputs, 60 paired mode comparisons): run_uncertainty end to end at 1 and 2 TBB threads and
// at three run counts, the model alone over pre-drawn inputs (the floor the loop is compared
// with), and the per-run pieces of the loop: drawing a run, and adding to the statistics.
// Items are runs: the output reads runs/s.
//
//   /tmp/b_bench/bench/bench_uncertainty --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "biomass_fixture.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/sampling/design.hpp"
#include "symbiomc/stats/stats.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace {

using namespace symbiomc;
using symbiomc::bench::Biomass;

constexpr std::size_t BLOCK = 4096;  // UncertaintyConfig's default block size

void runs_processed(benchmark::State& state, std::uint64_t runs_per_iteration) {
  const auto runs = static_cast<double>(state.iterations()) * static_cast<double>(runs_per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(runs));
  state.counters["ns_per_run"] =
      benchmark::Counter(runs * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// run_uncertainty end to end (pilot, design, quantiles, model, statistics, ordered merges),
// default configuration (mc, blocks of 4096, 2048 histogram bins), no report writing.
void BM_RunUncertainty(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
  const Biomass b;
  UncertaintyConfig config;
  config.runs = static_cast<std::uint64_t>(state.range(1));
  for (auto _ : state) {
    const UncertaintyResult result = run_uncertainty(b.model, b.problem, config);
    benchmark::DoNotOptimize(result.runs);
  }
  runs_processed(state, config.runs);
}
BENCHMARK(BM_RunUncertainty)
    ->ArgNames({"tbb_threads", "runs"})
    ->Args({1, 1 << 15})
    ->Args({1, 1 << 17})
    ->Args({1, 1 << 19})
    ->Args({2, 1 << 17})
    ->Args({2, 1 << 19})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The model alone over 2^16 pre-drawn runs in blocks of 4096, parallel like the sampler: the
// floor for "the whole analysis costs at most 2x the model".
void BM_UncertaintyModelOnly(benchmark::State& state) {
  const std::size_t threads = static_cast<std::size_t>(state.range(0));
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
  const Biomass b;
  const std::size_t n = static_cast<std::size_t>(state.range(1));
  const std::size_t d = b.problem.dimension(), k = b.model.outputs().size(), modes = b.model.modes().size();
  std::vector<double> x(n * d);
  {
    const UnitDesign design(SamplingMethod::mc, d, n, 1);
    std::vector<double> u(BLOCK * d);
    for (std::uint64_t blk = 0; blk < design.block_count(BLOCK); ++blk) {
      design.fill_block(blk, BLOCK, u);
      for (std::size_t i = 0; i < BLOCK; ++i)
        b.problem.to_physical(std::span<const double>(u.data() + i * d, d),
                              std::span<double>(x.data() + (blk * BLOCK + i) * d, d), {});
    }
  }
  struct Scratch {
    std::unique_ptr<ModelWorkspace> ws;
    std::vector<double> y;
    std::vector<RunStatus> status;
  };
  tbb::enumerable_thread_specific<Scratch> scratch([&] {
    return Scratch{b.model.make_workspace(BLOCK), std::vector<double>(BLOCK * k),
                   std::vector<RunStatus>(BLOCK * modes)};
  });
  for (auto _ : state) {
    tbb::parallel_for(std::size_t{0}, n / BLOCK, [&](std::size_t blk) {
      Scratch& s = scratch.local();
      b.model.evaluate(std::span<const double>(x.data() + blk * BLOCK * d, BLOCK * d), BLOCK, *s.ws, s.y, s.status);
      benchmark::DoNotOptimize(s.y.data());
    });
  }
  runs_processed(state, n);
}
BENCHMARK(BM_UncertaintyModelOnly)
    ->ArgNames({"tbb_threads", "runs"})
    ->Args({1, 1 << 16})
    ->Args({2, 1 << 16})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Drawing one block of runs: design uniforms (fill_block) then quantiles (to_physical).
void BM_UncertaintyDraw(benchmark::State& state) {
  const Biomass b;
  const std::size_t d = b.problem.dimension();
  const UnitDesign design(static_cast<SamplingMethod>(state.range(0)), d, std::uint64_t{1} << 30, 1);
  std::vector<double> u(BLOCK * d), x(BLOCK * d);
  std::uint64_t blk = 0;
  for (auto _ : state) {
    design.fill_block(blk++ % 1024, BLOCK, u);
    for (std::size_t i = 0; i < BLOCK; ++i)
      b.problem.to_physical(std::span<const double>(u.data() + i * d, d), std::span<double>(x.data() + i * d, d), {});
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  runs_processed(state, BLOCK);
  state.SetLabel(std::string(to_string(static_cast<SamplingMethod>(state.range(0)))));
}
BENCHMARK(BM_UncertaintyDraw)->ArgName("method")->DenseRange(0, 2);

/// Values like an output: normal-ish around 5 with sd 0.3 (total_power_MW of the baseline).
std::vector<double> output_values(std::size_t n, std::uint64_t block) {
  Engine engine = make_engine(2, Stream::sampling, block);
  std::vector<double> v(n);
  for (double& x : v)
    x = 5.0 + 0.3 * (next_open_unit(engine) + next_open_unit(engine) + next_open_unit(engine) - 1.5) * 2.0;
  return v;
}

// OutputStats::add (Welford moments + histogram bin search + exceedance): ns per value. The
// loop adds 50 of these per run (5 modes x 10 outputs).
void BM_OutputStatsAdd(benchmark::State& state) {
  const std::size_t bins = static_cast<std::size_t>(state.range(0));
  const std::vector<double> pilot = output_values(BLOCK, 0), values = output_values(BLOCK, 1);
  const OutputStats prototype(Histogram::with_range_from_pilot(pilot, bins), {});
  for (auto _ : state) {
    OutputStats stats = prototype;  // a fresh block accumulator, as run_uncertainty makes one per block
    for (double v : values) stats.add(v);
    benchmark::DoNotOptimize(stats.moments().count());
  }
  const auto n = static_cast<double>(state.iterations()) * BLOCK;
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_OutputStatsAdd)->ArgName("bins")->Arg(256)->Arg(2048)->Arg(16384);

// The two halves of OutputStats::add on their own: Welford moments (a division per value, a
// chain through mean_) and the histogram (range checks, bin guess, edge fix-up, min/max).
void BM_MomentsAdd(benchmark::State& state) {
  const std::vector<double> values = output_values(BLOCK, 1);
  for (auto _ : state) {
    Moments m;
    for (double v : values) m.add(v);
    benchmark::DoNotOptimize(m.count());
  }
  const auto n = static_cast<double>(state.iterations()) * BLOCK;
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MomentsAdd);

void BM_HistogramAdd(benchmark::State& state) {
  const std::vector<double> pilot = output_values(BLOCK, 0), values = output_values(BLOCK, 1);
  const Histogram prototype = Histogram::with_range_from_pilot(pilot, static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    Histogram h = prototype;
    for (double v : values) h.add(v);
    benchmark::DoNotOptimize(h.count());
  }
  const auto n = static_cast<double>(state.iterations()) * BLOCK;
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_HistogramAdd)->ArgName("bins")->Arg(2048);

// 110 statistics fed as the loop feeds them (run-major: each run adds to 50 OutputStats and 60
// PairComparisons, whose 110 x 2048-bin histograms then compete for the caches), and output-major
// (one statistic at a time over the block): ns per run.
void BM_UncertaintyAccumulateRun(benchmark::State& state) {
  constexpr std::size_t OUTPUTS = 50, PAIRS = 60, RUNS = 512;
  std::vector<std::vector<double>> y;
  for (std::size_t o = 0; o < OUTPUTS; ++o) y.push_back(output_values(RUNS, 10 + o));
  std::vector<OutputStats> outputs;
  std::vector<PairComparison> pairs;
  for (std::size_t o = 0; o < OUTPUTS; ++o)
    outputs.emplace_back(Histogram::with_range_from_pilot(y[o], 2048), std::vector<double>{});
  std::vector<double> diff(RUNS);
  for (std::size_t p = 0; p < PAIRS; ++p) {
    for (std::size_t i = 0; i < RUNS; ++i) diff[i] = y[p % OUTPUTS][i] - y[(p + 1) % OUTPUTS][i];
    pairs.emplace_back(Histogram::with_range_from_pilot(diff, 2048));
  }
  const bool output_major = state.range(0) != 0;
  for (auto _ : state) {
    if (output_major) {  // the alternative order: one statistic at a time over the whole block
      for (std::size_t o = 0; o < OUTPUTS; ++o)
        for (std::size_t i = 0; i < RUNS; ++i) outputs[o].add(y[o][i]);
      for (std::size_t p = 0; p < PAIRS; ++p)
        for (std::size_t i = 0; i < RUNS; ++i) pairs[p].add(y[p % OUTPUTS][i], y[(p + 1) % OUTPUTS][i]);
    } else {
      for (std::size_t i = 0; i < RUNS; ++i) {
        for (std::size_t o = 0; o < OUTPUTS; ++o) outputs[o].add(y[o][i]);
        for (std::size_t p = 0; p < PAIRS; ++p) pairs[p].add(y[p % OUTPUTS][i], y[(p + 1) % OUTPUTS][i]);
      }
    }
    benchmark::DoNotOptimize(outputs[0].moments().count());
  }
  runs_processed(state, RUNS);
  state.SetLabel(output_major ? "output-major" : "run-major (as run_uncertainty)");
}
BENCHMARK(BM_UncertaintyAccumulateRun)->ArgName("output_major")->Arg(0)->Arg(1);

// PairComparison::add (moments and histogram of a - b, counts of a > b): ns per pair. The loop
// adds 60 of these per run (10 outputs x 6 pairs of synergy modes).
void BM_PairComparisonAdd(benchmark::State& state) {
  const std::vector<double> a = output_values(BLOCK, 3), b = output_values(BLOCK, 4);
  std::vector<double> diff(BLOCK);
  for (std::size_t i = 0; i < BLOCK; ++i) diff[i] = a[i] - b[i];
  const PairComparison prototype(Histogram::with_range_from_pilot(diff, static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    PairComparison pair = prototype;
    for (std::size_t i = 0; i < BLOCK; ++i) pair.add(a[i], b[i]);
    benchmark::DoNotOptimize(pair.count());
  }
  const auto n = static_cast<double>(state.iterations()) * BLOCK;
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PairComparisonAdd)->ArgName("bins")->Arg(2048);

// Copying a fresh block accumulator and merging it: the per-block fixed cost for one output
// (110 of them per block: 50 outputs + 60 pairs).
void BM_OutputStatsCopyMerge(benchmark::State& state) {
  const std::size_t bins = static_cast<std::size_t>(state.range(0));
  const std::vector<double> pilot = output_values(BLOCK, 0);
  const OutputStats prototype(Histogram::with_range_from_pilot(pilot, bins), {});
  OutputStats total = prototype;
  for (auto _ : state) {
    OutputStats block = prototype;
    block.add(pilot[0]);
    total.merge(block);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_OutputStatsCopyMerge)->ArgName("bins")->Arg(2048);

}  // namespace
