#pragma once
// `symbiomc check`: reads a case (and optionally its distributions and correlations) and lists
// every problem it can find at once, errors and warnings apart, for a case being written. Exit
// 0 when clean, 1 with warnings only, 2 with errors.

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace symbiomc::cli {

struct CheckArgs {
  std::string case_dir;
  std::string distributions;  ///< "" = the case alone
  std::string correlations;   ///< "" = <distributions stem>.corr.csv when it exists
};

void add_check_command(CLI::App& app, CheckArgs& args);
/// Prints the findings to `out`; returns the exit code. Never throws InputError: what it finds
/// is its output.
int run_check_command(const CheckArgs& args, std::ostream& out);

}  // namespace symbiomc::cli
