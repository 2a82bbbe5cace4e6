#include "cluster.hpp"

#ifdef SYMBIOMC_HAVE_MPI
#include "mpi_cluster.hpp"
#endif

namespace symbiomc::cli {

namespace {

class LoneProcess final : public Cluster {
 public:
  [[nodiscard]] int rank() const noexcept override { return 0; }
  [[nodiscard]] int size() const noexcept override { return 1; }
  [[nodiscard]] SegmentScheduler& scheduler() noexcept override { return scheduler_; }
  void end_job_after_error(int) noexcept override {}

 private:
  LocalScheduler scheduler_;
};

}  // namespace

std::unique_ptr<Cluster> lone_process() { return std::make_unique<LoneProcess>(); }

std::unique_ptr<Cluster> start_cluster([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef SYMBIOMC_HAVE_MPI
  return start_mpi_cluster(argc, argv);
#else
  return lone_process();
#endif
}

}  // namespace symbiomc::cli
