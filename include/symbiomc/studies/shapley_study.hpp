#pragma once
// Shapley effects driven over a Model (estimator and paper: stats/shapley.hpp, Song, Nelson &
// Staum 2016, random permutations with exact conditional sampling under the Gaussian copula):
// valid with rank-correlated inputs, where Sobol' indices are refused. Every output of every
// mode comes from the same model runs; a permutation with a failed run in a mode is dropped
// whole for that mode, and a failed variance run is dropped alone, both counted per mode (and
// the runs per reason). The kept runs describe the inputs on which the mode succeeds; where a
// failure depends on inputs that interact or are correlated, dropping also makes the kept
// permutations non-uniform, so the effects of such a mode are then approximate (the outputs
// file says so). A SegmentedStudy (sampling/segment_runner.hpp): the work items are
// index-defined blocks of variance runs, then of permutations, each permutation with its own
// random stream, so the same seed gives bit-identical results for any thread count, any number
// of MPI ranks and across a checkpoint and resume; memory is independent of M.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"
#include "symbiomc/stats/shapley.hpp"

namespace symbiomc {

// Defaults: the interval half-width of this estimator is about the same for every input,
// ~0.7 / sqrt(M) on the biomass case (49 inputs, 144 runs per permutation), so M = 50000 gives
// about +-0.007 for 7.2 million runs. N_v = 500000 keeps the error of V^ (which scales the
// larger effects) well below that at ~7 % of the runs.
struct ShapleyConfig {
  std::uint64_t permutations = 50000;         ///< M
  std::size_t outer = SHAPLEY_DEFAULT_OUTER;  ///< N_o
  std::size_t inner = SHAPLEY_DEFAULT_INNER;  ///< N_i
  std::uint64_t variance_runs = 500000;       ///< N_v, the joint draws behind Var(Y)
  std::uint64_t seed = 1;
  double conf_level = 0.95;
  std::size_t permutation_block = 16;  ///< permutations per index-defined block
  std::size_t variance_block = 4096;   ///< variance runs per index-defined block
  std::size_t segment_blocks = 32;     ///< blocks per index-defined segment (MPI/checkpoint unit)
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  ///< in model runs
  SegmentScheduler* scheduler = nullptr;                                  ///< where segments run; null = this process
  CheckpointOptions checkpoint;               ///< --checkpoint / --checkpoint-every / --resume
  std::vector<IdentityEntry> input_identity;  ///< the caller's inputs and their checksums
};

/// What determines a Shapley result besides the inputs: compared on resume and across ranks.
[[nodiscard]] std::vector<IdentityEntry> result_identity(const ShapleyConfig& config);

struct ShapleyResult {
  ShapleyConfig config;
  std::vector<std::string> parameters;  ///< names, in Problem::parameters() order
  std::vector<std::string> modes;
  std::vector<std::vector<ModelOutput>> outputs;        ///< [mode] -> its outputs
  std::vector<ShapleyEstimates> estimates;              ///< [mode]
  std::uint64_t model_runs = 0;                         ///< rows evaluated (variance runs and permutation runs)
  std::uint64_t permutation_runs = 0;                   ///< runs per permutation: (d - 1) N_o N_i
  std::vector<std::uint64_t> dropped_permutations;      ///< [mode]: with a failed run there
  std::vector<std::uint64_t> dropped_variance_runs;     ///< [mode]: failed variance runs
  std::vector<std::vector<std::uint64_t>> failed_runs;  ///< [mode][RunStatus], all runs
  std::vector<CorrelationPair> correlations;  ///< the problem's rank-correlation pairs (none: independent inputs)
};

/// Runs the Shapley study. Throws ModelError when the problem has no uncertain parameter, the
/// sample sizes are too small (M < 2, N_v < 2, N_o < 1, N_i < 2) or the level is not in (0, 1);
/// RunInterrupted on cancel. With an MPI scheduler only the root rank's result is filled in.
[[nodiscard]] ShapleyResult run_shapley(const Model& model, const Problem& problem, const ShapleyConfig& config);

}  // namespace symbiomc
