#include "given_data_statistics.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "importance_outcome_bytes.hpp"
#include "symbiomc/base/number_format.hpp"
#include "symbiomc/stats/borgonovo_delta.hpp"
#include "symbiomc/stats/given_data.hpp"
#include "symbiomc/stats/rank_regression.hpp"

namespace symbiomc {

const char* to_string(DecisionDirection direction) noexcept {
  return direction == DecisionDirection::minimise ? "min" : "max";
}

namespace detail {

namespace {

/// The model output index of `output` in mode `mode`, or none.
std::optional<std::size_t> output_of(const Model& model, std::size_t mode, const std::string& output) {
  const auto& outputs = model.outputs();
  for (std::size_t o = 0; o < outputs.size(); ++o)
    if (outputs[o].mode_index == mode && outputs[o].output == output) return o;
  return std::nullopt;
}

/// Output names in order of first appearance (every mode has the same list for a case).
std::vector<std::string> output_names(const Model& model) {
  std::vector<std::string> names;
  for (const auto& o : model.outputs())
    if (std::find(names.begin(), names.end(), o.output) == names.end()) names.push_back(o.output);
  return names;
}

/// Columns of the pilot's usable runs (every mode ok): [output][run].
std::vector<std::vector<double>> pilot_columns(const PilotRuns& pilot, std::size_t outputs, std::size_t modes) {
  std::vector<std::vector<double>> columns(outputs);
  for (std::size_t r = 0; r < pilot.n; ++r) {
    const RunStatus* st = pilot.status.data() + r * modes;
    if (!std::all_of(st, st + modes, [](RunStatus s) { return s == RunStatus::ok; })) continue;
    for (std::size_t o = 0; o < outputs; ++o) columns[o].push_back(pilot.y[r * outputs + o]);
  }
  return columns;
}

double mean_of(const std::vector<double>& values) {
  double mean = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) mean += (values[i] - mean) / static_cast<double>(i + 1);
  return mean;
}

/// A pilot column, or the neutral {0} when the pilot had no usable run.
std::span<const double> or_neutral(const std::vector<double>& column) {
  static constexpr double ZERO[] = {0.0};
  return column.empty() ? std::span<const double>(ZERO) : std::span<const double>(column);
}

/// The threshold targets (every mode of each --threshold), then every pair of modes, baseline
/// included, on each output a --threshold or --decision names (see decision_analysis.hpp).
std::vector<TargetSpec> plan_targets(const GivenDataInputs& in) {
  const Model& model = in.model;
  std::vector<TargetSpec> targets;
  for (const auto& [output, value] : in.thresholds) {
    for (std::size_t m = 0; m < model.modes().size(); ++m) {
      const auto o = output_of(model, m, output);
      if (!o) continue;
      targets.push_back({TargetKind::threshold, output, model.outputs()[*o].unit, value, m, 0, *o, 0,
                         message(output, " > ", plain_number(value))});
    }
  }
  std::vector<std::string> named;
  for (const auto& d : in.decisions) named.push_back(d.output);
  for (const auto& t : in.thresholds) named.push_back(t.first);
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (std::find(named.begin(), named.begin() + static_cast<std::ptrdiff_t>(i), named[i]) !=
        named.begin() + static_cast<std::ptrdiff_t>(i))
      continue;  // named twice
    for (std::size_t a = 0; a < model.modes().size(); ++a) {
      for (std::size_t b = a + 1; b < model.modes().size(); ++b) {
        const auto oa = output_of(model, a, named[i]), ob = output_of(model, b, named[i]);
        if (!oa || !ob) continue;
        targets.push_back({TargetKind::comparison, named[i], model.outputs()[*oa].unit, 0.0, a, b, *oa, *ob,
                           message(named[i], ": ", model.modes()[a], " > ", model.modes()[b])});
      }
    }
  }
  return targets;
}

/// The problem's normal-score correlation over all its parameters (d x d, row-major), or empty
/// when they are independent: what a regression EVPPI integrates over (decision.hpp).
std::vector<double> normal_score_matrix(const Problem& problem) {
  if (!problem.correlation()) return {};
  const RankCorrelation& c = *problem.correlation();
  const std::size_t d = problem.dimension(), k = c.members().size();
  std::vector<double> r(d * d, 0.0);
  for (std::size_t j = 0; j < d; ++j) r[j * d + j] = 1.0;
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b)
      r[c.members()[a] * d + c.members()[b]] = c.normal_score_correlation()[a * k + b];
  return r;
}

