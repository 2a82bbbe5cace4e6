#include "bench_command.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "option_checks.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/studies/throughput.hpp"
#include "uncertainty_command.hpp"

namespace symbiomc::cli {

namespace {

/// The process's peak resident set so far, in MiB (Linux reports ru_maxrss in KiB). It only
/// grows, so a row's figure is the peak of every measurement up to and including that row.
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

std::vector<std::size_t> thread_counts(const std::vector<int>& asked) {
  std::vector<std::size_t> counts;
  if (asked.empty()) {
    counts.push_back(1);
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    if (cores > 1) counts.push_back(cores);
    return counts;
  }
  for (const int t : asked) {
    const std::size_t n = t == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<std::size_t>(t);
    if (std::find(counts.begin(), counts.end(), n) == counts.end()) counts.push_back(n);
  }
  return counts;
}

/// "about 4 min" for a duration in seconds: what a user sizing a study needs.
std::string rough_duration(double seconds) {
  std::ostringstream text;
  text << std::setprecision(2);
  if (seconds < 120)
    text << seconds << " s";
  else if (seconds < 7200)
    text << seconds / 60 << " min";
  else if (seconds < 2 * 86400)
    text << seconds / 3600 << " h";
  else
    text << seconds / 86400 << " days";
  return text.str();
}

}  // namespace

void add_bench_command(CLI::App& app, BenchArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Throughput of your own case on this machine, per thread count: the model alone, sampling alone and the whole "
      "uncertainty analysis, in runs/s, with the peak memory: what a study of N runs will take");
  add_study_options(*cmd, args.study, true);
  cmd->add_option("--runs", args.runs, "Runs behind each rate (default 1000000)")
      ->check(whole_number_in(2, std::uint64_t{1} << 40));
  cmd->add_option("--threads", args.threads, "Thread count to measure (repeatable; 0 = all cores; default: 1 and all)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--seed", args.seed, "Master seed of the runs")
      ->check(whole_number_in(0, std::numeric_limits<std::uint64_t>::max()));
  cmd->add_option("--method", args.method, "Sampling: mc, lhs or qmc")->check(CLI::IsMember({"mc", "lhs", "qmc"}));
  cmd->add_option("--format", args.format, "table (default) or json")->check(CLI::IsMember({"table", "json"}));
}

int run_bench_command(const BenchArgs& args, std::ostream& out) {
  const auto study = load_study(args.study);
  const std::string name = study->network ? study->network->name : args.study.model_spec;
  const std::vector<std::size_t> counts = thread_counts(args.threads);
  std::vector<ThroughputResult> results;
  std::vector<double> memory;
  for (const std::size_t threads : counts) {
    ThroughputConfig config;
    config.runs = args.runs;
    config.threads = threads;
    config.seed = args.seed;
    if (!parse_sampling_method(args.method, config.method))
      throw InputError(message("--method: expected mc, lhs or qmc, got '", args.method, "'"));
    results.push_back(measure_throughput(*study->model, *study->problem, config));
    memory.push_back(peak_rss_mib());
  }
  if (args.format == "json") {
    nlohmann::ordered_json j;
    j["case"] = name;
    j["runs"] = args.runs;
    j["method"] = args.method;
    j["seed"] = args.seed;
    j["results"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < results.size(); ++i) {
      j["results"].push_back({{"threads", results[i].threads},
                              {"model_only_runs_per_s", results[i].model_only_runs_per_s},
                              {"sampling_runs_per_s", results[i].sampling_runs_per_s},
                              {"uncertainty_runs_per_s", results[i].uncertainty_runs_per_s},
                              {"peak_rss_mib", memory[i]}});
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "symbiomc bench: " << name << ", " << args.runs << " runs per rate, method " << args.method << ", "
      << study->problem->dimension() << " uncertain parameters\n";
  out << std::setw(8) << "threads" << std::setw(26) << "model only [runs/s]" << std::setw(22) << "sampling [runs/s]"
      << std::setw(25) << "uncertainty [runs/s]" << std::setw(17) << "peak RSS [MiB]"
      << "\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    out << std::setw(8) << results[i].threads << std::setw(26) << std::llround(results[i].model_only_runs_per_s)
        << std::setw(22) << std::llround(results[i].sampling_runs_per_s) << std::setw(25)
        << std::llround(results[i].uncertainty_runs_per_s) << std::setw(17) << std::fixed << std::setprecision(1)
        << memory[i] << "\n";
    out.unsetf(std::ios::fixed);
  }
  const ThroughputResult& fastest = *std::max_element(results.begin(), results.end(), [](const auto& a, const auto& b) {
    return a.uncertainty_runs_per_s < b.uncertainty_runs_per_s;
  });
  out << "10^6 runs of this case take about " << rough_duration(1e6 / fastest.uncertainty_runs_per_s)
      << ", 10^8 runs about " << rough_duration(1e8 / fastest.uncertainty_runs_per_s) << " (uncertainty, "
      << fastest.threads << " thread" << (fastest.threads == 1 ? "" : "s")
      << "; Sobol' indices need N (d + 2) runs for N base samples and d parameters)\n";
  return 0;
}

}  // namespace symbiomc::cli
