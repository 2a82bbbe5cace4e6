#include "commands.hpp"

#include "cli.hpp"

namespace symbiomc::cli {

void add_other_commands(CLI::App& app, CommandArgs& args) {
  add_uncertainty_command(app, args.uncertainty);
  add_sensitivity_command(app, args.sensitivity);
  add_report_command(app, args.report);
  add_check_command(app, args.check);
  add_init_command(app, args.init);
  add_bench_command(app, args.bench);
}

int run_other_command(const CLI::App& app, const CommandArgs& args, std::ostream& out, std::ostream& err,
                      Cluster& cluster) {
  if (app.got_subcommand("uncertainty")) return run_uncertainty_command(args.uncertainty, out, err, cluster);
  if (app.got_subcommand("sensitivity")) return run_sensitivity_command(args.sensitivity, out, err, cluster);
  if (app.got_subcommand("report")) return run_report_command(args.report, out, err);
  if (app.got_subcommand("check")) return run_check_command(args.check, out);
  if (app.got_subcommand("init")) return run_init_command(args.init, out);
  if (app.got_subcommand("bench")) return run_bench_command(args.bench, out);
  err << "error: unknown command\n";
  return EXIT_INPUT_ERROR;
}

}  // namespace symbiomc::cli
