#pragma once
// `symbiomc sensitivity`: Sobol' indices (first-order and total, with intervals, ranks,
// groups, convergence), Morris screening, or Shapley effects (also for rank-correlated
// inputs), for a case or a built-in analytic model.

#include <cstdint>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cluster.hpp"
#include "long_run.hpp"
#include "study.hpp"
#include "symbiomc/studies/shapley_study.hpp"

namespace symbiomc::cli {

struct SensitivityArgs {
  StudyInputs study;
  std::uint64_t base_runs = 1024;
  std::string method = "sobol";
  std::string sampling = "mc";
  bool second_order = false;
  bool groups = false;
  bool ignore_correlation = false;
  double conf_level = 0.95;
  std::uint64_t seed = 1;
  int threads = 0;
  std::string out_dir;
  std::string report;  ///< --report FILE: also write the HTML report of this run
  std::string format = "table";
  bool quiet = false;
  bool all = false;  ///< --all: every output and the long tables on the terminal
  double target_ci_width = 0.0;
  std::uint64_t max_base_runs = 0;
  std::size_t replicates = 8;
  std::uint64_t trajectories = 100;
  std::size_t levels = 4;
  std::uint64_t permutations = ShapleyConfig{}.permutations;
  std::size_t shapley_outer = ShapleyConfig{}.outer;
  std::size_t shapley_inner = ShapleyConfig{}.inner;
  std::uint64_t shapley_variance_runs = ShapleyConfig{}.variance_runs;
  LongRunArgs long_run;
  /// The parsed subcommand (set by add_sensitivity_command): tells which options were given,
  /// so that options of another method are refused. Null when the args are built in code.
  const CLI::App* command = nullptr;
};

void add_sensitivity_command(CLI::App& app, SensitivityArgs& args);
/// Runs the analysis on `cluster`'s ranks; only rank 0 prints and writes files.
int run_sensitivity_command(const SensitivityArgs& args, std::ostream& out, std::ostream& err, Cluster& cluster);

}  // namespace symbiomc::cli