/// The decisions' descriptions and accumulator setups.
void plan_decisions(const GivenDataInputs& in, GivenDataPlan& plan) {
  const std::size_t bins = in.decision_bins > 0 ? in.decision_bins : default_bins(in.runs);
  std::vector<DecisionGroup> groups;
  for (const ParameterGroup& g : in.problem.groups())
    if (g.members.size() >= 2) groups.push_back({g.name, g.members});
  for (const DecisionRequest& request : in.decisions) {
    DecisionOutcome d;
    d.request = request;
    for (std::size_t m = 0; m < plan.n_modes; ++m) d.outputs.push_back(*output_of(in.model, m, request.output));
    d.unit = in.model.outputs()[d.outputs.front()].unit;
    d.groups = groups;
    d.bins = bins;
    DecisionSetup setup{plan.n_modes, plan.n_parameters, bins, plan.batches, request.direction, {}, {}};
    for (const DecisionGroup& g : groups) setup.groups.push_back(g.members);
    setup.normal_scores = normal_score_matrix(in.problem);
    plan.decisions.push_back(std::move(d));
    plan.decision_setups.push_back(std::move(setup));
  }
}

/// The importance setups from the pilot's columns.
void plan_importance(const GivenDataInputs& in, const std::vector<std::vector<double>>& columns, GivenDataPlan& plan) {
  const std::uint64_t planned = std::min<std::uint64_t>(in.runs, plan.importance_blocks * in.block_size);
  const std::size_t delta_bins = default_bins(planned);
  const std::size_t classes = default_delta_classes(delta_bins);
  // The first-order index on delta's bins (decision_analysis.hpp: memory), sharing their BlockBins.
  plan.first_order = {plan.n_parameters, delta_bins, plan.batches, {}};
  plan.rank = {plan.n_parameters, plan.batches, {}};
  for (std::size_t o = 0; o < plan.n_outputs; ++o) {
    plan.first_order.shift.push_back(mean_of(columns[o]));
    plan.rank.reference.emplace_back(or_neutral(columns[o]));
  }
  // Delta for every mode of the outputs a decision or a threshold names.
  std::vector<std::string> named;
  for (const auto& d : in.decisions) named.push_back(d.output);
  for (const auto& t : in.thresholds) named.push_back(t.first);
  for (std::size_t o = 0; o < plan.n_outputs; ++o) {
    if (std::find(named.begin(), named.end(), in.model.outputs()[o].output) == named.end()) continue;
    plan.delta_outputs.push_back(o);
    plan.delta.push_back(
        {plan.n_parameters, delta_bins, DELTA_BATCHES, {equal_probability_edges(or_neutral(columns[o]), classes)}});
  }
  plan.targets = plan_targets(in);
  plan.target_first_order = {plan.n_parameters, plan.first_order.bins, plan.batches, {}};
  const std::size_t pilot_runs = columns.empty() ? 0 : columns.front().size();
  for (const TargetSpec& t : plan.targets) {
    double hits = 0.0;
    for (std::size_t r = 0; r < pilot_runs; ++r) {
      const double a = columns[t.output_a][r];
      hits += t.kind == TargetKind::threshold ? (a > t.threshold) : (a > columns[t.output_b][r]);
    }
    plan.target_first_order.shift.push_back(pilot_runs > 0 ? hits / static_cast<double>(pilot_runs) : 0.0);
  }
}

/// out[c * rows.size() + i] = in[rows[i] * width + columns[c]]: chosen rows and columns of a
/// row-major table, column-major. In tiles of a few rows, so that the rows read stay in cache
/// while every column is written.
void gather_columns(std::span<const double> in, std::size_t width, const std::vector<std::size_t>& rows,
                    std::span<const std::size_t> columns, double* out) {
  constexpr std::size_t TILE = 8;
  const std::size_t n = rows.size();
  for (std::size_t first = 0; first < n; first += TILE) {
    const std::size_t last = std::min(n, first + TILE);
    for (std::size_t c = 0; c < columns.size(); ++c)
      for (std::size_t i = first; i < last; ++i) out[c * n + i] = in[rows[i] * width + columns[c]];
  }
}

