// Cost of parameter sampling: one inverse CDF per distribution kind (ns/draw), the design
// (uniforms per point for mc, lhs and qmc), one engine per block, and the whole map from a
// design point to the 50 biomass parameters (Problem::to_physical). One core.
//
//   /tmp/b_bench/bench/bench_distributions --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "biomass_fixture.hpp"
#include "symbiomc/base/rng.hpp"
#include "symbiomc/problem/distributions.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/design.hpp"

namespace {

using namespace symbiomc;

constexpr std::size_t DRAWS = 4096;

/// Uniforms in (0, 1) from the library's own engine (seed 1), reused by every kind.
std::vector<double> uniforms(std::size_t n) {
  Engine engine = make_engine(1, Stream::sampling, 0);
  std::vector<double> u(n);
  for (double& v : u) v = next_open_unit(engine);
  return u;
}

/// One representative of each kind, in the variant's order, with parameters like the biomass
/// case's (the truncated normals are +-2 sd, as in distributions/biomass.csv).
Distribution kind(std::size_t index) {
  switch (index) {
    case 0:
      return Fixed(1.0);
    case 1:
      return Uniform(62.0, 94.0);
    case 2:
      return Normal(0.225, 0.0075);
    case 3:
      return TruncNormal(0.225, 0.0075, 0.21, 0.24);
    case 4:
      return LogNormal::from_mean_sd(1.0, 0.2);
    case 5:
      return Triangular(4.7, 5.18, 5.7);
    case 6:
      return Pert(13.5, 14.9, 16.5);
    case 7:
      return Beta(2.0, 5.0, 0.0, 1.0);
    case 8:
      return LogUniform(0.01, 100.0);
    default: {
      std::vector<double> values, probabilities;
      for (int i = 0; i < 8; ++i) values.push_back(i), probabilities.push_back(0.125);
      return Discrete(values, probabilities);
    }
  }
}

void items(benchmark::State& state, std::size_t per_iteration, const char* counter) {
  const auto n = static_cast<double>(state.iterations()) * static_cast<double>(per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters[counter] = benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// quantile(dist, u) over 4096 uniforms: ns per draw for each distribution kind.
void BM_DistributionQuantile(benchmark::State& state) {
  const Distribution dist = kind(static_cast<std::size_t>(state.range(0)));
  const std::vector<double> u = uniforms(DRAWS);
  for (auto _ : state) {
    double sum = 0.0;
    for (double v : u) sum += quantile(dist, v);
    benchmark::DoNotOptimize(sum);
  }
  items(state, DRAWS, "ns_per_draw");
  state.SetLabel(std::string(kind_name(dist)));
}
BENCHMARK(BM_DistributionQuantile)->ArgName("kind")->DenseRange(0, 9);

// cdf(dist, x) at the same draws' quantiles: what one Newton step on the inverse CDF would
// cost (for the kinds whose quantile is an iterative Boost.Math inversion: PERT, beta).
void BM_DistributionCdf(benchmark::State& state) {
  const Distribution dist = kind(static_cast<std::size_t>(state.range(0)));
  std::vector<double> x = uniforms(DRAWS);
  for (double& v : x) v = quantile(dist, v);
  for (auto _ : state) {
    double sum = 0.0;
    for (double v : x) sum += cdf(dist, v);
    benchmark::DoNotOptimize(sum);
  }
  items(state, DRAWS, "ns_per_draw");
  state.SetLabel(std::string(kind_name(dist)));
}
BENCHMARK(BM_DistributionCdf)->ArgName("kind")->DenseRange(1, 9);

// UnitDesign::fill_block: a block of 4096 points in (0,1)^dim (0 = mc, 1 = lhs, 2 = qmc).
void BM_DesignFillBlock(benchmark::State& state) {
  const auto method = static_cast<SamplingMethod>(state.range(0));
  const std::size_t dim = static_cast<std::size_t>(state.range(1));
  const UnitDesign design(method, dim, std::uint64_t{1} << 30, 1);
  std::vector<double> u(DRAWS * dim);
  std::uint64_t block = 0;
  for (auto _ : state) {
    design.fill_block(block++ % 1024, DRAWS, u);
    benchmark::DoNotOptimize(u.data());
    benchmark::ClobberMemory();
  }
  items(state, DRAWS, "ns_per_point");
  state.counters["ns_per_coordinate"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * DRAWS * static_cast<double>(dim) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(std::string(to_string(method)));
}
BENCHMARK(BM_DesignFillBlock)->ArgNames({"method", "dim"})->ArgsProduct({{0, 1, 2}, {3, 50}});

// make_engine: the per-block cost of seeding a Mersenne Twister through seed_seq.
void BM_RngMakeEngine(benchmark::State& state) {
  std::uint64_t block = 0;
  for (auto _ : state) {
    Engine engine = make_engine(1, Stream::sampling, block++);
    benchmark::DoNotOptimize(engine());
  }
  items(state, 1, "ns_per_engine");
}
BENCHMARK(BM_RngMakeEngine);

// Problem::to_physical for the 49 biomass parameters (23 uniform, 12 triangular, 8 truncated
// normal, 6 PERT, as in distributions/biomass.csv): ns per run.
void BM_ProblemToPhysical(benchmark::State& state) {
  const bench::Biomass biomass;
  const Problem& problem = biomass.problem;
  const std::size_t d = problem.dimension();
  const UnitDesign design(SamplingMethod::mc, d, DRAWS, 1);
  std::vector<double> u(DRAWS * d), x(DRAWS * d);
  design.fill_block(0, DRAWS, u);
  for (auto _ : state) {
    for (std::size_t i = 0; i < DRAWS; ++i)
      problem.to_physical(std::span<const double>(u.data() + i * d, d), std::span<double>(x.data() + i * d, d), {});
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  items(state, DRAWS, "ns_per_run");
  state.counters["parameters"] = static_cast<double>(d);
}
BENCHMARK(BM_ProblemToPhysical);

}  // namespace
