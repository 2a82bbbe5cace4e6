#pragma once
// Morris elementary-effects screening driven over a Model (Morris 1991; mu* of Campolongo et
// al. 2007; stats/morris.hpp): r index-defined trajectories, a trajectory dropped for a mode
// when any of its runs fails there. A SegmentedStudy (sampling/segment_runner.hpp): same seed ->
// bit-identical results for any thread count, any number of MPI ranks and across a checkpoint
// and resume; memory independent of r.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/sampling/segment_scheduler.hpp"
#include "symbiomc/stats/morris.hpp"

namespace symbiomc {

struct MorrisConfig {
  std::uint64_t trajectories = 100;  ///< r
  std::size_t levels = 4;            ///< p (even)
  std::uint64_t seed = 1;
  std::size_t block = 64;           ///< trajectories per index-defined block
  std::size_t segment_blocks = 16;  ///< blocks per index-defined segment (MPI/checkpoint unit)
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  SegmentScheduler* scheduler = nullptr;      ///< where segments run; null = this process
  CheckpointOptions checkpoint;               ///< --checkpoint / --checkpoint-every / --resume
  std::vector<IdentityEntry> input_identity;  ///< the caller's inputs and their checksums
};

/// What determines a Morris result besides the inputs: compared on resume and across ranks.
[[nodiscard]] std::vector<IdentityEntry> result_identity(const MorrisConfig& config);

struct MorrisResult {
  MorrisConfig config;
  std::vector<std::string> modes;
  std::vector<std::vector<ModelOutput>> outputs;    ///< [mode]
  std::vector<MorrisEstimates> estimates;           ///< [mode]
  std::vector<std::uint64_t> dropped_trajectories;  ///< [mode]
  std::uint64_t model_runs = 0;
};

[[nodiscard]] MorrisResult run_morris(const Model& model, const Problem& problem, const MorrisConfig& config);

}  // namespace symbiomc
