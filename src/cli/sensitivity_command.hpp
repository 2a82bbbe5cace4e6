#pragma once
// `symbiomc sensitivity`: Sobol' indices (first-order and total, with intervals, ranks,
// groups, convergence) or Morris screening, for a case or a built-in analytic model.

#include <cstdint>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cluster.hpp"
#include "long_run.hpp"
#include "study.hpp"

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
  double target_ci_width = 0.0;
  std::uint64_t max_base_runs = 0;
  std::size_t replicates = 8;
  std::uint64_t trajectories = 100;
  std::size_t levels = 4;
  LongRunArgs long_run;
};

void add_sensitivity_command(CLI::App& app, SensitivityArgs& args);
/// Runs the analysis on `cluster`'s ranks; only rank 0 prints and writes files.
int run_sensitivity_command(const SensitivityArgs& args, std::ostream& out, std::ostream& err, Cluster& cluster);

}  // namespace symbiomc::cli
