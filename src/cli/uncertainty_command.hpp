#pragma once
// `symbiomc uncertainty`: Monte Carlo distributions of every output of every mode.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster.hpp"
#include "long_run.hpp"
#include "study.hpp"
#include "symbiomc/studies/decision_analysis.hpp"

namespace symbiomc::cli {

struct UncertaintyArgs {
  StudyInputs study;
  std::uint64_t runs = 100000;
  std::uint64_t seed = 1;
  int threads = 0;  ///< 0 = all cores
  std::string method = "mc";
  std::string out_dir;
  std::string report;                   ///< --report FILE: also write the HTML report of this run
  std::vector<std::string> thresholds;  ///< OUTPUT=VALUE
  std::vector<std::string> decisions;   ///< OUTPUT[:max|:min]
  std::size_t decision_bins = 0;        ///< 0 = the estimator's default for the run count
  std::uint64_t importance_runs = DEFAULT_IMPORTANCE_RUNS;
  std::string format = "table";
  bool quiet = false;
  bool all = false;  ///< --all: every output and the longer decision tables on the terminal
  std::string dump_runs;
  std::string on_failure = "skip";
  std::size_t block_size = 4096;
  std::size_t replicates = 8;
  std::size_t bins = 2048;
  double conf_level = 0.95;
  LongRunArgs long_run;
};

void add_uncertainty_command(CLI::App& app, UncertaintyArgs& args);
/// Runs the study on `cluster`'s ranks; only rank 0 prints and writes files.
int run_uncertainty_command(const UncertaintyArgs& args, std::ostream& out, std::ostream& err, Cluster& cluster);

/// Options shared by the sampling commands (case or model inputs).
void add_study_options(CLI::App& cmd, StudyInputs& study, bool allow_model);

}  // namespace symbiomc::cli
