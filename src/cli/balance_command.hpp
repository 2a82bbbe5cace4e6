#pragma once
// `symbiomc balance`: the deterministic balance of every mode of a case against
// independent operation, as a table, CSV or JSON, optionally with every flow and each
// process's mass and energy balance.

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace symbiomc::cli {

struct BalanceArgs {
  std::string case_dir;
  std::vector<std::string> sets;     ///< NAME=VALUE
  std::vector<std::string> options;  ///< OPTION=CHOICE
  std::string format = "table";
  bool flows = false;
  std::string out_dir;     ///< --out: also write balance.json there (for reports)
  bool out_given = false;  ///< --out was given (an empty --out is refused, not ignored)
};

void add_balance_command(CLI::App& app, BalanceArgs& args);
int run_balance(const BalanceArgs& args, std::ostream& out);

}  // namespace symbiomc::cli
