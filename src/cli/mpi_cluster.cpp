// Segments shared among MPI ranks by dynamic self-scheduling, folded on rank 0 in index order.
//
// Scheme (issue 8, "load balance"): rank 0 hands out segment indices one at a time. Each worker
// holds at most two (one it computes, one queued so it never idles waiting for rank 0), sends
// each result without waiting for rank 0 to take it (MPI_Isend), and gets the next index when
// rank 0 receives a result, so a slow or busy rank simply completes fewer
// segments. Rank 0 computes segments too and serves its workers between waves of blocks
// (SegmentStudy::compute calls poll). Results are folded strictly in index order; at most
// WINDOW_PER_RANK * ranks segments may be handed out beyond the next one to fold, which bounds
// rank 0's memory when one rank lags. Because folding order is fixed, the result files are
// byte-identical for any number of ranks and threads.
//
// Shutdown: rank 0 sends STOP to every worker once the study needs no more segments (or on an
// interruption or error), then receives until each worker has answered DONE, so no message is
// left unmatched and no rank waits forever. A worker interrupted by a signal sends DONE with
// that status; rank 0 then stops the whole job the same way. A rank that dies is the MPI
// launcher's to clean up (mpirun and srun end the job when a rank exits abnormally); a rank
// that fails with an error prints it and calls MPI_Abort (Cluster::end_job_after_error).

#include "mpi_cluster.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "symbiomc/base/error.hpp"

namespace symbiomc::cli {

namespace {

constexpr int TAG_ASSIGN = 1;  ///< rank 0 -> worker: u64 segment index, or STOP
constexpr int TAG_RESULT = 2;  ///< worker -> rank 0: u64 segment index + contribution bytes
constexpr int TAG_DONE = 3;    ///< worker -> rank 0: u64 status (DONE_OK or DONE_INTERRUPTED)
constexpr std::uint64_t STOP = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t DONE_OK = 0;
constexpr std::uint64_t DONE_INTERRUPTED = 1;
constexpr std::uint64_t WINDOW_PER_RANK = 4;
/// Idle waits poll with this pause instead of a blocking MPI_Recv, which busy-spins a core in
/// Open MPI and would steal it from the TBB workers of a rank sharing the node.
constexpr auto IDLE_PAUSE = std::chrono::microseconds(500);

/// Thrown inside a worker's compute when rank 0 has said STOP: the segment is abandoned.
struct StopRequested {};

void send_u64(std::uint64_t value, int to, int tag) { MPI_Send(&value, 1, MPI_UINT64_T, to, tag, MPI_COMM_WORLD); }

std::uint64_t receive_u64(int from, int tag) {
  std::uint64_t value = 0;
  MPI_Recv(&value, 1, MPI_UINT64_T, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return value;
}

std::string receive_bytes(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_BYTE, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return bytes;
}

bool cancelled(const SegmentStudy& study) { return study.cancel && study.cancel->load(); }

/// First line where two identity texts differ, for the error message.
std::string first_difference(const std::string& mine, const std::string& root) {
  std::istringstream a(mine), b(root);
  std::string x, y;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, x));
    const bool more_b = static_cast<bool>(std::getline(b, y));
    if (!more_a && !more_b) return "(none)";
    if (!more_a || !more_b || x != y)
      return message("rank 0 has '", more_b ? y : "(nothing)", "', this rank has '", more_a ? x : "(nothing)", "'");
  }
}

class MpiScheduler final : public SegmentScheduler {
 public:
  MpiScheduler(int rank, int size) : rank_(rank), size_(size) {}

  std::uint64_t run(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) override {
    require_same_identity(study.identity);
    if (size_ == 1) return LocalScheduler().run(study, first, end);
    return rank_ == 0 ? run_root(study, first, end) : run_worker(study);
  }
  [[nodiscard]] bool is_root() const noexcept override { return rank_ == 0; }
  [[nodiscard]] int processes() const noexcept override { return size_; }

