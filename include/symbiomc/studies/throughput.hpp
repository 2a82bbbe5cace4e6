#pragma once
// How fast a model runs on this machine, so that a user can size a study of their own case
// ("10^8 runs will take about ..."): three rates, each in runs per second of wall time at a
// given thread count, measured the way the sampler works (blocks of runs, one task per block):
//   - model only: the model on inputs drawn beforehand, no statistics: the floor;
//   - sampling only: design uniforms (UnitDesign::fill_block) and their transformation into
//     parameter values (Problem::to_physical, copula included), no model;
//   - uncertainty: run_uncertainty end to end with its default statistics (moments, quantiles,
//     histograms, paired comparisons, the importance measures of the first runs).
// The model-only rate cycles through a fixed pool of pre-drawn blocks, so memory does not grow
// with the run count.

#include <cstddef>
#include <cstdint>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/design.hpp"

namespace symbiomc {

struct ThroughputConfig {
  std::uint64_t runs = 1000000;  ///< runs behind each of the three rates
  std::size_t threads = 1;       ///< worker threads (>= 1)
  std::uint64_t seed = 1;
  SamplingMethod method = SamplingMethod::mc;
  std::size_t block_size = 4096;
};

struct ThroughputResult {
  std::size_t threads = 0;
  double model_only_runs_per_s = 0.0;
  double sampling_runs_per_s = 0.0;
  double uncertainty_runs_per_s = 0.0;
};

/// Measures the three rates. Throws ModelError for runs < 2, threads or block_size 0, and what
/// run_uncertainty throws.
[[nodiscard]] ThroughputResult measure_throughput(const Model& model, const Problem& problem,
                                                  const ThroughputConfig& config);

}  // namespace symbiomc
