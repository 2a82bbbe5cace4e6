#pragma once
// Monte Carlo uncertainty propagation: draw parameter sets (plain MC, Latin hypercube or
// randomised Sobol' QMC), evaluate every mode and independent operation on the same draw
// (common random numbers), and fold the results into streaming, mergeable statistics.
// Blocks of runs are index-defined and merged in block order, so the same seed gives
// bit-identical results for any number of threads, MPI ranks, or an interruption and resume in
// between (a SegmentedStudy, sampling/segment_runner.hpp); memory does not grow with the runs.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/sampling/design.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"
#include "symbiomc/stats/stats.hpp"
#include "symbiomc/studies/decision_analysis.hpp"

namespace symbiomc {

enum class OnFailure { skip, abort };

/// A user threshold on one output: report P(output > value) for every mode.
struct OutputThreshold {
  std::string output;
  double value = 0.0;
};

struct UncertaintyConfig {
  std::uint64_t runs = 100000;
  std::uint64_t seed = 1;
  SamplingMethod method = SamplingMethod::mc;
  std::size_t block_size = 4096;  ///< runs per index-defined block (part of the result's identity)
  /// Blocks merged in order into one segment (the MPI and checkpoint unit; part of the identity).
  std::size_t segment_blocks = 64;
  std::size_t replicates = 8;  ///< qmc only: independent randomisations, for the CI of the mean
  std::size_t histogram_bins = 2048;
  double conf_level = 0.95;
  std::vector<OutputThreshold> thresholds;
  /// --decision: decisions between the modes (decision_analysis.hpp), validated before any run.
  std::vector<DecisionRequest> decisions;
  std::size_t decision_bins = 0;  ///< EVPPI bins per parameter; 0 = default_bins(runs)
  /// Leading runs (whole blocks) behind the importance measures and targets; 0 = none computed.
  std::uint64_t importance_runs = DEFAULT_IMPORTANCE_RUNS;
  OnFailure on_failure = OnFailure::skip;
  std::string dump_runs_path;                                             ///< optional per-run CSV (inputs and outputs)
  const std::atomic<bool>* cancel = nullptr;                              ///< set by a signal handler
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  ///< called between waves
  SegmentScheduler* scheduler = nullptr;      ///< where segments run; null = this process (LocalScheduler)
  CheckpointOptions checkpoint;               ///< --checkpoint / --checkpoint-every / --resume
  std::vector<IdentityEntry> input_identity;  ///< the caller's inputs and their checksums (resume and MPI checks)
};

/// What determines an uncertainty result besides the inputs: compared on resume and across ranks.
[[nodiscard]] std::vector<IdentityEntry> result_identity(const UncertaintyConfig& config);

/// Statistics of one (mode, output).
struct OutputResult {
  ModelOutput label;
  OutputStats stats;
  std::vector<Moments> replicate_means;  ///< qmc: one Moments per replicate (for the CI)
};

/// P(mode a > mode b) and the distribution of a - b for one output, a < b in mode order.
struct ComparisonResult {
  std::string output;
  std::string unit;
  std::size_t mode_a = 0, mode_b = 0;
  PairComparison comparison;
};

struct UncertaintyResult {
  UncertaintyConfig config;
  std::vector<std::string> modes;
  std::vector<ModelInput> inputs;
  std::uint64_t runs = 0;                            ///< runs drawn
  std::uint64_t runs_with_failure = 0;               ///< runs in which at least one mode failed
  std::vector<std::vector<std::uint64_t>> failures;  ///< [mode][RunStatus] counts
  std::vector<OutputResult> outputs;                 ///< model output order
  std::vector<ComparisonResult> comparisons;
  std::vector<DecisionOutcome> decisions;  ///< one per UncertaintyConfig::decisions entry
  ImportanceOutcome importance;

  /// CI of the mean at `level`: Student t over replicates for qmc, CLT otherwise.
  [[nodiscard]] std::pair<double, double> mean_ci(std::size_t output, double level) const;
  [[nodiscard]] std::uint64_t failed_runs(std::size_t mode) const;
};

/// Runs the study. `threads` is not a parameter: the caller's tbb::global_control sets it,
/// and the result does not depend on it, nor on the number of MPI ranks or on an interruption
/// and resume in between. Throws ModelError on bad configuration, RunInterrupted on
/// cancel/abort. With an MPI scheduler, only the root rank's result is filled in.
[[nodiscard]] UncertaintyResult run_uncertainty(const Model& model, const Problem& problem,
                                                const UncertaintyConfig& config);

}  // namespace symbiomc
