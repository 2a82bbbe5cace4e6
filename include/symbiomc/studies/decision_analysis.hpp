#pragma once
// What an uncertainty study learns from its runs beyond the output distributions, with no
// extra design (the "given data" estimators of stats/given_data.hpp, fed each run's marginal
// uniforms v = F(x) after the copula, so every measure stays valid with correlations):
//   - decisions (--decision OUTPUT[:max|:min]; stats/decision.hpp): the best mode by expected
//     value among all modes, independent operation included, each mode's P(best), EVPI, and
//     EVPPI of every uncertain parameter and of every parameter group of two or more members,
//     and the probabilistic tornado (stats/decile_means.hpp: each mode's mean with each
//     parameter in its lowest and in its highest decile, from every run used);
//   - importance of every parameter for every (mode, output) (stats/importance.hpp): the binned
//     first-order index, Borgonovo's delta (for the outputs named by --decision and
//     --threshold) and SRRC;
//   - target sensitivity: the binned first-order index of 0/1 indicators - what drives
//     P(output > threshold) for each --threshold in every mode, and P(mode a > mode b) for every
//     pair of modes, baseline included, on each output a --decision or --threshold names. (Not on
//     every output of comparisons.csv: on the biomass case that would be 60 more indicators,
//     costing as much as every output's own indices; name an output to get its pairs.)
// This header holds the requests, the fixed settings and the results; studies/uncertainty.cpp
// computes them inside the segmented study (studies/given_data_statistics.*), so they are
// byte-identical for any thread count, MPI rank count and across checkpoint/resume.
//
// Runs used: a run counts only when every mode's status is ok in it (a decision compares all
// modes in the same run; importance uses the same runs so that its measures describe one set).
// The others are counted and reported as excluded, never dropped silently.
//
// Batches (the delete-one-batch jackknife behind every interval, given_data.hpp): K =
// GIVEN_DATA_BATCHES, index-defined. For the decisions, block b is cut into c equal chunks,
// c = ceil(K / blocks of the study) (1 for studies of K blocks or more), and chunk i goes to
// batch (b c + i) mod K; likewise for the importance measures, with c = ceil(K / blocks feeding
// them). The batches depend on the seed and options only.
//
// Cost bound: the importance measures and targets use the runs of the first
// ceil(importance_runs / block size) blocks (UncertaintyConfig::importance_runs, --importance-runs,
// default DEFAULT_IMPORTANCE_RUNS, recorded as runs_used): per run they cost more than the model
// (a scatter-add per output and parameter, 2,450 for the biomass case; d^2/2 products for SRRC;
// a reference-CDF search per output), so over a million runs they would more than double the run.
// On the biomass case 2^14 runs give 95 % intervals of +-0.01 for first-order indices above 0.1
// (+-0.0075 at 2^15), and the coarseness of the bins (26 at 2^14) is of the same order: more
// runs would mostly refine digits the bins do not support. Once those blocks are all folded, the
// sums are turned into their estimates, which is all the study's state (memory, checkpoints)
// keeps of them from then on. Decisions use every run. Measured on the biomass case (10^6 runs,
// 2 threads, medians of 9, a shared and noisy machine): importance adds ~10 % of CPU time and
// 7-15 % of wall time; --decision on one output another ~20 % of CPU time (its EVPPI cells,
// d (M - 1) sums per run, are most of it; delta's finalize a few %).
// The first-order index uses delta's bins, default_bins(runs used) (Plischke et al.'s rule), not
// importance.hpp's sqrt(n): its sums are the largest state (16 K d B bytes per output; 50 outputs,
// d = 49, B = 26 -> 16 MB at K = 16, against 80 MB at sqrt(n) = 128 bins), and they cross segments,
// MPI ranks and checkpoints. Bin means of a linear effect keep 1 - 1/B^2 of its variance.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "symbiomc/stats/decile_means.hpp"
#include "symbiomc/stats/decision.hpp"
#include "symbiomc/stats/importance.hpp"

