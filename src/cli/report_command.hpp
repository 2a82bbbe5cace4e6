#pragma once
// `symbiomc report`: one self-contained HTML page (plus the CSV behind each chart) from the
// --out directories of balance, uncertainty and sensitivity runs; and the helper behind
// `--report FILE` on the uncertainty and sensitivity commands.

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace symbiomc::cli {

struct ReportArgs {
  std::vector<std::string> inputs;  ///< --in DIR (repeatable)
  std::string out;                  ///< --out report.html
  std::size_t top_factors = 12;
  std::size_t bins = 60;
  bool no_data = false;  ///< skip the <stem>_data/*.csv files
  bool quiet = false;
};

void add_report_command(CLI::App& app, ReportArgs& args);
int run_report_command(const ReportArgs& args, std::ostream& out, std::ostream& err);

/// Writes `html_path` from the results in `dirs` (used by --report FILE after a run, with the
/// run's own --out directory). Prints one line naming the page unless `quiet`.
/// Throws InputError / ModelError like run_report_command.
void write_report_page(const std::vector<std::string>& dirs, const std::string& html_path, std::ostream& out,
                       bool quiet);

}  // namespace symbiomc::cli
