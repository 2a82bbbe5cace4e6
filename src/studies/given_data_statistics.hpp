#pragma once
// The decision, importance and target statistics of an uncertainty study
// (studies/decision_analysis.hpp) in the shape the segmented study needs: a plan fixed before
// the first block (from the configuration and the pilot block that also fixes the histogram
// edges), accumulation of one block's runs on a worker thread, exact merges in block order,
// bytes for segments and checkpoints, and the final estimates. Private to the studies stage.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/stats/decile_means.hpp"
#include "symbiomc/stats/decision.hpp"
#include "symbiomc/stats/importance.hpp"
#include "symbiomc/studies/decision_analysis.hpp"

namespace symbiomc::detail {

/// Everything fixed before the first block, identical on every rank and after a resume.
struct GivenDataPlan {
  std::size_t n_parameters = 0, n_outputs = 0, n_modes = 0;
  std::vector<std::size_t> all_outputs;  ///< 0, 1, ..., n_outputs - 1
  std::size_t batches = GIVEN_DATA_BATCHES;
  std::size_t decision_chunks = 1;  ///< chunks per block (decision_analysis.hpp, "Batches")
  std::size_t importance_chunks = 1;
  std::uint64_t importance_blocks = 0;     ///< blocks [0, importance_blocks) feed the importance measures
  std::vector<DecisionOutcome> decisions;  ///< descriptions (no results yet)
  std::vector<DecisionSetup> decision_setups;
  bool importance = false;
  FirstOrderSetup first_order;  ///< every model output
  RankRegressionSetup rank;     ///< every model output
  std::vector<std::size_t> delta_outputs;
  std::vector<DeltaSetup> delta;  ///< one per delta output
  std::vector<TargetSpec> targets;
  FirstOrderSetup target_first_order;  ///< one "output" per target (unused without targets)

  /// Whether any given-data statistic is computed at all.
  [[nodiscard]] bool active() const noexcept { return !decisions.empty() || importance; }
  /// Whether block `block` feeds the importance measures.
  [[nodiscard]] bool feeds_importance(std::uint64_t block) const noexcept {
    return importance && block < importance_blocks;
  }
};

/// What the plan needs to know of the study.
struct GivenDataInputs {
  const Model& model;
  const Problem& problem;
  std::vector<DecisionRequest> decisions;
  std::vector<std::pair<std::string, double>> thresholds;  ///< (output, value) of each --threshold
  std::uint64_t runs = 0;                                  ///< runs of the study
  std::uint64_t total_blocks = 0;
  std::size_t block_size = 0;
  std::uint64_t importance_runs = 0;  ///< 0: no importance measures
  std::size_t decision_bins = 0;      ///< 0: default_bins(runs)
};

/// The pilot block's runs, as the model wrote them: y[r * outputs + o], status[r * modes + m].
struct PilotRuns {
  std::span<const double> y;
  std::span<const RunStatus> status;
  std::size_t n = 0;
};

/// Validates the decision requests (InputError: unknown output with a suggestion, fewer than two
/// modes, an output missing from a mode, a decision given twice) without a pilot: call it before
/// any computation.
void check_decisions(const Model& model, const std::vector<DecisionRequest>& decisions);

/// The plan: bins, batches, targets, and the pilot-derived settings (first-order shifts = pilot
/// means, delta class edges at the pilot's quantiles, SRRC reference CDFs = the pilot's
/// empirical CDFs), all from the pilot's runs in which every mode is ok (a pilot without any
/// gives neutral settings: shift 0, one edge at 0, a reference {0}).
[[nodiscard]] GivenDataPlan plan_given_data(const GivenDataInputs& inputs, const PilotRuns& pilot);

/// Per-thread buffers of GivenDataStatistics::add_block, reused from block to block.
struct GivenDataScratch {
  std::vector<std::size_t> rows;
  std::vector<double> v, y_decision, y_outputs, y_targets;  // a chunk's runs, column-major
  RegressionBlockDesign design;                             // the decisions' regression design
  std::vector<std::uint16_t> bin_storage;                   // a BlockBins's, between blocks
  std::vector<std::uint32_t> decile_storage;                // a BlockDeciles's, between blocks
  DecisionAccumulator::Workspace decision_work;             // every decision's, block after block
};

/// One block's runs as the study holds them: y[r * outputs + o], status[r * modes + m] (as the
/// model wrote them) and the marginal uniforms parameter-major, v[j * n + r], n runs.
struct BlockRuns {
  std::span<const double> y;
  std::span<const RunStatus> status;
  std::span<const double> v;
  std::size_t n = 0;
};

/// The accumulators of one block, one segment or the running total.
class GivenDataStatistics {
 public:
  /// Empty accumulators for every decision, and importance ones when `with_importance`.
  GivenDataStatistics(const GivenDataPlan& plan, bool with_importance);

