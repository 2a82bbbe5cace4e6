// The symbiomc executable: everything is in symbiomc_cli / symbiomc_core; main only starts MPI
// (in an MPI build) and hands the arguments over, so tests exercise exactly what ships.
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "cluster.hpp"
#include "symbiomc/base/error.hpp"

int main(int argc, char** argv) {
  std::unique_ptr<symbiomc::cli::Cluster> cluster;
  try {
    cluster = symbiomc::cli::start_cluster(argc, argv);
  } catch (const symbiomc::ModelError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return symbiomc::cli::EXIT_MODEL_ERROR;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = symbiomc::cli::run_cli(args, std::cout, std::cerr, cluster.get());
  // A rank that failed (bad command line, unreadable file, error in the model) ends the whole
  // MPI job now: the other ranks may be waiting for it and would otherwise wait forever.
  // An interrupted run has already stopped every rank cleanly.
  if (code != 0 && code != symbiomc::cli::EXIT_INTERRUPTED) {
    std::cerr.flush();
    cluster->end_job_after_error(code);
  }
  return code;
}
