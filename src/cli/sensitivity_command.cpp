#include "sensitivity_command.hpp"

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

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
#include "terminal_summary.hpp"
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
  cmd->add_flag("--all", args.all,
                "Print every output of every mode with its 8 largest parameters (and groups); by default the "
                "terminal shows the case's headline outputs and the parameters whose intervals exclude 0, at most 5");
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

/// "[low, high]" with 3 significant digits.
std::string interval_text(const IndexEstimate& e) {
  return "[" + grouped_number(e.low, 3) + ", " + grouped_number(e.high, 3) + "]";
}

/// The index of `output` among mode m's outputs (the model gives every mode the same outputs).
template <typename Label>
std::optional<std::size_t> output_index(const std::vector<Label>& labels, const std::string& output) {
  for (std::size_t o = 0; o < labels.size(); ++o)
    if (labels[o].output == output) return o;
  return std::nullopt;
}

/// The factors of one kind (parameters or groups) whose ST interval excludes 0 (and whose ST is
/// more than floating-point residue), largest ST first, at most SUMMARY_TOP_FACTORS.
std::vector<std::size_t> top_sobol_factors(const SobolResult& r, const SobolOutputEstimates& est, bool groups) {
  std::vector<std::size_t> top;
  for (const std::size_t f : est.factors_by_total)
    if (r.factors[f].is_group == groups && !est.total[f].indistinguishable_from_zero &&
        est.total[f].value >= NEGLIGIBLE_SHARE && top.size() < SUMMARY_TOP_FACTORS)
      top.push_back(f);
  return top;
}

/// The default Sobol' summary: per headline output one table, each mode's rows its parameters
/// whose ST interval excludes 0 (with ST, its interval and S1) and, beside them, its groups
/// alike (ST only: the table stays within a terminal's width), largest ST first, at most
/// SUMMARY_TOP_FACTORS of each.
void print_sobol_summary(const SobolResult& r, const ShownOutputs& shown, std::ostream& out) {
  if (r.modes.empty()) return;
  const bool groups = r.config.groups;
  out << "\nPer mode the parameters" << (groups ? " (and, beside them, the groups)" : "")
      << " whose ST interval excludes 0, largest ST first, at most " << SUMMARY_TOP_FACTORS << ":\n";
  for (const ModelOutput& first : r.outputs[0]) {
    if (!shown.shows(first.output)) continue;
    out << "\n" << first.output << " [" << first.unit << "]\n";
    std::vector<std::string> header{"mode", "sum S1", "parameter", "ST", "ST interval", "S1"};
    if (groups) header.insert(header.end(), {"group", "ST"});
    TextTable table(header);
    table.left_align(2);
    if (groups) table.left_align(6);
    auto note_row = [&](const std::string& mode, const std::string& note) {
      std::vector<std::string> row(header.size());
      row[0] = mode;
      row[2] = note;
      table.add_row(row);
    };
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const SobolEstimates& e = r.estimates[m];
      const auto o = output_index(r.outputs[m], first.output);
      if (!o) continue;
      if (e.outputs.empty()) {
        note_row(r.modes[m], "(fewer than 2 valid base samples)");
        continue;
      }
      const SobolOutputEstimates& est = e.outputs[*o];
      if (est.zero_variance) {
        note_row(r.modes[m], "(does not vary: indices are 0)");
        continue;
      }
      const auto parameters = top_sobol_factors(r, est, false);
      const auto group_rows = groups ? top_sobol_factors(r, est, true) : std::vector<std::size_t>{};
      const std::size_t rows = std::max<std::size_t>({1, parameters.size(), group_rows.size()});
      for (std::size_t i = 0; i < rows; ++i) {
        std::vector<std::string> row(header.size());
        if (i == 0) {
          row[0] = r.modes[m];
          row[1] = grouped_number(est.sum_first, 3) + (est.sum_first < LOW_FIRST_ORDER_SHARE ? " (interactions)" : "");
          if (parameters.empty()) row[2] = "(no ST interval excludes 0)";
        }
        if (i < parameters.size()) {
          const std::size_t f = parameters[i];
          row[2] = r.factors[f].name;
          row[3] = grouped_number(est.total[f].value, 3);
          row[4] = interval_text(est.total[f]);
          row[5] = grouped_number(est.first[f].value, 3);
        }
        if (i < group_rows.size()) {
          const std::size_t f = group_rows[i];
          row[6] = r.factors[f].name;
          row[7] = grouped_number(est.total[f].value, 3);
        }
        table.add_row(row);
      }
    }
    table.print(out);
  }
  for (std::size_t m = 0; m < r.modes.size(); ++m)
    if (r.dropped_base_samples[m])
      out << r.modes[m] << ": " << r.dropped_base_samples[m] << " base samples dropped (failed runs)\n";
}

