#include "long_run.hpp"

#include <sched.h>

#include <filesystem>

#include "option_checks.hpp"

namespace symbiomc::cli {

void add_long_run_options(CLI::App& cmd, LongRunArgs& args) {
  cmd.add_option(
      "--checkpoint", args.checkpoint,
      "Write the merged state of all completed segments to FILE (atomically) every --checkpoint-every seconds, "
      "on Ctrl-C/SIGTERM and at the end");
  cmd.add_option("--checkpoint-every", args.checkpoint_every, "Seconds between checkpoints (0 = after every segment)")
      ->check(finite_in(0.0, 1e9));
  cmd.add_option("--resume", args.resume,
                 "Continue from a checkpoint written by the same study (same inputs and options; refused otherwise); "
                 "the results are byte-identical to an uninterrupted run");
  cmd.add_option(
         "--segment-blocks", args.segment_blocks,
         "Blocks per segment, the unit MPI ranks share and checkpoints save (default 64 for uncertainty, 32 for "
         "Sobol', 16 for Morris); larger segments mean less traffic to rank 0 on a big cluster. Part of the result's "
         "identity: results differ in the last digits with another value")
      ->check(whole_number_in(1, std::size_t{1} << 24));
}

CheckpointOptions checkpoint_options(const LongRunArgs& args, std::ostream& err) {
  CheckpointOptions options;
  options.warn = [&err](const std::string& text) { err << "warning: " << text << "\n"; };
  options.path = args.checkpoint;
  options.every_seconds = args.checkpoint_every;
  options.resume_path = args.resume;
  return options;
}

void warn_if_bound_to_fewer_cores(int threads, std::ostream& err) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) return;
  const int cores = CPU_COUNT(&mask);
  if (cores >= threads) return;
  err << "warning: this process may only run on " << cores << " core" << (cores == 1 ? "" : "s")
      << " (CPU affinity) but --threads is " << threads
      << "; under mpirun add --bind-to none (or --map-by ppr:1:node:PE=" << threads << ") so the threads get cores\n";
}

std::vector<IdentityEntry> input_identity(const Provenance& provenance) {
  std::vector<IdentityEntry> identity{{"symbiomc version", provenance.tool_version}, {"case", provenance.case_name}};
  for (const auto& [key, value] : provenance.options) {
    if (key == "set") {
      const auto eq = value.find('=');
      identity.emplace_back("set " + value.substr(0, eq), eq == std::string::npos ? "" : value.substr(eq + 1));
    } else {
      identity.emplace_back("option " + key, value);
    }
  }
  for (const auto& file : provenance.files)
    identity.emplace_back(file.role + " file " + std::filesystem::path(file.path).filename().string(),
                          "checksum " + file.checksum);
  return identity;
}

}  // namespace symbiomc::cli
