#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <sstream>

#include "balance_command.hpp"
#include "cluster.hpp"
#include "commands.hpp"
#include "option_checks.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::cli {

namespace {

/// Runs the parsed command; exceptions become exit codes here, and only here. No exception
/// leaves: an unforeseen one would otherwise end the process in std::terminate (exit 134) with
/// no word of what failed.
int dispatch(const CLI::App& app, const BalanceArgs& balance, const CommandArgs& extra, std::ostream& out,
             std::ostream& err, Cluster& cluster) {
  const std::string who =
      cluster.size() > 1 ? message("error (MPI rank ", cluster.rank(), " of ", cluster.size(), "): ") : "error: ";
  int code = EXIT_SUCCESS;
  try {
    if (app.got_subcommand("balance")) return run_balance(balance, out);
    return run_other_command(app, extra, out, err, cluster);
  } catch (const InputError& e) {
    err << who << e.what() << "\n";
    code = EXIT_INPUT_ERROR;
  } catch (const ModelError& e) {
    err << who << e.what() << "\n";
    code = EXIT_MODEL_ERROR;
  } catch (const RunInterrupted& e) {  // commands catch their own; this is the safety net
    err << who << e.what() << "\n";
    code = EXIT_INTERRUPTED;
  } catch (const std::bad_alloc&) {
    err << who << "out of memory\n";
    code = EXIT_MODEL_ERROR;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path that cannot be read, written, created or renamed is a problem with what the user
    // named; the message names the path(s) and the system's reason.
    err << who << e.what() << "\n";
    code = EXIT_INPUT_ERROR;
  } catch (const nlohmann::json::exception& e) {
    // Result files read back (report, resume) that are not what symbiomc writes.
    err << who << "malformed JSON input: " << e.what() << "\n";
    code = EXIT_INPUT_ERROR;
  } catch (const std::exception& e) {
    err << who << "internal error (please report it with the command line): " << e.what() << "\n";
    code = EXIT_INTERNAL_ERROR;
  } catch (...) {
    err << who << "internal error (please report it with the command line): unknown exception\n";
    code = EXIT_INTERNAL_ERROR;
  }
  return code;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Cluster* cluster) {
  CLI::App app{
      "symbiomc: how far can a park planner trust the savings of an industrial symbiosis?\n"
      "Balances, Monte Carlo uncertainty and Sobol' sensitivity of symbiosis networks.",
      "symbiomc"};  // named, so every usage line reads "symbiomc <command> [OPTIONS]"
  app.set_version_flag("--version", std::string("symbiomc ") + SYMBIOMC_VERSION);
  app.require_subcommand(1);
  BalanceArgs balance;
  add_balance_command(app, balance);
  CommandArgs extra;
  add_other_commands(app, extra);
  refuse_repeated_options(app);
  // CLI11 2.1 answers a mistyped command ("symbiomc balanc") with "A subcommand is required",
  // which sends the user looking for a missing word; name the word and the commands instead.
  if (!args.empty() && !args.front().empty() && args.front().front() != '-') {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), args.front()) == commands.end()) {
      std::string list;
      for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
      err << "error: '" << args.front() << "' is not a symbiomc command" << did_you_mean(args.front(), commands)
          << "; the commands are " << list << "\nRun with --help for more information.\n";
      return EXIT_INPUT_ERROR;
    }
  }
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
  std::unique_ptr<Cluster> lone;
  if (!cluster) {
    lone = lone_process();
    cluster = lone.get();
  }
  std::ostringstream discarded;  // rank 0 alone prints results
  return dispatch(app, balance, extra, cluster->is_root() ? out : discarded, err, *cluster);
}

}  // namespace symbiomc::cli
