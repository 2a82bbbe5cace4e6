#pragma once
// Pass 7, at run time: executes a plan's tape over the lanes of a workspace. Lanes are
// contiguous per slot, so each instruction is one loop over the lanes that the compiler
// vectorises; the operation is chosen once per instruction, outside that loop. Recycle loops
// run their sub-tape: k + 1 times to read off an affine loop's linear system (then one LU per
// lane), or until every lane converges for a fixed-point loop.

#include <cstddef>
#include <vector>

#include <Eigen/Dense>

#include "symbiomc/balance/balance.hpp"

namespace symbiomc {

/// One preallocated LU per size of the plan's affine loops, indexed by size (other sizes stay
/// empty): compute() on an object of the same size reuses its storage, so solving a recycle
/// loop allocates nothing.
struct BalanceWorkspace::Solver {
  std::vector<Eigen::MatrixXd> matrix;
  std::vector<Eigen::VectorXd> rhs, solution;
  std::vector<Eigen::PartialPivLU<Eigen::MatrixXd>> lu;
  explicit Solver(const std::vector<LoopBlock>& loops);
};

namespace detail {

/// Runs tape ranges over lanes [0, n) of one workspace's buffers.
class TapeRunner {
 public:
  /// `slots` has `width` lanes per slot; `status` one RunStatus per mode and lane; `scratch`,
  /// `done` and `solver` are sized by BalanceWorkspace for the plan's largest loop.
  TapeRunner(const PlanData& plan, std::vector<RunStatus>& status, std::vector<double>& scratch,
             std::vector<unsigned char>& done, BalanceWorkspace::Solver* solver, double* slots, std::size_t width,
             std::size_t n)
      : plan_(plan),
        status_(status),
        scratch_(scratch),
        done_(done),
        solver_(solver),
        slots_(slots),
        width_(width),
        n_(n) {}

  /// The mode whose lanes a failing recycle loop marks.
  std::size_t mode = 0;

  void run(const Instruction* begin, const Instruction* end) noexcept;

 private:
  const PlanData& plan_;
  std::vector<RunStatus>& status_;
  std::vector<double>& scratch_;
  std::vector<unsigned char>& done_;
  BalanceWorkspace::Solver* solver_;
  double* slots_;
  std::size_t width_, n_;

  /// Keeps the first failure of a lane.
  void fail(std::size_t m, std::size_t lane, RunStatus s) noexcept {
    RunStatus& current = status_[m * width_ + lane];
    if (current == RunStatus::ok) current = s;
  }
  void pwl(const PlanCurve& curve, const double* x_values, double* d) noexcept;
  double* member(const LoopBlock& loop, std::size_t i) noexcept { return slots_ + loop.members[i] * width_; }
  double* next(const LoopBlock& loop, std::size_t i) noexcept { return slots_ + loop.next[i] * width_; }
  void loop(const LoopBlock& loop) noexcept;
  void solve_affine(const LoopBlock& loop) noexcept;
  void iterate_to_fixed_point(const LoopBlock& loop) noexcept;
};

}  // namespace detail
}  // namespace symbiomc
