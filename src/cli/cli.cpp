#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>

#include "balance_command.hpp"
#include "commands.hpp"
#include "symbiomc/error.hpp"

namespace symbiomc::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"symbiomc: how far can a park planner trust the savings of an industrial symbiosis?\n"
               "Balances, Monte Carlo uncertainty and Sobol' sensitivity of symbiosis networks."};
  app.set_version_flag("--version", std::string("symbiomc ") + SYMBIOMC_VERSION);
  app.require_subcommand(1);
  BalanceArgs balance;
  add_balance_command(app, balance);
  CommandArgs extra;
  add_other_commands(app, extra);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    // A bad command line is bad input like any other: CLI11's message, exit code 2.
    (void)app.exit(e, out, err);
    return EXIT_INPUT_ERROR;
  }
  try {
    if (app.got_subcommand("balance")) return run_balance(balance, out);
    return run_other_command(app, extra, out, err);
  } catch (const InputError& e) {
    err << "error: " << e.what() << "\n";
    return EXIT_INPUT_ERROR;
  } catch (const ModelError& e) {
    err << "error: " << e.what() << "\n";
    return EXIT_MODEL_ERROR;
  } catch (const std::bad_alloc&) {
    err << "error: out of memory\n";
    return EXIT_MODEL_ERROR;
  }
}

}  // namespace symbiomc::cli