 private:
  /// Every rank must run the same study: the same options and input checksums.
  void require_same_identity(const std::string& identity) const {
    std::uint64_t length = identity.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string root_identity = rank_ == 0 ? identity : std::string(length, '\0');
    MPI_Bcast(root_identity.data(), static_cast<int>(length), MPI_BYTE, 0, MPI_COMM_WORLD);
    // Every rank learns the first differing rank's explanation, so that whichever rank's error reaches the user
    // first (an abort ends the others) names the difference; a rank's own message alone can be lost to the abort.
    const bool same = root_identity == identity;
    int differing = same ? size_ : rank_, first_differing = size_;
    MPI_Allreduce(&differing, &first_differing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first_differing == size_) return;
    std::string explanation =
        rank_ == first_differing
            ? message("MPI rank ", rank_, " does not run the same study as rank 0 (different input files or options: ",
                      first_difference(identity, root_identity), ")")
            : std::string();
    std::uint64_t explanation_length = explanation.size();
    MPI_Bcast(&explanation_length, 1, MPI_UINT64_T, first_differing, MPI_COMM_WORLD);
    explanation.resize(explanation_length);
    MPI_Bcast(explanation.data(), static_cast<int>(explanation_length), MPI_BYTE, first_differing, MPI_COMM_WORLD);
    throw InputError(explanation);
  }

  std::uint64_t run_root(const SegmentStudy& study, std::uint64_t first, std::uint64_t end) {
    const int workers = size_ - 1;
    const std::uint64_t window = WINDOW_PER_RANK * static_cast<std::uint64_t>(size_);
    std::uint64_t next_assign = first, next_fold = first;
    bool stop = first >= end;                      // e.g. resumed from a finished checkpoint: only the shutdown is left
    std::map<std::uint64_t, std::string> pending;  // computed, waiting for their turn to fold
    std::deque<int> hungry;                        // workers owed an index when the window moves
    std::vector<bool> done(static_cast<std::size_t>(size_), false);
    int done_count = 0;

    auto may_hand_out = [&] { return !stop && next_assign < end && next_assign < next_fold + window; };
    auto assign = [&](int worker) {
      if (may_hand_out())
        send_u64(next_assign++, worker, TAG_ASSIGN);
      else if (!stop && next_assign < end)
        hungry.push_back(worker);
    };
    auto fold_ready = [&] {
      for (auto it = pending.find(next_fold); !stop && it != pending.end(); it = pending.find(next_fold)) {
        const bool more = study.fold(next_fold, it->second);
        pending.erase(it);
        ++next_fold;
        if (!more || next_fold == end) stop = true;
      }
      while (!hungry.empty() && may_hand_out()) {
        send_u64(next_assign++, hungry.front(), TAG_ASSIGN);
        hungry.pop_front();
      }
    };
    auto serve = [&] {
      int flag = 0;
      MPI_Status status;
      while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), flag) {
        const int from = status.MPI_SOURCE;
        if (status.MPI_TAG == TAG_RESULT) {
          std::string bytes = receive_bytes(status);
          std::uint64_t index = 0;
          std::memcpy(&index, bytes.data(), sizeof index);
          if (!stop) pending.emplace(index, bytes.substr(sizeof index));
          assign(from);
        } else {  // TAG_DONE: only an interrupted worker says DONE before STOP
          const std::uint64_t state = receive_u64(from, TAG_DONE);
          if (!done[static_cast<std::size_t>(from)]) done[static_cast<std::size_t>(from)] = true, ++done_count;
          if (state == DONE_INTERRUPTED && !stop) throw RunInterrupted(message("MPI rank ", from, " was interrupted"));
        }
      }
      fold_ready();
      if (cancelled(study) && !stop) throw RunInterrupted(message("interrupted after ", next_fold, " segments"));
    };
    auto shutdown = [&] {
      stop = true;
      for (int w = 1; w <= workers; ++w) send_u64(STOP, w, TAG_ASSIGN);
      while (done_count < workers) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (!flag) {
          std::this_thread::sleep_for(IDLE_PAUSE);
          continue;
        }
        if (status.MPI_TAG == TAG_RESULT) {
          (void)receive_bytes(status);  // computed after the study ended: not needed
        } else {
          (void)receive_u64(status.MPI_SOURCE, TAG_DONE);
          if (!done[static_cast<std::size_t>(status.MPI_SOURCE)])
            done[static_cast<std::size_t>(status.MPI_SOURCE)] = true, ++done_count;
        }
      }
    };

    try {
      for (int round = 0; round < 2; ++round)
        for (int w = 1; w <= workers; ++w) assign(w);
      const std::function<void()> poll = [&] {
        serve();
        if (stop) throw StopRequested{};  // the study is complete: abandon this segment
      };
      while (true) {
        serve();
        if (stop) break;
        if (may_hand_out()) {
          const std::uint64_t index = next_assign++;
          try {
            pending.emplace(index, study.compute(index, poll));
          } catch (const StopRequested&) {
            break;
          }
          fold_ready();
        } else {
          std::this_thread::sleep_for(IDLE_PAUSE);
        }
      }
    } catch (...) {
      shutdown();
      throw;
    }
    shutdown();
    return next_fold;
  }

  std::uint64_t run_worker(const SegmentStudy& study) {
    std::deque<std::uint64_t> queue;
    bool stopping = false;
    auto take_assignments = [&] {
      int flag = 0;
      while (MPI_Iprobe(0, TAG_ASSIGN, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE), flag) {
        const std::uint64_t index = receive_u64(0, TAG_ASSIGN);
        if (index == STOP)
          stopping = true;
        else
          queue.push_back(index);
      }
    };
    const std::function<void()> poll = [&] {
      take_assignments();
      if (stopping) throw StopRequested{};
    };
    // The previous result is sent while the next segment is computed (MPI_Isend): a large
    // message needs rank 0 to match it, which it does only between its own waves of blocks.
    std::string sending;
    MPI_Request send_request = MPI_REQUEST_NULL;
    std::uint64_t state = DONE_OK;
    try {
      while (true) {
        take_assignments();
        if (stopping) break;
        if (queue.empty()) {
          if (cancelled(study)) throw RunInterrupted("interrupted");
          std::this_thread::sleep_for(IDLE_PAUSE);
          continue;
        }
        const std::uint64_t index = queue.front();
        queue.pop_front();
        std::string message_bytes(sizeof index, '\0');
        std::memcpy(message_bytes.data(), &index, sizeof index);
        message_bytes += study.compute(index, poll);
        if (message_bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
          throw ModelError(message("segment ", index, " is ", message_bytes.size(),
                                   " bytes, over MPI's 2 GiB message limit: use fewer --bins or smaller segments"));
        MPI_Wait(&send_request, MPI_STATUS_IGNORE);
        sending = std::move(message_bytes);
        MPI_Isend(sending.data(), static_cast<int>(sending.size()), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD,
                  &send_request);
      }
    } catch (const StopRequested&) {
    } catch (const RunInterrupted&) {
      state = DONE_INTERRUPTED;
    }
    MPI_Wait(&send_request, MPI_STATUS_IGNORE);  // rank 0 receives everything before DONE
    send_u64(state, 0, TAG_DONE);
    while (!stopping) {  // rank 0 always ends with STOP; read everything up to it
      take_assignments();
      if (!stopping) std::this_thread::sleep_for(IDLE_PAUSE);
    }
    if (state == DONE_INTERRUPTED) throw RunInterrupted("interrupted");
    return 0;
  }

  int rank_;
  int size_;
};

