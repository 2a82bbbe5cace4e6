#pragma once
// Sobol' indices driven over a Model: a pick-freeze (Saltelli) design that the tool owns, so
// sample and analysis can never be mismatched, streamed through per-mode accumulators block by
// block (estimators in stats/sobol.hpp), with convergence snapshots at N/8, N/4, N/2 and N and,
// with --target-ci-width, N doubled until every total-effect interval is narrow enough.
// A SegmentedStudy (sampling/segment_runner.hpp): same seed -> bit-identical results for any
// thread count, any number of MPI ranks and across a checkpoint and resume; memory independent
// of N.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/sampling/design.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"
#include "symbiomc/stats/sobol.hpp"

namespace symbiomc {

/// A Sobol' factor: one parameter, or a group of parameters moved together.
struct SobolFactor {
  std::string name;
  bool is_group = false;
  std::vector<std::size_t> members;  ///< indices into Problem::parameters()
};

struct SobolConfig {
  std::uint64_t base_runs = 1024;  ///< N (base samples); runs = N(F+2), or N(2F+2) with second order
  std::uint64_t seed = 1;
  SamplingMethod method = SamplingMethod::mc;  ///< mc or qmc (randomised Sobol')
  std::size_t replicates = 8;                  ///< qmc: independent digital shifts behind the intervals
  bool second_order = false;
  bool groups = false;  ///< add one factor per multi-parameter group
  double conf_level = 0.95;
  std::size_t base_block = 256;     ///< base samples per index-defined block
  double target_ci_width = 0.0;     ///< > 0: double N until every ST interval is narrower
  std::uint64_t max_base_runs = 0;  ///< cap for target_ci_width (0 = 64 N)
  std::size_t segment_blocks = 32;  ///< blocks per index-defined segment (MPI/checkpoint unit)
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  SegmentScheduler* scheduler = nullptr;      ///< where segments run; null = this process
  CheckpointOptions checkpoint;               ///< --checkpoint / --checkpoint-every / --resume
  std::vector<IdentityEntry> input_identity;  ///< the caller's inputs and their checksums
};

/// What determines a Sobol' result besides the inputs: compared on resume and across ranks.
[[nodiscard]] std::vector<IdentityEntry> result_identity(const SobolConfig& config);

/// The indices of one mode's outputs after some number of base samples.
struct SobolSnapshot {
  std::uint64_t base_runs = 0;
  std::vector<SobolEstimates> modes;  ///< one per model mode; n_base may be lower (dropped samples)
};

struct SobolResult {
  SobolConfig config;
  std::vector<SobolFactor> factors;
  std::vector<std::string> modes;
  std::vector<std::vector<ModelOutput>> outputs;        ///< [mode] -> its outputs
  std::vector<SobolEstimates> estimates;                ///< [mode], final
  std::vector<SobolSnapshot> convergence;               ///< at N/8, N/4, N/2, N (and each doubling)
  std::uint64_t base_runs = 0;                          ///< N actually used
  std::uint64_t model_runs = 0;                         ///< rows evaluated
  std::vector<std::uint64_t> dropped_base_samples;      ///< [mode]
  std::vector<std::vector<std::uint64_t>> failed_rows;  ///< [mode][RunStatus]
  bool target_reached = true;                           ///< false when the cap stopped the doubling
  double widest_total_ci = 0.0;                         ///< max ST interval width at the end
};

/// Builds the factor list: every parameter, then (with groups) each group of 2+ members.
[[nodiscard]] std::vector<SobolFactor> sobol_factors(const Problem& problem, bool with_groups);

/// Runs Sobol' analysis. Throws ModelError when the problem has correlations (Sobol' indices
/// assume independent inputs: drop them explicitly first), RunInterrupted on cancel. Same
/// bits for any thread count, any number of MPI ranks and across a checkpoint and resume; with
/// an MPI scheduler only the root rank's result is filled in.
[[nodiscard]] SobolResult run_sobol(const Model& model, const Problem& problem, const SobolConfig& config);

}  // namespace symbiomc
