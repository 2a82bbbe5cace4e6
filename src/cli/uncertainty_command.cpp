#include "uncertainty_command.hpp"

#include <tbb/global_control.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "case_args.hpp"
#include "cli.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "report_command.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/report/uncertainty_report.hpp"
#include "symbiomc/studies/uncertainty.hpp"
#include "text_table.hpp"

namespace symbiomc::cli {

void add_study_options(CLI::App& cmd, StudyInputs& study, bool allow_model) {
  cmd.add_option("--case", study.case_dir, "Case directory (e.g. cases/biomass)");
  cmd.add_option("--distributions", study.distributions, "Distributions file (e.g. distributions/biomass.csv)");
  cmd.add_option(
      "--correlations", study.correlations,
      "Rank-correlation file (default: <distributions>.corr.csv next to the distributions file, if present)");
  cmd.add_flag("--no-correlations", study.no_correlations, "Ignore any rank-correlation file");
  cmd.add_option("--set", study.sets, "Override a parameter's nominal value: NAME=VALUE (repeatable)");
  cmd.add_option("--option", study.options, "Pick a structural option of the case: NAME=CHOICE (repeatable)");
  if (allow_model)
    cmd.add_option("--model", study.model_spec,
                   "Built-in analytic model instead of a case: ishigami | sobol-g:a=0,1,4.5,...");
}

void add_uncertainty_command(CLI::App& app, UncertaintyArgs& args) {
  CLI::App* cmd = app.add_subcommand("uncertainty", "Monte Carlo distributions of every output of every mode");
  add_study_options(*cmd, args.study, true);
  cmd->add_option("--runs", args.runs, "Number of runs (parameter draws)")
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1} << 40));
  cmd->add_option("--seed", args.seed, "Master seed: the same seed gives bit-identical results for any --threads");
  cmd->add_option("--threads", args.threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--method", args.method, "Sampling: mc (Monte Carlo), lhs (Latin hypercube), qmc (randomised Sobol')")
      ->check(CLI::IsMember({"mc", "lhs", "qmc"}));
  cmd->add_option(
         "--out", args.out_dir,
         "Directory for summary.csv, quantiles.csv, histograms.csv, comparisons.csv, failures.csv, summary.json")
      ->required();
  cmd->add_option("--report", args.report,
                  "Also write the HTML report of this run to FILE (as `symbiomc report --in OUT --out FILE`)");
  cmd->add_option("--threshold", args.thresholds,
                  "Also report P(OUTPUT > VALUE) for every mode: OUTPUT=VALUE (repeatable)");
  cmd->add_option("--format", args.format, "What to print on stdout")->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--quiet", args.quiet, "Print nothing on success (files are still written)");
  cmd->add_option("--dump-runs", args.dump_runs, "Write every run's inputs and outputs to this CSV file");
  cmd->add_option("--on-failure", args.on_failure, "Failed runs: skip (count and report them) or abort")
      ->check(CLI::IsMember({"skip", "abort"}));
  cmd->add_option("--block-size", args.block_size, "Runs per index-defined block (changes the random streams)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cmd->add_option("--replicates", args.replicates, "qmc: independent randomisations behind the CI of the mean")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1024}));
  cmd->add_option("--bins", args.bins, "Histogram bins per output (quantile error bound = one bin)")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
  cmd->add_option("--conf-level", args.conf_level, "Confidence level of the intervals")->check(CLI::Range(0.5, 0.9999));
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

void print_summary(const UncertaintyResult& r, std::ostream& out) {
  out << "symbiomc uncertainty: " << r.runs << " runs, method " << to_string(r.config.method) << ", seed "
      << r.config.seed << ", " << std::lround(r.config.conf_level * 100) << " % intervals\n";
  // One table per output, modes as rows (outputs are stored mode-major).
  std::vector<std::size_t> order;
  std::vector<std::string> seen;
  for (std::size_t o = 0; o < r.outputs.size(); ++o)
    if (std::find(seen.begin(), seen.end(), r.outputs[o].label.output) == seen.end())
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
  config.checkpoint = checkpoint_options(args.long_run);
  config.input_identity = input_identity(study->provenance);

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
  write_uncertainty_report(result, study->provenance, args.out_dir);
  // The run log holds what may differ between identical studies (threads, timing), so the
  // result files stay byte-identical across thread counts.
  write_file_atomically(
      (std::filesystem::path(args.out_dir) / "run.log").string(),
      message("command uncertainty\nmpi_ranks ", cluster.size(), "\nthreads ", threads, "\nwall_seconds ", seconds,
              "\nruns_per_second ", static_cast<double>(result.runs) / std::max(seconds, 1e-9), "\n"));
  if (!args.report.empty()) write_report_page({args.out_dir}, args.report, out, true);
  if (args.quiet) return EXIT_SUCCESS;
  if (args.format == "json") {
    std::ifstream in(std::filesystem::path(args.out_dir) / "summary.json");
    out << in.rdbuf();
  } else {
    print_summary(result, out);
    out << "\nWrote summary.csv, quantiles.csv, histograms.csv, comparisons.csv, failures.csv, thresholds.csv, "
           "summary.json to "
        << args.out_dir << " (" << grouped_number(seconds, 3) << " s, " << threads << " threads"
        << (cluster.size() > 1 ? message(" x ", cluster.size(), " MPI ranks") : std::string()) << ")\n";
    if (!args.report.empty()) out << "Wrote the HTML report " << args.report << "\n";
  }
  return EXIT_SUCCESS;
}

}  // namespace symbiomc::cli
