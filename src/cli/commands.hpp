#pragma once
// Registration and dispatch of the sampling commands (uncertainty, sensitivity), kept apart
// from cli.cpp so each command's options live next to its code.

#include <ostream>

#include <CLI/CLI.hpp>

#include "bench_command.hpp"
#include "check_command.hpp"
#include "init_command.hpp"
#include "report_command.hpp"
#include "sensitivity_command.hpp"
#include "uncertainty_command.hpp"

namespace symbiomc::cli {

struct CommandArgs {
  UncertaintyArgs uncertainty;
  SensitivityArgs sensitivity;
  ReportArgs report;
  CheckArgs check;
  InitArgs init;
  BenchArgs bench;
};

void add_other_commands(CLI::App& app, CommandArgs& args);
int run_other_command(const CLI::App& app, const CommandArgs& args, std::ostream& out, std::ostream& err,
                      Cluster& cluster);

}  // namespace symbiomc::cli
