#include "sensitivity_command.hpp"

#include <tbb/global_control.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <thread>

#include "cli.hpp"
#include "destinations.hpp"
#include "interrupt.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "report_command.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/report/sensitivity_report.hpp"
#include "symbiomc/report/shapley_report.hpp"
#include "symbiomc/studies/uncertainty.hpp"
#include "text_table.hpp"
#include "uncertainty_command.hpp"

namespace symbiomc::cli {

void add_sensitivity_command(CLI::App& app, SensitivityArgs& args) {
  CLI::App* cmd = app.add_subcommand("sensitivity",
                                     "Sobol' indices (S1, ST with intervals, ranked), Morris screening or Shapley "
                                     "effects (correlated inputs too)");
  args.command = cmd;
  add_study_options(*cmd, args.study, true);
  cmd->add_option("--base-runs", args.base_runs, "Sobol': base samples N (runs = N(F+2), F factors)")
      ->check(whole_number_in(4, std::uint64_t{1} << 40));
  cmd->add_option("--method", args.method,
                  "sobol, morris, or shapley (Shapley effects, Song et al. 2016: for rank-correlated inputs too)")
      ->check(CLI::IsMember({"sobol", "morris", "shapley"}));
  cmd->add_option("--sampling", args.sampling, "Sobol' base samples: mc or qmc (randomised Sobol' sequence)")
      ->check(CLI::IsMember({"mc", "qmc"}));
  cmd->add_flag("--second-order", args.second_order, "Also second-order indices (N(2F+2) runs)");
  cmd->add_flag("--groups", args.groups, "Also one index per group of the distributions file's group column");
  cmd->add_flag("--ignore-correlation", args.ignore_correlation,
                "Compute Sobol' indices although the inputs are rank-correlated (the correlations are dropped and the "
                "output says so)");
  cmd->add_option("--conf-level", args.conf_level, "Confidence level of the intervals")->check(finite_in(0.5, 0.9999));
  cmd->add_option("--seed", args.seed, "Master seed: the same seed gives bit-identical results for any --threads")
      ->check(whole_number_in(0, std::numeric_limits<std::uint64_t>::max()));
  cmd->add_option("--threads", args.threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--out", args.out_dir,
                  "Directory for sobol.csv, sobol.json, ..., morris.csv, or shapley.csv and shapley.json")
      ->required();
  cmd->add_option("--report", args.report,
                  "Also write the HTML report of this run to FILE (as `symbiomc report --in OUT --out FILE`)");
  cmd->add_option("--format", args.format, "What to print on stdout")->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--quiet", args.quiet, "Print nothing on success");
  cmd->add_option("--target-ci-width", args.target_ci_width,
                  "Double N until every ST interval is narrower than this (capped by --max-base-runs)")
      ->check(finite_in(1e-9, 10.0));
  cmd->add_option("--max-base-runs", args.max_base_runs, "Cap on N for --target-ci-width (default 64 x --base-runs)")
      ->check(whole_number_in(4, std::uint64_t{1} << 40))
      ->needs("--target-ci-width");
  cmd->add_option("--replicates", args.replicates, "qmc: randomisations behind the intervals")
      ->check(whole_number_in(2, 256));
  cmd->add_option("--trajectories", args.trajectories, "Morris: trajectories r")
      ->check(whole_number_in(2, std::uint64_t{1} << 30));
  cmd->add_option("--levels", args.levels, "Morris: grid levels p (even)")->check(whole_number_in(2, 64));
  cmd->add_option("--permutations", args.permutations, "Shapley: random permutations M (runs = N_v + M (D-1) N_o N_i)")
      ->check(whole_number_in(2, std::uint64_t{1} << 40));
  cmd->add_option("--shapley-outer", args.shapley_outer, "Shapley: outer draws N_o per permutation step")
      ->check(whole_number_in(1, std::size_t{1} << 16));
  cmd->add_option("--shapley-inner", args.shapley_inner, "Shapley: inner (conditional) draws N_i per outer draw")
      ->check(whole_number_in(2, std::size_t{1} << 16));
  cmd->add_option("--shapley-variance-runs", args.shapley_variance_runs, "Shapley: joint draws N_v behind Var(Y)")
      ->check(whole_number_in(2, std::uint64_t{1} << 40));
  add_long_run_options(*cmd, args.long_run);
}

namespace {

void print_sobol(const SobolResult& r, bool correlation_ignored, std::ostream& out) {
  out << "symbiomc sensitivity (Sobol'): N = " << r.base_runs << " base samples, " << r.model_runs << " model runs, "
      << r.factors.size() << " factors, seed " << r.config.seed << "; S1 Saltelli et al. 2010, ST Jansen 1999; "
      << std::lround(r.config.conf_level * 100) << " % intervals ("
      << (r.config.method == SamplingMethod::qmc ? "t over QMC replicates" : "delta method") << ")\n";
  if (correlation_ignored) out << "WARNING: the inputs' rank correlations were ignored (--ignore-correlation)\n";
  if (r.config.target_ci_width > 0)
    out << (r.target_reached ? "Target reached" : "Target NOT reached (cap)") << ": widest ST interval "
        << grouped_number(r.widest_total_ci, 3) << " (target " << r.config.target_ci_width << ")\n";
  constexpr std::size_t SHOWN = 8;
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    const SobolEstimates& e = r.estimates[m];
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o) {
      const auto& label = r.outputs[m][o];
      out << "\n" << r.modes[m] << " / " << label.output << " [" << label.unit << "]";
      if (e.outputs.empty()) {
        out << ": fewer than 2 valid base samples\n";
        continue;
      }
      const auto& est = e.outputs[o];
      if (est.zero_variance) {
        out << ": does not vary (indices are 0)\n";
        continue;
      }
      out << ": sum S1 = " << grouped_number(est.sum_first, 3);
      if (est.sum_first < LOW_FIRST_ORDER_SHARE) out << "  <- interactions dominate";
      if (r.dropped_base_samples[m]) out << "; " << r.dropped_base_samples[m] << " base samples dropped (failed runs)";
      out << "\n";
      for (bool groups : {false, true}) {
        TextTable table({"rank", groups ? "group" : "parameter", "ST", "ST interval", "S1", "S1 interval", "note"});
        std::size_t shown = 0;
        for (const std::size_t f : est.factors_by_total) {
          if (r.factors[f].is_group != groups || shown == SHOWN) continue;
          ++shown;
          const auto& st = est.total[f];
          const auto& s1 = est.first[f];
          std::string note;
          if (est.total_overlaps_next[f]) note = "rank not resolved";
          if (s1.indistinguishable_from_zero) note += std::string(note.empty() ? "" : "; ") + "S1 ~ 0";
          table.add_row({std::to_string(est.rank_by_total[f]), r.factors[f].name, grouped_number(st.value, 3),
                         "[" + grouped_number(st.low, 3) + ", " + grouped_number(st.high, 3) + "]",
                         grouped_number(s1.value, 3),
                         "[" + grouped_number(s1.low, 3) + ", " + grouped_number(s1.high, 3) + "]", note});
        }
        if (shown) table.print(out);
      }
      if (est.factors_by_total.size() > SHOWN)
        out << "(all " << est.factors_by_total.size() << " factors in sobol.csv)\n";
    }
  }
}