namespace symbiomc {

/// Jackknife batches of every given-data estimate but delta. 16 (the estimators' coverage tests
/// use 20, tests/test_decision.cpp and test_importance.cpp; t_15 widens a 95 % interval by 9 %
/// over the normal quantile, t_19 by 7 %): memory and the finalize's work grow with K.
inline constexpr std::size_t GIVEN_DATA_BATCHES = 16;

/// Jackknife batches of Borgonovo's delta: batch k of the others goes to k * 8 / K. Delta's
/// finalize evaluates (batches + 1) B H folded-normal terms per (output, parameter)
/// (borgonovo_delta.hpp), the largest fixed cost of an uncertainty run with --decision (0.2 s of
/// CPU for the four synergy modes of the biomass case at 16 batches); 8 halve it, and its counts.
inline constexpr std::size_t DELTA_BATCHES = 8;
static_assert(GIVEN_DATA_BATCHES % DELTA_BATCHES == 0, "delta's batches must merge whole batches");

/// Level of every given-data interval (the "ci95" keys of decision.json and importance.json),
/// whatever --conf-level says: those keys name their level.
inline constexpr double GIVEN_DATA_CONF_LEVEL = 0.95;

/// Default of UncertaintyConfig::importance_runs (--importance-runs).
inline constexpr std::uint64_t DEFAULT_IMPORTANCE_RUNS = std::uint64_t{1} << 14;

/// --decision OUTPUT[:max|:min].
struct DecisionRequest {
  std::string output;
  DecisionDirection direction = DecisionDirection::maximise;

  friend bool operator==(const DecisionRequest&, const DecisionRequest&) = default;
};

/// "max" or "min".
[[nodiscard]] const char* to_string(DecisionDirection direction) noexcept;

/// A group EVPPI is asked for: a Problem group of at least two members.
struct DecisionGroup {
  std::string name;
  std::vector<std::size_t> members;  ///< indices into Problem::parameters()

  friend bool operator==(const DecisionGroup&, const DecisionGroup&) = default;
};

/// One decision's result.
struct DecisionOutcome {
  DecisionRequest request;
  std::string unit;                      ///< the output's unit (EVPI, EVPPI and means are in it)
  std::vector<std::size_t> outputs;      ///< [mode]: the model output index of request.output in that mode
  std::vector<DecisionGroup> groups;     ///< in DecisionSetup::groups order
  std::uint64_t runs_seen = 0;           ///< runs of the study
  std::uint64_t runs_used = 0;           ///< runs in which every mode's status was ok
  std::size_t bins = 0;                  ///< EVPPI bins per parameter
  std::optional<DecisionResult> result;  ///< empty when it could not be computed (see reason)
  std::string reason;
  /// The probabilistic tornado (stats/decile_means.hpp), [mode * parameters + j]: the output's mean
  /// over the runs used in which parameter j lies in its lowest and in its highest decile.
  /// Empty when result is.
  std::vector<DecileMeans> tornado;

  friend bool operator==(const DecisionOutcome&, const DecisionOutcome&) = default;
};

/// What a target indicator is.
enum class TargetKind : std::uint8_t { threshold, comparison };

/// A 0/1 indicator whose first-order indices are reported.
struct TargetSpec {
  TargetKind kind = TargetKind::threshold;
  std::string output;
  std::string unit;
  double threshold = 0.0;    ///< threshold: the indicator is y(output_a) > threshold
  std::size_t mode_a = 0;    ///< threshold: the mode; comparison: the indicator is y(output_a) > y(output_b)
  std::size_t mode_b = 0;    ///< comparison only
  std::size_t output_a = 0;  ///< model output indices
  std::size_t output_b = 0;
  std::string label;  ///< e.g. "savings > 800" or "savings: m2 > m3"

  friend bool operator==(const TargetSpec&, const TargetSpec&) = default;
};

/// Importance of every parameter for every (mode, output), and target sensitivity.
struct ImportanceOutcome {
  bool enabled = false;         ///< false with importance_runs = 0
  std::uint64_t max_runs = 0;   ///< UncertaintyConfig::importance_runs
  std::uint64_t runs_seen = 0;  ///< runs of the blocks that feed importance
  std::uint64_t runs_used = 0;  ///< of those, runs in which every mode's status was ok
  std::size_t first_order_bins = 0;
  std::size_t delta_bins = 0;
  std::size_t batches = 0;
  std::size_t delta_batches = 0;
  std::vector<std::size_t> delta_outputs;  ///< model output indices with a delta (increasing)
  /// [model output]; empty when not computed (first_order_reason says why), likewise below.
  std::vector<FirstOrderOutput> first_order;
  std::string first_order_reason;
  std::vector<std::vector<DeltaEstimate>> delta;  ///< [i][parameter] for delta_outputs[i]
  std::vector<std::string> delta_reason;          ///< [i]: empty when delta[i] was computed
  std::vector<RankRegressionOutput> srrc;         ///< [model output]
  std::string srrc_reason;
  std::vector<TargetSpec> targets;
  std::vector<FirstOrderOutput> target_first_order;  ///< [target]; mean = P(indicator)
  std::string target_reason;

  friend bool operator==(const ImportanceOutcome&, const ImportanceOutcome&) = default;
};

}  // namespace symbiomc
