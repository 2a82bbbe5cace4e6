#pragma once
// The command line: CLI11 subcommands mapped onto library calls. run_cli() takes the
// argument vector and the output streams so tests can drive it in-process (CLI11's TApp
// idea); it is the only place that turns exceptions into exit codes.

#include <ostream>
#include <string>
#include <vector>

namespace symbiomc::cli {

inline constexpr int EXIT_INPUT_ERROR = 2;  ///< bad input: file, line, column or parameter named
inline constexpr int EXIT_MODEL_ERROR = 3;  ///< the model cannot do what was asked
inline constexpr int EXIT_INTERRUPTED = 130;

/// Runs `symbiomc <args...>` (args excludes the program name). Returns the exit code.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace symbiomc::cli