class MpiCluster final : public Cluster {
 public:
  MpiCluster(int rank, int size) : rank_(rank), size_(size), scheduler_(rank, size) {}
  ~MpiCluster() override { MPI_Finalize(); }
  MpiCluster(const MpiCluster&) = delete;
  MpiCluster& operator=(const MpiCluster&) = delete;

  [[nodiscard]] int rank() const noexcept override { return rank_; }
  [[nodiscard]] int size() const noexcept override { return size_; }
  [[nodiscard]] SegmentScheduler& scheduler() noexcept override { return scheduler_; }
  void end_job_after_error(int exit_code) noexcept override {
    if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
  }

 private:
  int rank_;
  int size_;
  MpiScheduler scheduler_;
};

}  // namespace

/// True when an MPI launcher (mpirun, mpiexec, srun with PMI/PMIx) started this process.
bool started_by_mpi_launcher() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(variable)) return true;
  return false;
}

std::unique_ptr<Cluster> start_mpi_cluster(int& argc, char**& argv) {
  // Started on its own, an MPI build is a lone process and does not initialise MPI: an Open MPI
  // singleton would start a helper daemon and bind the process to one core, which would leave
  // the TBB threads sharing that core.
  if (!started_by_mpi_launcher()) return lone_process();
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw ModelError("this MPI library does not support MPI_THREAD_FUNNELED (threads next to MPI calls on one thread)");
  }
  return std::make_unique<MpiCluster>(rank, size);
}

}  // namespace symbiomc::cli
