#pragma once
// The command line: CLI11 subcommands mapped onto library calls. run_cli() takes the
// argument vector and the output streams so tests can drive it in-process (CLI11's TApp
// idea); it is the only place that turns exceptions into exit codes.

#include <ostream>
#include <string>
#include <vector>

namespace symbiomc::cli {

// The exit codes, documented in the README ("Exit codes"); scripts rely on them.
inline constexpr int EXIT_CHECK_WARNINGS = 1;  ///< `check`: warnings, no errors (`balance`: a mode failed)
inline constexpr int EXIT_INPUT_ERROR = 2;     ///< bad input: file, line, column or parameter named
inline constexpr int EXIT_MODEL_ERROR = 3;     ///< the model cannot do what was asked (or memory ran out)
inline constexpr int EXIT_INTERNAL_ERROR = 4;  ///< an error symbiomc did not foresee: a bug, please report it
inline constexpr int EXIT_INTERRUPTED = 130;   ///< Ctrl-C / SIGTERM (128 + SIGINT, as shells count)

class Cluster;

/// Runs `symbiomc <args...>` (args excludes the program name). Returns the exit code.
/// `cluster` is this process's place in an MPI job; null means a lone process. On an MPI rank
/// other than 0 nothing goes to `out`; errors name the rank. (main ends the whole MPI job when
/// a rank returns an error code, so no rank waits forever for one that failed.)
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Cluster* cluster = nullptr);

}  // namespace symbiomc::cli
