#include "commands.hpp"

#include "cli.hpp"

namespace symbiomc::cli {

void add_other_commands(CLI::App& app, CommandArgs& args) { add_uncertainty_command(app, args.uncertainty); }

int run_other_command(const CLI::App& app, const CommandArgs& args, std::ostream& out, std::ostream& err) {
  if (app.got_subcommand("uncertainty")) return run_uncertainty_command(args.uncertainty, out, err);
  err << "error: unknown command\n";
  return EXIT_INPUT_ERROR;
}

}  // namespace symbiomc::cli