void print_morris(const MorrisResult& r, const std::vector<std::string>& names, std::ostream& out) {
  out << "symbiomc sensitivity (Morris): " << r.config.trajectories << " trajectories, " << r.config.levels
      << " levels, " << r.model_runs << " model runs\n";
  for (std::size_t m = 0; m < r.modes.size(); ++m)
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o) {
      const auto& e = r.estimates[m];
      out << "\n"
          << r.modes[m] << " / " << r.outputs[m][o].output << " [" << r.outputs[m][o].unit << " per unit quantile]\n";
      std::vector<std::size_t> order(names.size());
      for (std::size_t f = 0; f < names.size(); ++f) order[e.rank_by_mu_star[o][f] - 1] = f;
      TextTable table({"rank", "parameter", "mu*", "mu", "sigma"});
      for (std::size_t i = 0; i < order.size() && i < 8; ++i) {
        const auto& eff = e.at(order[i], o);
        table.add_row({std::to_string(i + 1), names[order[i]], grouped_number(eff.mu_star, 3),
                       grouped_number(eff.mu, 3), grouped_number(eff.sigma, 3)});
      }
      table.print(out);
    }
}

/// Options that only one method reads: given with a method that ignores them they are refused
/// rather than silently dropped.
constexpr const char* SOBOL_OPTIONS[] = {"--base-runs",     "--sampling",           "--second-order",
                                         "--groups",        "--ignore-correlation", "--target-ci-width",
                                         "--max-base-runs", "--replicates"};
