#include "symbiomc/studies/throughput.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "symbiomc/base/error.hpp"
#include "symbiomc/studies/uncertainty.hpp"

namespace symbiomc {

namespace {

/// Blocks of pre-drawn inputs the model-only rate cycles through: enough for every thread to
/// have work, few enough that memory stays small (16 x 4096 runs x 49 parameters = 26 MB).
constexpr std::uint64_t MODEL_POOL_BLOCKS = 16;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Per-thread buffers of one block.
struct BlockScratch {
  std::unique_ptr<ModelWorkspace> workspace;
  std::vector<double> u, x, y, copula;
  std::vector<RunStatus> status;
};

}  // namespace

ThroughputResult measure_throughput(const Model& model, const Problem& problem, const ThroughputConfig& config) {
  if (config.runs < 2) throw ModelError(message("throughput: need at least 2 runs, got ", config.runs));
  if (config.threads == 0 || config.block_size == 0)
    throw ModelError("throughput: threads and block size must be at least 1");
  const std::size_t d = problem.dimension(), k = model.outputs().size(), modes = model.modes().size();
  const std::size_t block = config.block_size;
  const UnitDesign design(config.method, d, config.runs, config.seed);
  const std::uint64_t blocks = design.block_count(block);
  // An arena of exactly `threads` slots under a matching global limit: the rates are those of
  // that many threads whatever the machine has (as run_symbiomc_with_threads does in the tests).
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, config.threads);
  tbb::task_arena arena(static_cast<int>(config.threads));
  tbb::enumerable_thread_specific<BlockScratch> scratch([&] {
    BlockScratch s;
    s.workspace = model.make_workspace(block);
    s.u.resize(block * d);
    s.x.resize(block * d);
    s.y.resize(block * k);
    s.copula.resize(std::max<std::size_t>(problem.scratch_size(), 1));
    s.status.resize(block * modes);
    return s;
  });
  auto draw = [&](std::uint64_t b, BlockScratch& s, std::span<double> x) {
    const std::uint64_t n = design.points_in_block(b, block);
    design.fill_block(b, block, s.u);
    for (std::uint64_t i = 0; i < n; ++i)
      problem.to_physical(std::span<const double>(s.u.data() + i * d, d), x.subspan(i * d, d), s.copula);
    return n;
  };
  ThroughputResult result;
  result.threads = config.threads;
  arena.execute([&] {
    // Sampling alone.
    auto start = std::chrono::steady_clock::now();
    tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t b) {
      BlockScratch& s = scratch.local();
      (void)draw(b, s, s.x);
    });
    result.sampling_runs_per_s = static_cast<double>(config.runs) / seconds_since(start);

    // The model alone, on a pool of blocks drawn beforehand.
    const std::uint64_t pool = std::min(blocks, MODEL_POOL_BLOCKS);
    std::vector<double> inputs(pool * block * d);
    std::vector<std::uint64_t> pool_runs(pool);
    tbb::parallel_for(std::uint64_t{0}, pool, [&](std::uint64_t b) {
      pool_runs[b] = draw(b, scratch.local(), std::span<double>(inputs).subspan(b * block * d, block * d));
    });
    start = std::chrono::steady_clock::now();
    tbb::parallel_for(std::uint64_t{0}, blocks, [&](std::uint64_t b) {
      BlockScratch& s = scratch.local();
      const std::uint64_t p = b % pool, n = design.points_in_block(b, block);
      model.evaluate(std::span<const double>(inputs).subspan(p * block * d, std::min(n, pool_runs[p]) * d),
                     std::min(n, pool_runs[p]), *s.workspace, s.y, s.status);
    });
    result.model_only_runs_per_s = static_cast<double>(config.runs) / seconds_since(start);

    // The whole analysis.
    UncertaintyConfig uncertainty;
    uncertainty.runs = config.runs;
    uncertainty.seed = config.seed;
    uncertainty.method = config.method;
    uncertainty.block_size = block;
    start = std::chrono::steady_clock::now();
    const UncertaintyResult done = run_uncertainty(model, problem, uncertainty);
    result.uncertainty_runs_per_s = static_cast<double>(done.runs) / seconds_since(start);
  });
  return result;
}

}  // namespace symbiomc