  [[nodiscard]] bool has_importance() const noexcept { return importance_.has_value(); }

  /// Turns the importance sums into their estimates (finalize_importance) and drops the sums:
  /// called once every block that feeds them is folded, so that checkpoints and memory no longer
  /// carry them. No-op without sums.
  void finish_importance(const GivenDataPlan& plan, std::uint64_t max_runs);

  /// Adds block `block`'s runs (thread-safe for distinct objects; scratch per thread).
  void add_block(const GivenDataPlan& plan, std::uint64_t block, const BlockRuns& runs, GivenDataScratch& scratch);

  /// Gives this object an empty importance part shaped like `from`'s when `from` has one and
  /// this one has none yet (segments and the total receive one lazily, from the first block
  /// that feeds importance; merging into empty sums is an exact copy). Call it before merge_task.
  void prepare_merge(const GivenDataStatistics& from);
  /// Independent merge tasks (one per accumulator), so that a wave's merge can run them in
  /// parallel: prepare_merge(from), then merge_task(t, from) for every t and merge_counts(from),
  /// equals merge(from).
  [[nodiscard]] std::size_t merge_tasks() const noexcept;
  void merge_task(std::size_t task, const GivenDataStatistics& from);
  void merge_counts(const GivenDataStatistics& from);
  /// Everything of `from` (which may lack the importance part; this one must have it if `from` does).
  void merge(const GivenDataStatistics& from);
  /// Same, taking `from`'s importance sums when this object has none yet.
  void merge(GivenDataStatistics&& from);

  void save(ByteWriter& out) const;
  [[nodiscard]] static GivenDataStatistics load(ByteReader& in, const GivenDataPlan& plan);

  /// The estimates, computed in parallel over the accumulators (each one's arithmetic is
  /// sequential, so the bits do not depend on the threads). An estimate that cannot be made
  /// (too few runs) is left empty with its reason.
  [[nodiscard]] std::vector<DecisionOutcome> finalize_decisions(const GivenDataPlan& plan) const;
  [[nodiscard]] ImportanceOutcome finalize_importance(const GivenDataPlan& plan, std::uint64_t max_runs) const;

 private:
  struct Importance {
    FirstOrderAccumulator first_order;
    std::vector<DeltaAccumulator> delta;
    RankRegressionAccumulator rank;
    std::optional<FirstOrderAccumulator> targets;
  };
  enum class Part : std::uint8_t { decisions, importance };
  GivenDataStatistics() = default;
  void add_chunk(const GivenDataPlan& plan, Part part, std::size_t batch, const BlockRuns& runs, std::size_t first,
                 std::size_t last, GivenDataScratch& scratch);

  std::uint64_t decision_runs_seen_ = 0;    ///< runs offered to the decisions
  std::uint64_t importance_runs_seen_ = 0;  ///< runs offered to the importance measures
  std::vector<DecisionAccumulator> decisions_;
  std::vector<DecileMeansAccumulator> tornado_;  ///< one per decision, beside decisions_
  std::optional<Importance> importance_;
  std::optional<ImportanceOutcome> importance_result_;  ///< after finish_importance
};

}  // namespace symbiomc::detail