constexpr const char* MORRIS_OPTIONS[] = {"--trajectories", "--levels"};
constexpr const char* SHAPLEY_OPTIONS[] = {"--permutations", "--shapley-outer", "--shapley-inner",
                                           "--shapley-variance-runs"};

/// The options --method `method` reads, for the message that refuses another method's option.
const char* options_of(const std::string& method) {
  if (method == "sobol")
    return "Sobol' indices take --base-runs, --sampling, --second-order, --groups, --ignore-correlation, "
           "--target-ci-width, --max-base-runs and --replicates";
  if (method == "morris") return "Morris screening takes --trajectories and --levels";
  return "Shapley effects take --permutations, --shapley-outer, --shapley-inner and --shapley-variance-runs";
}

void refuse_options_of_other_methods(const SensitivityArgs& args) {
  if (!args.command) return;
  const std::pair<const char*, std::span<const char* const>> methods[] = {
      {"sobol", SOBOL_OPTIONS}, {"morris", MORRIS_OPTIONS}, {"shapley", SHAPLEY_OPTIONS}};
  for (const auto& [method, names] : methods) {
    if (args.method == method) continue;
    for (const char* name : names)
      if (args.command->count(name) > 0)
        throw InputError(message(name, " does not apply to --method ", args.method, " (it is a --method ", method,
                                 " option; ", options_of(args.method), ")"));
  }
  // Morris reports no intervals, so a confidence level given to it would be silently unused.
  if (args.method == "morris" && args.command->count("--conf-level") > 0)
    throw InputError("--conf-level does not apply to --method morris (Morris screening reports no intervals)");
  if (args.method == "shapley" && args.command->count("--report") > 0)
    throw InputError(
        "--report does not apply to --method shapley yet: the HTML report has no Shapley section; "
        "the results are in shapley.csv and shapley.json");
}

