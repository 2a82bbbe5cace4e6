// The symbiomc executable: everything is in symbiomc_cli / symbiomc_core; main only hands
// the arguments over, so tests exercise exactly what ships.
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return symbiomc::cli::run_cli(args, std::cout, std::cerr);
}