template <class Task>
void for_each_task(std::size_t count, Task&& task) {
  tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) { task(i); });
}

}  // namespace

void check_decisions(const Model& model, const std::vector<DecisionRequest>& decisions) {
  const std::vector<std::string> names = output_names(model);
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const DecisionRequest& d = decisions[i];
    const std::string option = message("--decision ", d.output, ":", to_string(d.direction));
    if (std::find(names.begin(), names.end(), d.output) == names.end())
      throw InputError(message(option, ": unknown output '", d.output, "'", did_you_mean(d.output, names)));
    if (model.modes().size() < 2)
      throw InputError(message(option, ": a decision needs at least two modes to choose between, this model has ",
                               model.modes().size()));
    for (std::size_t m = 0; m < model.modes().size(); ++m)
      if (!output_of(model, m, d.output))
        throw InputError(message(option, ": mode '", model.modes()[m], "' has no output '", d.output, "'"));
    for (std::size_t j = 0; j < i; ++j)
      if (decisions[j] == d) throw InputError(message(option, ": the same decision is asked for twice"));
  }
}

GivenDataPlan plan_given_data(const GivenDataInputs& in, const PilotRuns& pilot) {
  GivenDataPlan plan;
  plan.n_parameters = in.problem.dimension();
  plan.n_outputs = in.model.outputs().size();
  plan.n_modes = in.model.modes().size();
  plan.importance = in.importance_runs > 0;
  for (std::size_t o = 0; o < plan.n_outputs; ++o) plan.all_outputs.push_back(o);
  const std::uint64_t importance_blocks = std::min<std::uint64_t>(
      in.total_blocks, in.importance_runs / in.block_size + (in.importance_runs % in.block_size != 0 ? 1 : 0));
  plan.importance_blocks = plan.importance ? importance_blocks : 0;
  // Enough chunks that the blocks behind each kind of statistic fill every batch.
  auto chunks = [&](std::uint64_t blocks) {
    blocks = std::max<std::uint64_t>(blocks, 1);
    return static_cast<std::size_t>((plan.batches + blocks - 1) / blocks);
  };
  plan.decision_chunks = chunks(in.total_blocks);
  plan.importance_chunks = chunks(importance_blocks);
  plan_decisions(in, plan);
  if (plan.importance) plan_importance(in, pilot_columns(pilot, plan.n_outputs, plan.n_modes), plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// GivenDataStatistics

GivenDataStatistics::GivenDataStatistics(const GivenDataPlan& plan, bool with_importance) {
  for (const DecisionSetup& setup : plan.decision_setups) {
    decisions_.emplace_back(setup);
    tornado_.emplace_back(plan.n_modes, plan.n_parameters);
  }
  if (!with_importance) return;
  std::vector<DeltaAccumulator> delta;
  for (const DeltaSetup& setup : plan.delta) delta.emplace_back(setup);
  std::optional<FirstOrderAccumulator> targets;
  if (!plan.targets.empty()) targets.emplace(plan.target_first_order);
  importance_.emplace(Importance{FirstOrderAccumulator(plan.first_order), std::move(delta),
                                 RankRegressionAccumulator(plan.rank), std::move(targets)});
}

void GivenDataStatistics::add_block(const GivenDataPlan& plan, std::uint64_t block, const BlockRuns& runs,
                                    GivenDataScratch& scratch) {
  // Decisions and importance cut the block into their own chunks (decision_analysis.hpp,
  // "Batches"): every chunk puts a whole batch of sums into the block's accumulators.
  auto each_chunk = [&](std::size_t chunks, Part part) {
    for (std::size_t i = 0; i < chunks; ++i) {
      const std::size_t first = runs.n * i / chunks, last = runs.n * (i + 1) / chunks;
      if (first == last) continue;
      const std::size_t batch = static_cast<std::size_t>((block * chunks + i) % plan.batches);
      add_chunk(plan, part, batch, runs, first, last, scratch);
    }
  };
  if (!decisions_.empty()) each_chunk(plan.decision_chunks, Part::decisions);
  if (importance_.has_value() && plan.feeds_importance(block)) each_chunk(plan.importance_chunks, Part::importance);
}

void GivenDataStatistics::add_chunk(const GivenDataPlan& plan, Part part, std::size_t batch, const BlockRuns& runs,
                                    std::size_t first, std::size_t last, GivenDataScratch& s) {
  const std::size_t d = plan.n_parameters, k = plan.n_outputs, modes = plan.n_modes;
  (part == Part::decisions ? decision_runs_seen_ : importance_runs_seen_) += last - first;
  s.rows.clear();
  for (std::size_t r = first; r < last; ++r) {
    const RunStatus* st = runs.status.data() + r * modes;
    if (std::all_of(st, st + modes, [](RunStatus x) { return x == RunStatus::ok; })) s.rows.push_back(r);
  }
  const std::size_t n = s.rows.size();
  if (n == 0) return;
  // The estimators want each parameter's runs contiguous. The block's v already is, parameter
  // by parameter; a chunk, or a block with failed runs, is copied out.
  std::span<const double> v = runs.v;
  if (n != runs.n) {
    s.v.resize(d * n);
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t i = 0; i < n; ++i) s.v[j * n + i] = runs.v[j * runs.n + s.rows[i]];
    v = s.v;
  }
  if (part == Part::decisions) {
    BlockBins bins(v, n, d, plan.decision_setups.front().bins, std::move(s.bin_storage));
    // Every decision has the case's groups (plan_decisions), so the regression design, which
    // depends on the inputs only, is computed once for all of them.
    decisions_.front().design(bins, s.design);
    const RegressionBlockDesign& design = s.design;
    BlockDeciles deciles(v, n, d, std::move(s.decile_storage));
    s.y_decision.resize(modes * n);
    for (std::size_t q = 0; q < decisions_.size(); ++q) {
      gather_columns(runs.y, k, s.rows, plan.decisions[q].outputs, s.y_decision.data());
      decisions_[q].add_block(s.y_decision, bins, design, batch, s.decision_work);
      tornado_[q].add_block(s.y_decision, deciles);
    }
    s.bin_storage = std::move(bins).release();
    s.decile_storage = std::move(deciles).release();
    return;
  }
  s.y_outputs.resize(k * n);
  gather_columns(runs.y, k, s.rows, plan.all_outputs, s.y_outputs.data());
  Importance& imp = *importance_;
  BlockBins bins(v, n, d, plan.first_order.bins, std::move(s.bin_storage));  // delta's bins too (plan_importance)
  imp.first_order.add_block(s.y_outputs, bins, batch);
  imp.rank.add_block(s.y_outputs, bins, batch);
  for (std::size_t i = 0; i < plan.delta.size(); ++i) {
    const std::span<const double> y(s.y_outputs.data() + plan.delta_outputs[i] * n, n);
    imp.delta[i].add_block(y, bins, batch * DELTA_BATCHES / plan.batches);
  }
  if (imp.targets) {
    s.y_targets.resize(plan.targets.size() * n);
    for (std::size_t t = 0; t < plan.targets.size(); ++t) {
      const TargetSpec& spec = plan.targets[t];
      const double* a = s.y_outputs.data() + spec.output_a * n;
      const double* b = s.y_outputs.data() + spec.output_b * n;
      double* hit = s.y_targets.data() + t * n;
      if (spec.kind == TargetKind::threshold) {
        for (std::size_t i = 0; i < n; ++i) hit[i] = a[i] > spec.threshold ? 1.0 : 0.0;
      } else {
        for (std::size_t i = 0; i < n; ++i) hit[i] = a[i] > b[i] ? 1.0 : 0.0;
      }
    }
    imp.targets->add_block(s.y_targets, bins, batch);
  }
  s.bin_storage = std::move(bins).release();
}

void GivenDataStatistics::prepare_merge(const GivenDataStatistics& from) {
  if (importance_ || !from.importance_) return;
  if (importance_result_) throw ModelError("given-data statistics: importance sums after their estimates were made");
  const Importance& x = *from.importance_;
  std::vector<DeltaAccumulator> delta;
  for (const DeltaAccumulator& d : x.delta) delta.emplace_back(d.setup());
  std::optional<FirstOrderAccumulator> targets;
  if (x.targets) targets.emplace(x.targets->setup());
  importance_.emplace(Importance{FirstOrderAccumulator(x.first_order.setup()), std::move(delta),
                                 RankRegressionAccumulator(x.rank.setup()), std::move(targets)});
}

// Tasks: [0, decisions) the decisions; then, with importance, first order, rank regression,
// targets, and one per delta output.
std::size_t GivenDataStatistics::merge_tasks() const noexcept {
  return decisions_.size() + (importance_ ? 3 + importance_->delta.size() : 0);
}

void GivenDataStatistics::merge_task(std::size_t task, const GivenDataStatistics& from) {
  if (task < decisions_.size()) {
    decisions_[task].merge(from.decisions_[task]);
    tornado_[task].merge(from.tornado_[task]);
    return;
  }
  if (!from.importance_) return;
  if (!importance_) throw ModelError("given-data statistics: importance sums merged into a total without them");
  Importance& to = *importance_;
  const Importance& x = *from.importance_;
  switch (const std::size_t i = task - decisions_.size()) {
    case 0:
      to.first_order.merge(x.first_order);
      break;
    case 1:
      to.rank.merge(x.rank);
      break;
    case 2:
      if (to.targets) to.targets->merge(*x.targets);
      break;
    default:
      to.delta[i - 3].merge(x.delta[i - 3]);
  }
}

void GivenDataStatistics::merge_counts(const GivenDataStatistics& from) {
  decision_runs_seen_ += from.decision_runs_seen_;
  importance_runs_seen_ += from.importance_runs_seen_;
}

void GivenDataStatistics::merge(GivenDataStatistics&& from) {
  // Merging into empty sums copies them exactly: take them instead (a segment's importance sums
  // are the largest state of the study).
  if (!importance_ && !importance_result_ && from.importance_) {
    importance_ = std::move(from.importance_);
    from.importance_.reset();
  }
  merge(std::as_const(from));
}

void GivenDataStatistics::merge(const GivenDataStatistics& from) {
  prepare_merge(from);
  for (std::size_t t = 0; t < merge_tasks(); ++t) merge_task(t, from);
  merge_counts(from);
}

void GivenDataStatistics::save(ByteWriter& out) const {
  out.u64(decision_runs_seen_);
  out.u64(importance_runs_seen_);
  out.u64(decisions_.size());
  for (const DecisionAccumulator& d : decisions_) d.save(out);
  for (const DecileMeansAccumulator& t : tornado_) t.save(out);
  // The importance part: 0 none, 1 sums, 2 estimates (finish_importance).
  out.u64(importance_ ? 1 : importance_result_ ? 2 : 0);
  if (importance_result_) save_importance_outcome(*importance_result_, out);
  if (!importance_) return;
  importance_->first_order.save(out);
  importance_->rank.save(out);
  out.boolean(importance_->targets.has_value());
  if (importance_->targets) importance_->targets->save(out);
  out.u64(importance_->delta.size());
  for (const DeltaAccumulator& d : importance_->delta) d.save(out);
}

GivenDataStatistics GivenDataStatistics::load(ByteReader& in, const GivenDataPlan& plan) {
  GivenDataStatistics s;
  s.decision_runs_seen_ = in.u64();
  s.importance_runs_seen_ = in.u64();
  if (in.u64() != plan.decision_setups.size()) in.fail("this study's number of decisions");
  for (const DecisionSetup& setup : plan.decision_setups) s.decisions_.push_back(DecisionAccumulator::load(in, setup));
  for (std::size_t q = 0; q < plan.decision_setups.size(); ++q)
    s.tornado_.push_back(DecileMeansAccumulator::load(in, plan.n_modes, plan.n_parameters));
  const std::uint64_t part = in.u64();
  if (part > 2 || (part != 0 && !plan.importance)) in.fail("importance sums or estimates only when the study has them");
  if (part == 2) s.importance_result_ = load_importance_outcome(in, plan);
  if (part != 1) return s;
  FirstOrderAccumulator first_order = FirstOrderAccumulator::load(in, plan.first_order);
  RankRegressionAccumulator rank = RankRegressionAccumulator::load(in, plan.rank);
  std::optional<FirstOrderAccumulator> targets;
  if (in.boolean() != !plan.targets.empty()) in.fail("target sums exactly when the study has targets");
  if (!plan.targets.empty()) targets = FirstOrderAccumulator::load(in, plan.target_first_order);
  if (in.u64() != plan.delta.size()) in.fail("this study's number of delta outputs");
  std::vector<DeltaAccumulator> delta;
  for (const DeltaSetup& setup : plan.delta) delta.push_back(DeltaAccumulator::load(in, setup));
  s.importance_.emplace(Importance{std::move(first_order), std::move(delta), std::move(rank), std::move(targets)});
  return s;
}

std::vector<DecisionOutcome> GivenDataStatistics::finalize_decisions(const GivenDataPlan& plan) const {
  std::vector<DecisionOutcome> out = plan.decisions;
  // The regression EVPPI's integration rule depends on the groups and the copula only, which
  // every decision shares (plan_decisions): built once, not once per decision.
  std::optional<RegressionRule> rule;
  std::string rule_error;
  try {
    if (!decisions_.empty()) rule = decisions_.front().regression_rule();
  } catch (const ModelError& e) {
    rule_error = e.what();
  }
  for_each_task(out.size(), [&](std::size_t q) {
    out[q].runs_seen = decision_runs_seen_;
    out[q].runs_used = decisions_[q].count();
    try {
      if (!rule) throw ModelError(rule_error);
      out[q].result = decisions_[q].finalize(GIVEN_DATA_CONF_LEVEL, *rule);
      out[q].tornado = tornado_[q].finalize(GIVEN_DATA_CONF_LEVEL);
    } catch (const ModelError& e) {
      out[q].reason = e.what();
    }
  });
  return out;
}

void GivenDataStatistics::finish_importance(const GivenDataPlan& plan, std::uint64_t max_runs) {
  if (!importance_) return;
  importance_result_ = finalize_importance(plan, max_runs);
  importance_.reset();
}

ImportanceOutcome GivenDataStatistics::finalize_importance(const GivenDataPlan& plan, std::uint64_t max_runs) const {
  if (importance_result_) return *importance_result_;
  ImportanceOutcome out;
  out.enabled = plan.importance;
  out.max_runs = max_runs;
  if (!importance_) return out;
  const Importance& imp = *importance_;
  out.runs_seen = importance_runs_seen_;
  out.runs_used = imp.first_order.count();
  out.first_order_bins = plan.first_order.bins;
  out.delta_bins = plan.first_order.bins;  // the same bins (plan_importance)
  out.batches = plan.batches;
  out.delta_batches = DELTA_BATCHES;
  out.delta_outputs = plan.delta_outputs;
  out.targets = plan.targets;
  out.delta.resize(plan.delta.size());
  out.delta_reason.resize(plan.delta.size());
  // Delta's finalize dominates (folded-normal terms per bin, class and batch): one task per output.
  for_each_task(3 + plan.delta.size(), [&](std::size_t task) {
    try {
      switch (task) {
        case 0:
          out.first_order = imp.first_order.finalize(GIVEN_DATA_CONF_LEVEL);
          break;
        case 1:
          out.srrc = imp.rank.finalize(GIVEN_DATA_CONF_LEVEL);
          break;
        case 2:
          if (imp.targets) out.target_first_order = imp.targets->finalize(GIVEN_DATA_CONF_LEVEL);
          break;
        default:
          out.delta[task - 3] = imp.delta[task - 3].finalize(GIVEN_DATA_CONF_LEVEL).front();
      }
    } catch (const ModelError& e) {
      const std::string reason = e.what();
      if (task == 0) out.first_order_reason = reason;
      if (task == 1) out.srrc_reason = reason;
      if (task == 2) out.target_reason = reason;
      if (task >= 3) out.delta_reason[task - 3] = reason;
    }
  });
  return out;
}

}  // namespace detail
}  // namespace symbiomc