void print_shapley(const ShapleyResult& r, std::ostream& out) {
  const ShapleyConfig& c = r.config;
  out << "symbiomc sensitivity (Shapley effects): " << c.permutations << " permutations (N_o = " << c.outer
      << ", N_i = " << c.inner << "), " << c.variance_runs << " variance runs, " << r.model_runs << " model runs, "
      << r.parameters.size() << " parameters, seed " << c.seed
      << "; Song, Nelson & Staum 2016, exact conditional sampling; " << std::lround(c.conf_level * 100)
      << " % intervals\n";
  if (!r.correlations.empty())
    out << "Inputs rank-correlated (" << r.correlations.size()
        << " pairs): a correlated pair shares the variance it explains together\n";
  constexpr std::size_t SHOWN = 8;
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    const ShapleyEstimates& e = r.estimates[m];
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o) {
      const auto& label = r.outputs[m][o];
      out << "\n" << r.modes[m] << " / " << label.output << " [" << label.unit << "]";
      if (e.outputs.empty()) {
        out << ": fewer than 2 valid permutations or variance runs\n";
        continue;
      }
      const ShapleyOutputEstimates& est = e.outputs[o];
      if (est.zero_variance) {
        out << ": does not vary (effects are 0)\n";
        continue;
      }
      out << ": Var = " << grouped_number(est.variance, 4);
      if (r.dropped_permutations[m]) out << "; " << r.dropped_permutations[m] << " permutations dropped (failed runs)";
      out << "\n";
      TextTable table({"rank", "parameter", "Shapley", "interval", "note"});
      for (std::size_t shown = 0; shown < SHOWN && shown < est.by_effect.size(); ++shown) {
        const std::size_t i = est.by_effect[shown];
        const IndexEstimate& sh = est.effects[i];
        std::string note;
        if (est.overlaps_next[i]) note = "rank not resolved";
        if (sh.indistinguishable_from_zero) note += std::string(note.empty() ? "" : "; ") + "~ 0";
        table.add_row({std::to_string(est.rank[i]), r.parameters[i], grouped_number(sh.value, 3),
                       "[" + grouped_number(sh.low, 3) + ", " + grouped_number(sh.high, 3) + "]", note});
      }
      table.print(out);
      if (est.by_effect.size() > SHOWN) out << "(all " << est.by_effect.size() << " parameters in shapley.csv)\n";
    }
  }
}

/// --method shapley: runs the study and writes its results into `directory` on the root rank;
/// returns what prints them (empty on the other ranks).
std::function<void()> run_shapley_method(const SensitivityArgs& args, const Study& study,
                                         const std::atomic<bool>* cancel, ProgressBar& progress, std::ostream& out,
                                         std::ostream& err, Cluster& cluster, const std::string& directory) {
  ShapleyConfig config;
  config.permutations = args.permutations;
  config.outer = args.shapley_outer;
  config.inner = args.shapley_inner;
  config.variance_runs = args.shapley_variance_runs;
  config.seed = args.seed;
  config.conf_level = args.conf_level;
  if (args.long_run.segment_blocks) config.segment_blocks = args.long_run.segment_blocks;
  config.cancel = cancel;
  config.progress = progress.callback();
  config.scheduler = &cluster.scheduler();
  config.checkpoint = checkpoint_options(args.long_run, err);
  config.input_identity = input_identity(study.provenance);
  const ShapleyResult result = run_shapley(*study.model, *study.problem, config);
  progress.finish();
  if (!cluster.is_root()) return {};
  write_shapley_report(result, study.provenance, directory);
  return [&args, &out, result] {
    if (args.format == "json")
      out << std::ifstream(std::filesystem::path(args.out_dir) / "shapley.json").rdbuf();
    else
      print_shapley(result, out);
  };
}

}  // namespace