void print_sobol(const SobolResult& r, bool correlation_ignored, const ShownOutputs& shown, std::ostream& out) {
  out << "symbiomc sensitivity (Sobol'): N = " << r.base_runs << " base samples, " << r.model_runs << " model runs, "
      << r.factors.size() << " factors, seed " << r.config.seed << "; S1 Saltelli et al. 2010, ST Jansen 1999; "
      << std::lround(r.config.conf_level * 100) << " % intervals ("
      << (r.config.method == SamplingMethod::qmc ? "t over QMC replicates" : "delta method") << ")\n";
  if (correlation_ignored) out << "WARNING: the inputs' rank correlations were ignored (--ignore-correlation)\n";
  if (r.config.target_ci_width > 0)
    out << (r.target_reached ? "Target reached" : "Target NOT reached (cap)") << ": widest ST interval "
        << grouped_number(r.widest_total_ci, 3) << " (target " << r.config.target_ci_width << ")\n";
  if (!shown.all()) {
    print_sobol_summary(r, shown, out);
    return;
  }
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
        std::size_t printed = 0;
        for (const std::size_t f : est.factors_by_total) {
          if (r.factors[f].is_group != groups || printed == SHOWN) continue;
          ++printed;
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
        if (printed) table.print(out);
      }
      if (est.factors_by_total.size() > SHOWN)
        out << "(all " << est.factors_by_total.size() << " factors in sobol.csv)\n";
    }
  }
}

/// The default Morris summary: per headline output one table, each mode's rows its parameters
/// with mu* > 0 (Morris gives no intervals; a parameter the output does not depend on has
/// every elementary effect 0, up to floating-point residue: NEGLIGIBLE_SHARE), largest mu*
/// first, at most SUMMARY_TOP_FACTORS.
void print_morris_summary(const MorrisResult& r, const std::vector<std::string>& names, const ShownOutputs& shown,
                          std::ostream& out) {
  if (r.modes.empty()) return;
  out << "\nPer mode the parameters with mu* > 0, largest first, at most " << SUMMARY_TOP_FACTORS << ":\n";
  for (const ModelOutput& first : r.outputs[0]) {
    if (!shown.shows(first.output)) continue;
    out << "\n" << first.output << " [" << first.unit << " per unit quantile]\n";
    TextTable table({"mode", "parameter", "mu*", "mu", "sigma"});
    table.left_align(1);
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const auto o = output_index(r.outputs[m], first.output);
      if (!o) continue;
      const MorrisEstimates& e = r.estimates[m];
      std::vector<std::size_t> order(names.size());
      for (std::size_t f = 0; f < names.size(); ++f) order[e.rank_by_mu_star[*o][f] - 1] = f;
      const double largest = names.empty() ? 0.0 : e.at(order.front(), *o).mu_star;
      std::size_t listed = 0;
      for (const std::size_t f : order) {
        const auto& eff = e.at(f, *o);
        if (!(eff.mu_star > NEGLIGIBLE_SHARE * largest) || listed == SUMMARY_TOP_FACTORS) break;
        table.add_row({listed == 0 ? r.modes[m] : "", names[f], grouped_number(eff.mu_star, 3),
                       grouped_number(eff.mu, 3), grouped_number(eff.sigma, 3)});
        ++listed;
      }
      if (listed == 0) table.add_row({r.modes[m], "(does not vary: every mu* is 0)", "", "", ""});
    }
    table.print(out);
  }
}

