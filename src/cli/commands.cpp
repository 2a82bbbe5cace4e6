#include "commands.hpp"

#include "cli.hpp"

namespace symbiomc::cli {

void add_other_commands(CLI::App&, CommandArgs&) {}

int run_other_command(const CLI::App&, const CommandArgs&, std::ostream&, std::ostream& err) {
  err << "error: unknown command\n";
  return EXIT_INPUT_ERROR;
}

}  // namespace symbiomc::cli
