#pragma once
// The MPI side of Cluster (built only with -DSYMBIOMC_MPI=ON).

#include <memory>

#include "cluster.hpp"

namespace symbiomc::cli {

/// MPI_Init_thread(MPI_THREAD_FUNNELED): only the main thread talks to MPI, between waves of
/// TBB work. Throws ModelError if MPI cannot give that level.
[[nodiscard]] std::unique_ptr<Cluster> start_mpi_cluster(int& argc, char**& argv);

}  // namespace symbiomc::cli