void print_morris(const MorrisResult& r, const std::vector<std::string>& names, const ShownOutputs& shown,
                  std::ostream& out) {
  out << "symbiomc sensitivity (Morris): " << r.config.trajectories << " trajectories, " << r.config.levels
      << " levels, " << r.model_runs << " model runs\n";
  if (!shown.all()) {
    print_morris_summary(r, names, shown, out);
    return;
  }
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

/// The default Shapley summary: per headline output one table, each mode's rows its parameters
/// whose interval excludes 0, largest effect first, at most SUMMARY_TOP_FACTORS.
void print_shapley_summary(const ShapleyResult& r, const ShownOutputs& shown, std::ostream& out) {
  if (r.modes.empty()) return;
  out << "\nPer mode the parameters whose Shapley interval excludes 0, largest first, at most " << SUMMARY_TOP_FACTORS
      << ":\n";
  for (const ModelOutput& first : r.outputs[0]) {
    if (!shown.shows(first.output)) continue;
    out << "\n" << first.output << " [" << first.unit << "]\n";
    TextTable table({"mode", "Var", "parameter", "Shapley", "interval"});
    table.left_align(2);
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const auto o = output_index(r.outputs[m], first.output);
      if (!o) continue;
      const ShapleyEstimates& e = r.estimates[m];
      if (e.outputs.empty()) {
        table.add_row({r.modes[m], "", "(fewer than 2 valid permutations or variance runs)", "", ""});
        continue;
      }
      const ShapleyOutputEstimates& est = e.outputs[*o];
      if (est.zero_variance) {
        table.add_row({r.modes[m], "", "(does not vary: effects are 0)", "", ""});
        continue;
      }
      const std::string& mode = r.modes[m];
      std::size_t listed = 0;
      for (const std::size_t i : est.by_effect) {
        const IndexEstimate& sh = est.effects[i];
        if (sh.indistinguishable_from_zero || sh.value < NEGLIGIBLE_SHARE) continue;
        if (listed == SUMMARY_TOP_FACTORS) break;
        table.add_row({listed == 0 ? mode : "", listed == 0 ? grouped_number(est.variance, 4) : "", r.parameters[i],
                       grouped_number(sh.value, 3), interval_text(sh)});
        ++listed;
      }
      if (listed == 0) table.add_row({mode, grouped_number(est.variance, 4), "(no interval excludes 0)", "", ""});
    }
    table.print(out);
  }
  for (std::size_t m = 0; m < r.modes.size(); ++m)
    if (r.dropped_permutations[m])
      out << r.modes[m] << ": " << r.dropped_permutations[m] << " permutations dropped (failed runs)\n";
}

void print_shapley(const ShapleyResult& r, const ShownOutputs& shown, std::ostream& out) {
  const ShapleyConfig& c = r.config;
  out << "symbiomc sensitivity (Shapley effects): " << c.permutations << " permutations (N_o = " << c.outer
      << ", N_i = " << c.inner << "), " << c.variance_runs << " variance runs, " << r.model_runs << " model runs, "
      << r.parameters.size() << " parameters, seed " << c.seed
      << "; Song, Nelson & Staum 2016, exact conditional sampling; " << std::lround(c.conf_level * 100)
      << " % intervals\n";
  if (!r.correlations.empty())
    out << "Inputs rank-correlated (" << r.correlations.size()
        << " pairs): a correlated pair shares the variance it explains together\n";
  if (!shown.all()) {
    print_shapley_summary(r, shown, out);
    return;
  }
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
      for (std::size_t printed = 0; printed < SHOWN && printed < est.by_effect.size(); ++printed) {
        const std::size_t i = est.by_effect[printed];
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

/// The files that hold what the default summary leaves out.
std::string full_tables_of(const SensitivityArgs& args) {
  if (args.method == "shapley") return "shapley.csv and shapley_outputs.csv";
  if (args.method == "morris") return "morris.csv";
  return "sobol.csv and sobol_outputs.csv";
}

/// --method shapley: runs the study and writes its results into `directory` on the root rank;
/// returns what prints them (empty on the other ranks).
std::function<void()> run_shapley_method(const SensitivityArgs& args, const Study& study,
                                         const std::atomic<bool>* cancel, ProgressBar& progress, std::ostream& out,
                                         std::ostream& err, Cluster& cluster, const std::string& directory,
                                         const ShownOutputs& shown) {
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
  return [&args, &out, &shown, result] {
    if (args.format == "json")
      out << std::ifstream(std::filesystem::path(args.out_dir) / "shapley.json").rdbuf();
    else
      print_shapley(result, shown, out);
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
  const ShownOutputs shown(*study, args.all);
  std::function<void()> print_results;  // after the folder is in place: --format json prints its file
  try {
    if (args.method == "shapley") {
      print_results = run_shapley_method(args, *study, interrupt.flag(), progress, out, err, cluster, staging, shown);
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
          print_morris(result, names, shown, out);
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
          print_sobol(result, correlation_ignored, shown, out);
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
  if (!args.quiet && args.format != "json") {
    out << "\nWrote results to " << args.out_dir << " (" << grouped_number(seconds, 3) << " s, " << threads
        << " threads)";
    if (!shown.all()) out << "; the full tables: " << full_tables_of(args) << " (--all prints more)";
    out << "\n";
  }
  if (!args.quiet && args.format != "json" && !args.report.empty())
    out << "Wrote the HTML report " << args.report << "\n";
  return EXIT_SUCCESS;
}

}  // namespace symbiomc::cli
