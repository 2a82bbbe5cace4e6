#include "importance_outcome_bytes.hpp"

#include <string>
#include <utility>
#include <vector>

namespace symbiomc::detail {

namespace {

void save_first_order(const std::vector<FirstOrderOutput>& outputs, ByteWriter& out) {
  out.u64(outputs.size());
  for (const FirstOrderOutput& o : outputs) {
    out.f64(o.mean);
    out.f64(o.variance);
    out.boolean(o.zero_variance);
    out.u64(o.index.size());
    for (const FirstOrderEstimate& e : o.index) {
      for (const double x : {e.value, e.plug_in, e.uncorrected, e.std_error, e.low, e.high}) out.f64(x);
    }
  }
}

/// `count` outputs of `parameters` indices each, or none (not computed).
std::vector<FirstOrderOutput> load_first_order(ByteReader& in, std::size_t count, std::size_t parameters) {
  const std::uint64_t n = in.u64();
  if (n != 0 && n != count) in.fail("first-order indices of every output, or none");
  std::vector<FirstOrderOutput> outputs(n);
  for (FirstOrderOutput& o : outputs) {
    o.mean = in.f64();
    o.variance = in.f64();
    o.zero_variance = in.boolean();
    if (in.u64() != parameters) in.fail("one first-order index per parameter");
    o.index.resize(parameters);
    for (FirstOrderEstimate& e : o.index) {
      for (double* x : {&e.value, &e.plug_in, &e.uncorrected, &e.std_error, &e.low, &e.high}) *x = in.f64();
    }
  }
  return outputs;
}

void save_delta(const std::vector<DeltaEstimate>& estimates, ByteWriter& out) {
  out.u64(estimates.size());
  for (const DeltaEstimate& e : estimates) {
    for (const double x : {e.value, e.raw, e.corrected, e.plug_in, e.bias_bound, e.std_error, e.low, e.high})
      out.f64(x);
    out.boolean(e.consistent_with_zero);
  }
}

std::vector<DeltaEstimate> load_delta(ByteReader& in, std::size_t parameters) {
  const std::uint64_t n = in.u64();
  if (n != 0 && n != parameters) in.fail("one delta per parameter, or none");
  std::vector<DeltaEstimate> estimates(n);
  for (DeltaEstimate& e : estimates) {
    for (double* x : {&e.value, &e.raw, &e.corrected, &e.plug_in, &e.bias_bound, &e.std_error, &e.low, &e.high})
      *x = in.f64();
    e.consistent_with_zero = in.boolean();
  }
  return estimates;
}

void save_srrc(const std::vector<RankRegressionOutput>& outputs, ByteWriter& out) {
  out.u64(outputs.size());
  for (const RankRegressionOutput& o : outputs) {
    out.boolean(o.computed);
    out.str(o.reason);
    out.f64(o.r_squared);
    out.u64(o.srrc.size());
    for (const BatchEstimate& e : o.srrc) {
      for (const double x : {e.value, e.plug_in, e.std_error, e.low, e.high}) out.f64(x);
    }
  }
}

std::vector<RankRegressionOutput> load_srrc(ByteReader& in, std::size_t count, std::size_t parameters) {
  const std::uint64_t n = in.u64();
  if (n != 0 && n != count) in.fail("SRRC of every output, or none");
  std::vector<RankRegressionOutput> outputs(n);
  for (RankRegressionOutput& o : outputs) {
    o.computed = in.boolean();
    o.reason = in.str();
    o.r_squared = in.f64();
    const std::uint64_t m = in.u64();
    if (m != (o.computed ? parameters : 0)) in.fail("one SRRC per parameter when computed, none otherwise");
    o.srrc.resize(m);
    for (BatchEstimate& e : o.srrc) {
      for (double* x : {&e.value, &e.plug_in, &e.std_error, &e.low, &e.high}) *x = in.f64();
    }
  }
  return outputs;
}

}  // namespace

void save_importance_outcome(const ImportanceOutcome& o, ByteWriter& out) {
  out.boolean(o.enabled);
  for (const std::uint64_t x : {o.max_runs, o.runs_seen, o.runs_used, std::uint64_t{o.first_order_bins},
                                std::uint64_t{o.delta_bins}, std::uint64_t{o.batches}, std::uint64_t{o.delta_batches}})
    out.u64(x);
  save_first_order(o.first_order, out);
  out.str(o.first_order_reason);
  out.u64(o.delta.size());
  for (std::size_t i = 0; i < o.delta.size(); ++i) {
    save_delta(o.delta[i], out);
    out.str(o.delta_reason[i]);
  }
  save_srrc(o.srrc, out);
  out.str(o.srrc_reason);
  save_first_order(o.target_first_order, out);
  out.str(o.target_reason);
}

ImportanceOutcome load_importance_outcome(ByteReader& in, const GivenDataPlan& plan) {
  ImportanceOutcome o;
  o.enabled = in.boolean();
  o.max_runs = in.u64();
  o.runs_seen = in.u64();
  o.runs_used = in.u64();
  o.first_order_bins = in.u64();
  o.delta_bins = in.u64();
  o.batches = in.u64();
  o.delta_batches = in.u64();
  o.delta_outputs = plan.delta_outputs;
  o.targets = plan.targets;
  const std::size_t d = plan.n_parameters;
  o.first_order = load_first_order(in, plan.n_outputs, d);
  o.first_order_reason = in.str();
  if (in.u64() != plan.delta.size()) in.fail("this study's number of delta outputs");
  for (std::size_t i = 0; i < plan.delta.size(); ++i) {
    o.delta.push_back(load_delta(in, d));
    o.delta_reason.push_back(in.str());
  }
  o.srrc = load_srrc(in, plan.n_outputs, d);
  o.srrc_reason = in.str();
  o.target_first_order = load_first_order(in, plan.targets.size(), d);
  o.target_reason = in.str();
  return o;
}

}  // namespace symbiomc::detail
