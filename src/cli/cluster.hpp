#pragma once
// This process's place in a job: a lone process, or one rank of an MPI job (when built with
// -DSYMBIOMC_MPI=ON and started by mpirun/srun). The commands ask it where segments run, whether
// they are the rank that prints and writes files, and how to end the whole job on an error.

#include <memory>

#include "symbiomc/sampling/segment_scheduler.hpp"

namespace symbiomc::cli {

class Cluster {
 public:
  virtual ~Cluster() = default;
  [[nodiscard]] virtual int rank() const noexcept = 0;
  [[nodiscard]] virtual int size() const noexcept = 0;
  [[nodiscard]] bool is_root() const noexcept { return rank() == 0; }
  /// Shares a study's segments among all ranks (every segment in this process for one rank).
  [[nodiscard]] virtual SegmentScheduler& scheduler() noexcept = 0;
  /// Called after this rank printed an error that the other ranks may not share: ends every
  /// rank of the job with `exit_code` (MPI_Abort), so no rank waits forever. A lone process
  /// returns and lets the caller exit normally.
  virtual void end_job_after_error(int exit_code) noexcept = 0;
};

/// A single process without MPI.
[[nodiscard]] std::unique_ptr<Cluster> lone_process();

/// Starts MPI when this build has it (MPI_Init_thread, finalised by the returned object's
/// destructor); a lone process otherwise. Call once, first thing in main.
[[nodiscard]] std::unique_ptr<Cluster> start_cluster(int& argc, char**& argv);

}  // namespace symbiomc::cli
