#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "study.hpp"

namespace symbiomc::cli {

struct BenchArgs {
  StudyInputs study;
  std::uint64_t runs = 1000000;
  std::vector<int> threads;  ///< empty = 1 and all cores
  std::uint64_t seed = 1;
  std::string method = "mc";
  std::string format = "table";
};

/// `symbiomc bench`: the throughput of the user's own case (studies/throughput.hpp).
void add_bench_command(CLI::App& app, BenchArgs& args);
int run_bench_command(const BenchArgs& args, std::ostream& out);

}  // namespace symbiomc::cli
