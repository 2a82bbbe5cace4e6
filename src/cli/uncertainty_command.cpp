#include "uncertainty_command.hpp"

#include <tbb/global_control.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "case_args.hpp"
#include "cli.hpp"
#include "destinations.hpp"
#include "interrupt.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "report_command.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/report/decision_report.hpp"
#include "symbiomc/report/uncertainty_report.hpp"
#include "symbiomc/studies/uncertainty.hpp"
#include "terminal_summary.hpp"
#include "text_table.hpp"

namespace symbiomc::cli {

void add_study_options(CLI::App& cmd, StudyInputs& study, bool allow_model) {
  cmd.add_option("--case", study.case_dir, "Case directory (e.g. cases/biomass)");
  cmd.add_option("--distributions", study.distributions, "Distributions file (e.g. distributions/biomass.csv)");
  cmd.add_option(
      "--correlations", study.correlations,
      "Rank-correlation file (default: <distributions>.corr.csv next to the distributions file, if present)");
  cmd.add_flag("--no-correlations", study.no_correlations, "Ignore any rank-correlation file")
      ->excludes("--correlations");
  cmd.add_option("--set", study.sets, "Override a parameter's nominal value: NAME=VALUE (repeatable)");
  cmd.add_option("--option", study.options, "Pick a structural option of the case: NAME=CHOICE (repeatable)");
  cmd.add_flag("--override-distributions", study.override_distributions,
               "Where a chosen --option sets a parameter the distributions file perturbs, use the option's value "
               "and drop that row (else the run is refused)");
  if (allow_model)
    cmd.add_option("--model", study.model_spec,
                   "Built-in analytic model instead of a case: ishigami | sobol-g:a=0,1,4.5,...");
}

void add_uncertainty_command(CLI::App& app, UncertaintyArgs& args) {
  CLI::App* cmd = app.add_subcommand("uncertainty", "Monte Carlo distributions of every output of every mode");
  add_study_options(*cmd, args.study, true);
  cmd->add_option("--runs", args.runs, "Number of runs (parameter draws)")
      ->check(whole_number_in(2, std::uint64_t{1} << 40));
  cmd->add_option("--seed", args.seed, "Master seed: the same seed gives bit-identical results for any --threads")
      ->check(whole_number_in(0, std::numeric_limits<std::uint64_t>::max()));
  cmd->add_option("--threads", args.threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--method", args.method, "Sampling: mc (Monte Carlo), lhs (Latin hypercube), qmc (randomised Sobol')")
      ->check(CLI::IsMember({"mc", "lhs", "qmc"}));
  cmd->add_option(
         "--out", args.out_dir,
         "Directory for summary.csv, quantiles.csv, histograms.csv, comparisons.csv, failures.csv, summary.json, "
         "importance.json, importance.csv, targets.csv (and decision.json, decision.csv with --decision)")
      ->required();
  cmd->add_option("--report", args.report,
                  "Also write the HTML report of this run to FILE (as `symbiomc report --in OUT --out FILE`)");
  cmd->add_option("--threshold", args.thresholds,
                  "Also report P(OUTPUT > VALUE) for every mode: OUTPUT=VALUE (repeatable)");
  cmd->add_option("--decision", args.decisions,
                  "Decide between all modes (independent operation included) on OUTPUT, the best being the largest "
                  "(:max, default) or smallest (:min) expected value: P(best) per mode, EVPI, EVPPI of every parameter "
                  "and group; writes decision.json and decision.csv. OUTPUT[:max|:min] (repeatable)");
  cmd->add_option("--decision-bins", args.decision_bins,
                  "Equal-probability bins per parameter behind EVPPI (default: grows like runs^(1/3), 100 at 10^6 "
                  "runs). More bins resolve a decision that turns in a tail (less coarseness bias, which understates "
                  "EVPPI) but leave fewer runs per bin (more noise bias, which overstates it)")
      ->check(whole_number_in(2, MAX_BINS));
  cmd->add_option(
         "--importance-runs", args.importance_runs,
         message("Runs, from the first (whole blocks), behind importance.json (default ", DEFAULT_IMPORTANCE_RUNS,
                 "; first-order index, delta, SRRC and target sensitivity of every mode, output and "
                 "parameter); 0 = no importance files"))
      ->check(whole_number_in(0, std::uint64_t{1} << 40));
  cmd->add_option("--format", args.format, "What to print on stdout")->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--quiet", args.quiet, "Print nothing on success (files are still written)");
  cmd->add_flag("--all", args.all,
                "Print every output and the 8 largest EVPPI of each decision; by default the terminal shows the "
                "case's headline outputs and the EVPPI whose interval excludes 0 (at most 5 parameters and 5 groups)");
  cmd->add_option("--dump-runs", args.dump_runs, "Write every run's inputs and outputs to this CSV file");
  cmd->add_option("--on-failure", args.on_failure, "Failed runs: skip (count and report them) or abort")
      ->check(CLI::IsMember({"skip", "abort"}));
  cmd->add_option("--block-size", args.block_size, "Runs per index-defined block (changes the random streams)")
      ->check(whole_number_in(1, std::size_t{1} << 20));
  cmd->add_option("--replicates", args.replicates, "qmc: independent randomisations behind the CI of the mean")
      ->check(whole_number_in(2, 1024));
  cmd->add_option("--bins", args.bins, "Histogram bins per output (quantile error bound = one bin)")
      ->check(whole_number_in(16, std::size_t{1} << 20));
  cmd->add_option("--conf-level", args.conf_level, "Confidence level of the intervals")->check(finite_in(0.5, 0.9999));
  add_long_run_options(*cmd, args.long_run);
}

namespace {

std::vector<OutputThreshold> parse_thresholds(const std::vector<std::string>& texts) {
  std::vector<OutputThreshold> out;
  for (const auto& text : texts) {
    auto [name, value_text] = split_assignment(text, "--threshold");
    double value = 0;
    const auto r = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    if (r.ec != std::errc() || r.ptr != value_text.data() + value_text.size() || !std::isfinite(value))
      throw InputError(message("--threshold ", text, ": expected a number after '=', got '", value_text, "'"));
    out.push_back({name, value});
  }
  return out;
}

std::vector<DecisionRequest> parse_decisions(const std::vector<std::string>& texts) {
  std::vector<DecisionRequest> out;
  for (const auto& text : texts) {
    DecisionRequest d{text, DecisionDirection::maximise};
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
      const std::string direction = text.substr(colon + 1);
      if (direction != "max" && direction != "min")
        throw InputError(message("--decision ", text, ": expected max or min after ':', got '", direction, "'"));
      d.output = text.substr(0, colon);
      d.direction = direction == "min" ? DecisionDirection::minimise : DecisionDirection::maximise;
    }
    if (d.output.empty()) throw InputError(message("--decision ", text, ": expected OUTPUT[:max|:min]"));
    out.push_back(std::move(d));
  }
  return out;
}

/// "[low, high]" of an interval.
std::string interval_text(double low, double high, int digits = 5) {
  return "[" + grouped_number(low, digits) + ", " + grouped_number(high, digits) + "]";
}

/// The EVPPI rows the default summary prints: the parameters, then the groups, whose interval
/// excludes 0 (largest first, at most SUMMARY_TOP_FACTORS of each); `evppi` is sorted largest first.
std::vector<std::pair<std::string, const EvppiEstimate*>> evppi_summary(
    const std::vector<std::pair<std::string, const EvppiEstimate*>>& evppi) {
  std::vector<std::pair<std::string, const EvppiEstimate*>> parameters, groups;
  for (const auto& row : evppi) {
    if (row.second->consistent_with_zero) continue;
    auto& kind = row.first.starts_with("group ") ? groups : parameters;
    if (kind.size() < SUMMARY_TOP_FACTORS) kind.push_back(row);
  }
  parameters.insert(parameters.end(), groups.begin(), groups.end());
  return parameters;
}

/// The short decision table printed after the uncertainty tables: with `all`, the 8 largest
/// EVPPI; else those whose interval excludes 0.
void print_decisions(const UncertaintyResult& r, bool all, std::ostream& out) {
  constexpr std::size_t SHOWN_EVPPI = 8;
  for (const DecisionOutcome& d : r.decisions) {
    out << "\nDecision on " << d.request.output << " [" << d.unit << "], "
        << (d.request.direction == DecisionDirection::maximise ? "largest" : "smallest") << " expected value is best ("
        << d.runs_used << " runs used, " << d.runs_seen - d.runs_used
        << " excluded as some mode failed; 95 % intervals)\n";
    if (!d.result) {
      out << "not computed: " << d.reason << "\n";
      continue;
    }
    const DecisionResult& res = *d.result;
    TextTable modes({"mode", "mean", "P(best)", "CI of P(best)"});
    for (std::size_t m = 0; m < res.modes.size(); ++m)
      modes.add_row({r.modes[m] + (m == res.best_mode ? " (best)" : ""), grouped_number(res.modes[m].mean),
                     grouped_number(res.modes[m].p_best, 3),
                     interval_text(res.modes[m].p_best_low, res.modes[m].p_best_high, 3)});
    modes.print(out);
    out << "EVPI " << grouped_number(res.evpi.value) << " " << interval_text(res.evpi.low, res.evpi.high) << " "
        << d.unit << "\n";
    std::vector<std::pair<std::string, const EvppiEstimate*>> evppi;
    for (std::size_t j = 0; j < res.evppi.size(); ++j) evppi.emplace_back(r.inputs[j].name, &res.evppi[j]);
    for (std::size_t g = 0; g < res.group_evppi.size(); ++g)
      if (res.group_evppi[g].computed) evppi.emplace_back("group " + d.groups[g].name, &res.group_evppi[g]);
    std::stable_sort(evppi.begin(), evppi.end(),
                     [](const auto& a, const auto& b) { return a.second->value > b.second->value; });
    if (!all) {
      const auto rows = evppi_summary(evppi);
      if (rows.empty()) {
        out << "EVPPI: no parameter's or group's interval excludes 0\n";
        continue;
      }
      TextTable table({"EVPPI (interval excludes 0)", "value", "CI"});
      for (const auto& [name, e] : rows)
        table.add_row({name, grouped_number(e->value), interval_text(e->low, e->high)});
      table.print(out);
      continue;
    }
    TextTable table({"EVPPI", "value", "CI"});
    for (std::size_t i = 0; i < std::min(SHOWN_EVPPI, evppi.size()); ++i)
      table.add_row({evppi[i].first, grouped_number(evppi[i].second->value),
                     interval_text(evppi[i].second->low, evppi[i].second->high)});
    table.print(out);
    if (evppi.size() > SHOWN_EVPPI) out << "(" << evppi.size() - SHOWN_EVPPI << " more in decision.csv)\n";
  }
}

/// summary.json as printed by --format json: with decisions, their objects under "decision".
void print_json(const UncertaintyResult& r, const std::string& directory, std::ostream& out) {
  const std::filesystem::path dir(directory);
  std::ifstream summary(dir / "summary.json");
  if (r.decisions.empty()) {
    out << summary.rdbuf();
    return;
  }
  nlohmann::json json = nlohmann::json::parse(summary);
  std::ifstream decision(dir / "decision.json");
  json["decision"] = nlohmann::json::parse(decision).at("decisions");
  out << json.dump(2) << "\n";
}

void print_summary(const UncertaintyResult& r, const ShownOutputs& shown, std::ostream& out) {
  out << "symbiomc uncertainty: " << r.runs << " runs, method " << to_string(r.config.method) << ", seed "
      << r.config.seed << ", " << std::lround(r.config.conf_level * 100) << " % intervals\n";
  // One table per output, modes as rows (outputs are stored mode-major).
  std::vector<std::size_t> order;
  std::vector<std::string> seen;
  for (std::size_t o = 0; o < r.outputs.size(); ++o)
    if (shown.shows(r.outputs[o].label.output) &&
        std::find(seen.begin(), seen.end(), r.outputs[o].label.output) == seen.end())
      seen.push_back(r.outputs[o].label.output);
  for (const auto& name : seen) {
    const OutputResult* first = nullptr;
    for (const auto& res : r.outputs)
      if (res.label.output == name) first = first ? first : &res;
    std::vector<std::string> header{"mode", "mean", "CI of mean", "sd", "P5", "P50", "P95", "P(>0)"};
    const auto& thresholds = first->stats.exceedance().thresholds();
    for (double t : thresholds) header.push_back("P(>" + grouped_number(t, 4) + ")");
    TextTable table(header);
    for (std::size_t o = 0; o < r.outputs.size(); ++o) {
      const auto& res = r.outputs[o];
      if (res.label.output != name) continue;
      const auto& mom = res.stats.moments();
      const auto& hist = res.stats.histogram();
      if (mom.count() < 2) {
        table.add_row({r.modes[res.label.mode_index], "-", "-", "-", "-", "-", "-", "-"});
        continue;
      }
      const auto ci = r.mean_ci(o, r.config.conf_level);
      std::vector<std::string> row{r.modes[res.label.mode_index],
                                   grouped_number(mom.mean()),
                                   "[" + grouped_number(ci.first) + ", " + grouped_number(ci.second) + "]",
                                   grouped_number(mom.sd(), 3),
                                   grouped_number(hist.quantile(0.05)),
                                   grouped_number(hist.quantile(0.5)),
                                   grouped_number(hist.quantile(0.95)),
                                   grouped_number(res.stats.exceedance().prob_positive(), 3)};
      for (std::size_t i = 0; i < thresholds.size(); ++i)
        row.push_back(grouped_number(res.stats.exceedance().prob_above(i), 3));
      table.add_row(row);
    }
    out << "\n" << name << " [" << first->label.unit << "]\n";
    table.print(out);
  }
  out << "\nFailed runs: " << r.runs_with_failure << " of " << r.runs;
  if (r.runs_with_failure) {
    out << " (";
    bool comma = false;
    for (std::size_t m = 0; m < r.modes.size(); ++m)
      for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s)
        if (r.failures[m][s]) {
          out << (comma ? ", " : "") << r.modes[m] << " " << to_string(static_cast<RunStatus>(s)) << " "
              << r.failures[m][s];
          comma = true;
        }
    out << "); a failed run is left out of the statistics of the modes it failed in";
  }
  out << "\n";
}

}  // namespace

int run_uncertainty_command(const UncertaintyArgs& args, std::ostream& out, std::ostream& err, Cluster& cluster) {
  const auto study = load_study(args.study);
  UncertaintyConfig config;
  config.runs = args.runs;
  config.seed = args.seed;
  if (!parse_sampling_method(args.method, config.method)) throw InputError("--method: expected mc, lhs or qmc");
  config.block_size = args.block_size;
  config.replicates = args.replicates;
  if (args.long_run.segment_blocks) config.segment_blocks = args.long_run.segment_blocks;
  config.histogram_bins = args.bins;
  config.conf_level = args.conf_level;
  config.thresholds = parse_thresholds(args.thresholds);
  config.decisions = parse_decisions(args.decisions);
  config.decision_bins = args.decision_bins;
  config.importance_runs = args.importance_runs;
  config.on_failure = args.on_failure == "abort" ? OnFailure::abort : OnFailure::skip;
  config.dump_runs_path = args.dump_runs;
  const int threads =
      args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  warn_if_bound_to_fewer_cores(threads, err);
  InterruptGuard interrupt;
  config.cancel = interrupt.flag();
  ProgressBar progress(err, !args.quiet && cluster.is_root(), "uncertainty");
  config.progress = progress.callback();
  config.scheduler = &cluster.scheduler();
  config.checkpoint = checkpoint_options(args.long_run, err);
  config.input_identity = input_identity(study->provenance);

  // Every destination is checked, and --out claimed, before the computation (root only: the
  // other ranks write nothing).
  std::unique_ptr<ResultFolder> folder;
  if (cluster.is_root()) folder = claim_destinations({args.out_dir, args.report, args.dump_runs, &args.long_run});

  const auto start = std::chrono::steady_clock::now();
  UncertaintyResult result;
  try {
    result = run_uncertainty(*study->model, *study->problem, config);
  } catch (const RunInterrupted& e) {
    progress.finish();
    if (cluster.is_root()) err << "stopped: " << e.what() << "; no result files were written\n";
    return args.on_failure == "abort" && !interrupt.flag()->load() ? EXIT_MODEL_ERROR : EXIT_INTERRUPTED;
  }
  progress.finish();
  if (!cluster.is_root()) return EXIT_SUCCESS;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string staging = folder->staging();
  write_uncertainty_report(result, study->provenance, staging);
  write_decision_report(result, study->provenance, staging);
  write_importance_report(result, study->provenance, staging);
  // The run log holds what may differ between identical studies (threads, timing), so the
  // result files stay byte-identical across thread counts.
  write_file_atomically(
      (std::filesystem::path(staging) / RUN_LOG).string(),
      message("command uncertainty\nmpi_ranks ", cluster.size(), "\nthreads ", threads, "\nwall_seconds ", seconds,
              "\nruns_per_second ", static_cast<double>(result.runs) / std::max(seconds, 1e-9), "\n"));
  folder->commit();
  if (!args.report.empty()) write_report_page({args.out_dir}, args.report, out, true);
  if (args.quiet) return EXIT_SUCCESS;
  if (args.format == "json") {
    print_json(result, args.out_dir, out);
  } else {
    const ShownOutputs shown(*study, args.all);
    print_summary(result, shown, out);
    print_decisions(result, shown.all(), out);
    out << "\nWrote summary.csv, quantiles.csv, histograms.csv, comparisons.csv, failures.csv, thresholds.csv, "
           "summary.json"
        << (result.decisions.empty() ? "" : ", decision.csv, decision.json, tornado.csv")
        << (result.importance.enabled ? ", importance.csv, importance.json, targets.csv" : "") << " to " << args.out_dir
        << " (" << grouped_number(seconds, 3) << " s, " << threads << " threads"
        << (cluster.size() > 1 ? message(" x ", cluster.size(), " MPI ranks") : std::string()) << ")";
    if (!shown.all())
      out << "; shown above: " << (shown.hidden_note().empty() ? "every output" : shown.hidden_note())
          << (result.decisions.empty() ? "" : " and the EVPPI whose interval excludes 0") << " (--all prints more)";
    out << "\n";
    if (!args.report.empty()) out << "Wrote the HTML report " << args.report << "\n";
  }
  return EXIT_SUCCESS;
}

}  // namespace symbiomc::cli