int run_sensitivity_command(const SensitivityArgs& args, std::ostream& out, std::ostream& err, Cluster& cluster) {
  refuse_options_of_other_methods(args);
  StudyInputs inputs = args.study;
  auto study = load_study(inputs);
  bool correlation_ignored = false;
  if (study->problem->correlation() && args.method == "sobol") {
    if (!args.ignore_correlation)
      throw ModelError(message("Sobol' indices assume independent inputs, but ", study->problem->correlation()->path(),
                               " correlates ", study->problem->correlation()->pairs().size(),
                               " parameter pairs. Compute Shapley effects, which allow for correlated inputs, "
                               "with --method shapley; or rerun with --ignore-correlation to compute Sobol' indices "
                               "without the correlations (the results then say so), or propagate correlated inputs "
                               "with `symbiomc uncertainty`."));
    inputs.no_correlations = true;
    study = load_study(inputs);
    correlation_ignored = true;
  }
  const int threads =
      args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  warn_if_bound_to_fewer_cores(threads, err);
  InterruptGuard interrupt;
  ProgressBar progress(err, !args.quiet && cluster.is_root(), "sensitivity");
  // Every destination is checked, and --out claimed, before the computation (root only).
  std::unique_ptr<ResultFolder> folder;
  if (cluster.is_root()) folder = claim_destinations({args.out_dir, args.report, "", &args.long_run});
  const std::string staging = folder ? folder->staging() : std::string();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> names;
  for (const auto& p : study->problem->parameters()) names.push_back(p.name);
  std::function<void()> print_results;  // after the folder is in place: --format json prints its file
  try {
    if (args.method == "shapley") {
      print_results = run_shapley_method(args, *study, interrupt.flag(), progress, out, err, cluster, staging);
      if (!cluster.is_root()) return EXIT_SUCCESS;
    } else if (args.method == "morris") {
      MorrisConfig config;
      config.trajectories = args.trajectories;
      config.levels = args.levels;
      config.seed = args.seed;
      if (args.long_run.segment_blocks) config.segment_blocks = args.long_run.segment_blocks;
      config.cancel = interrupt.flag();
      config.progress = progress.callback();
      config.scheduler = &cluster.scheduler();
      config.checkpoint = checkpoint_options(args.long_run, err);
      config.input_identity = input_identity(study->provenance);
      const MorrisResult result = run_morris(*study->model, *study->problem, config);
      progress.finish();
      if (!cluster.is_root()) return EXIT_SUCCESS;
      write_morris_report(result, study->provenance, names, staging);
      print_results = [&, result] {
        if (args.format == "json")
          out << std::ifstream(std::filesystem::path(args.out_dir) / "morris.json").rdbuf();
        else
          print_morris(result, names, out);
      };
    } else {
      SobolConfig config;
      config.base_runs = args.base_runs;
      config.seed = args.seed;
      config.method = args.sampling == "qmc" ? SamplingMethod::qmc : SamplingMethod::mc;
      config.replicates = args.replicates;
      if (args.long_run.segment_blocks) config.segment_blocks = args.long_run.segment_blocks;
      config.second_order = args.second_order;
      config.groups = args.groups;
      config.conf_level = args.conf_level;
      config.target_ci_width = args.target_ci_width;
      config.max_base_runs = args.max_base_runs;
      config.cancel = interrupt.flag();
      config.progress = progress.callback();
      config.scheduler = &cluster.scheduler();
      config.checkpoint = checkpoint_options(args.long_run, err);
      config.input_identity = input_identity(study->provenance);
      if (correlation_ignored) config.input_identity.emplace_back("correlations", "ignored");
      const SobolResult result = run_sobol(*study->model, *study->problem, config);
      progress.finish();
      if (!cluster.is_root()) return EXIT_SUCCESS;
      write_sobol_report(result, study->provenance, correlation_ignored, staging);
      print_results = [&, result] {
        if (args.format == "json")
          out << std::ifstream(std::filesystem::path(args.out_dir) / "sobol.json").rdbuf();
        else
          print_sobol(result, correlation_ignored, out);
      };
    }
  } catch (const RunInterrupted& e) {
    progress.finish();
    if (cluster.is_root()) err << "stopped: " << e.what() << "; no result files were written\n";
    return EXIT_INTERRUPTED;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_file_atomically((std::filesystem::path(staging) / RUN_LOG).string(),
                        message("command sensitivity\nmethod ", args.method, "\nmpi_ranks ", cluster.size(),
                                "\nthreads ", threads, "\nwall_seconds ", seconds, "\n"));
  folder->commit();
  if (!args.quiet && print_results) print_results();
  if (!args.report.empty()) write_report_page({args.out_dir}, args.report, out, true);
  if (!args.quiet && args.format != "json")
    out << "\nWrote results to " << args.out_dir << " (" << grouped_number(seconds, 3) << " s, " << threads
        << " threads)\n";
  if (!args.quiet && args.format != "json" && !args.report.empty())
    out << "Wrote the HTML report " << args.report << "\n";
  return EXIT_SUCCESS;
}

}  // namespace symbiomc::cli
