#pragma once
// Options every sampling command shares for long runs: checkpoints and resume, and the
// identity of a study (inputs and their checksums) that a resume and the MPI ranks compare.

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "symbiomc/report/provenance.hpp"
#include "symbiomc/sampling/checkpoint.hpp"

namespace symbiomc::cli {

struct LongRunArgs {
  std::string checkpoint;          ///< --checkpoint FILE
  double checkpoint_every = 600;   ///< --checkpoint-every SECONDS
  std::string resume;              ///< --resume FILE
  std::size_t segment_blocks = 0;  ///< --segment-blocks (0 = the study's default)
};

void add_long_run_options(CLI::App& cmd, LongRunArgs& args);
/// The checkpoint options of `args`; a final checkpoint that cannot be written is a warning on `err`.
[[nodiscard]] CheckpointOptions checkpoint_options(const LongRunArgs& args, std::ostream& err);

/// Warns on `err` when this process may run on fewer cores than `threads` (its CPU affinity,
/// as set by taskset or by an MPI launcher's default binding, e.g. Open MPI binds each rank
/// to one core): the threads would then share those cores. The result is unaffected.
void warn_if_bound_to_fewer_cores(int threads, std::ostream& err);

/// The provenance as identity entries: tool version, case, options, and one checksum per input
/// file keyed by its role and file name (not its directory, so a resume may run elsewhere).
[[nodiscard]] std::vector<IdentityEntry> input_identity(const Provenance& provenance);

}  // namespace symbiomc::cli
