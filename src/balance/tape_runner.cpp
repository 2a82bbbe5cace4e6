#include "balance/tape_runner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace symbiomc {

BalanceWorkspace::Solver::Solver(const std::vector<LoopBlock>& loops) {
  std::size_t max_size = 0;
  for (const LoopBlock& loop : loops)
    if (loop.affine) max_size = std::max(max_size, loop.members.size());
  matrix.resize(max_size + 1);
  rhs.resize(max_size + 1);
  solution.resize(max_size + 1);
  lu.resize(max_size + 1);
  for (const LoopBlock& loop : loops) {
    const std::size_t k = loop.members.size();
    if (!loop.affine || matrix[k].rows() == static_cast<Eigen::Index>(k)) continue;
    const auto n = static_cast<Eigen::Index>(k);
    matrix[k].resize(n, n);
    rhs[k].resize(n);
    solution[k].resize(n);
    lu[k] = Eigen::PartialPivLU<Eigen::MatrixXd>(n);
  }
}

namespace detail {

namespace {

// The lane loops, derived from operation_table: run_lanes<kernel> is the loop of one
// operation with its kernel inlined (the compiler vectorises it as it would a hand-written
// loop), and lane_loops holds one per Op, so the runner picks an operation's loop with one
// indexed call per instruction, outside the lane loop. A new operation gets its loop here
// without an edit. Measured against the hand-written switch this replaced (both libraries in
// one process, evaluate() on the biomass case, interleaved): within +-3% from 1 to 256 lanes,
// 2-5% faster at the 64 lanes CaseModel uses. A switch generated from the table by a fold
// expression (GCC makes it a jump table) was 5-10% slower on a single lane.

/// d[r] = op(a[r], b[r], c[r]) for r in [0, n). d may be one of the operands (temporaries are
/// reused), so no restrict: the vectoriser checks overlap at run time, as for the hand-written loops.
using LaneLoop = void (*)(double* d, const double* a, const double* b, const double* c, std::size_t n);

template <LaneKernel kernel>
void run_lanes(double* d, const double* a, const double* b, const double* c, std::size_t n) noexcept {
  for (std::size_t r = 0; r < n; ++r) d[r] = kernel(a[r], b[r], c[r]);
}

template <std::size_t I>
constexpr LaneLoop lane_loop() noexcept {
  if constexpr (operation_table[I].run_by_runner)
    return nullptr;  // pwl and loop: TapeRunner::run handles them
  else
    return &run_lanes<operation_table[I].kernel>;
}

constexpr auto lane_loops = []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<LaneLoop, sizeof...(I)>{lane_loop<I>()...};
}
(std::make_index_sequence<OP_COUNT>());

}  // namespace

void TapeRunner::run(const Instruction* begin, const Instruction* end) noexcept {
  const std::size_t n = n_, width = width_;
  double* slots = slots_;
  for (const Instruction* in = begin; in != end; ++in) {
    double* d = slots + in->dst * width;
    const double* a = slots + in->a * width;
    if (in->op == Op::pwl)
      pwl(plan_.curves[in->b], a, d);
    else if (in->op == Op::loop)
      loop(plan_.loops[in->a]);
    else
      lane_loops[static_cast<std::size_t>(in->op)](d, a, slots + in->b * width, slots + in->c * width, n);
  }
}

/// Piecewise-linear interpolation, clamped at the end points.
void TapeRunner::pwl(const PlanCurve& curve, const double* x_values, double* d) noexcept {
  const std::size_t points = curve.x.size();
  for (std::size_t r = 0; r < n_; ++r) {
    const double x = x_values[r];
    auto px = [&](std::size_t i) { return slots_[curve.x[i] * width_ + r]; };
    auto py = [&](std::size_t i) { return slots_[curve.y[i] * width_ + r]; };
    double result = 0.0;
    if (std::isnan(x)) {
      result = NAN;
    } else if (x <= px(0)) {
      result = py(0);
    } else if (x >= px(points - 1)) {
      result = py(points - 1);
    } else {
      std::size_t i = 1;
      while (i < points - 1 && x >= px(i)) ++i;
      const double x0 = px(i - 1), x1 = px(i);
      // Sampled curve points that no longer increase make the curve meaningless: evaluate()
      // has failed such a run as curve_not_increasing already; NaN rather than an arbitrary
      // value all the same.
      result = (x1 > x0) ? py(i - 1) + (py(i) - py(i - 1)) * (x - x0) / (x1 - x0) : NAN;
    }
    d[r] = result;
  }
}

void TapeRunner::loop(const LoopBlock& loop) noexcept {
  if (loop.affine)
    solve_affine(loop);
  else
    iterate_to_fixed_point(loop);
}

/// x = b + A x: b from f(0), column j of A from f(e_j) - b (exact for affine f up to rounding);
/// then solve (I - A) x = b per lane.
void TapeRunner::solve_affine(const LoopBlock& loop) noexcept {
  const std::size_t k = loop.members.size();
  const Instruction* begin = plan_.loop_code.data() + loop.code_begin;
  const Instruction* end = plan_.loop_code.data() + loop.code_end;
  double* store = scratch_.data();  // [(j)][i][lane]
  for (std::size_t j = 0; j <= k; ++j) {
    for (std::size_t i = 0; i < k; ++i) std::fill_n(member(loop, i), n_, (j > 0 && i == j - 1) ? 1.0 : 0.0);
    run(begin, end);
    for (std::size_t i = 0; i < k; ++i) std::copy_n(next(loop, i), n_, store + (j * k + i) * width_);
  }
  Eigen::MatrixXd& matrix = solver_->matrix[k];
  Eigen::VectorXd& rhs = solver_->rhs[k];
  Eigen::VectorXd& solution = solver_->solution[k];
  auto& lu = solver_->lu[k];
  for (std::size_t r = 0; r < n_; ++r) {
    for (std::size_t i = 0; i < k; ++i) {
      const double b = store[i * width_ + r];
      rhs[static_cast<Eigen::Index>(i)] = b;
      for (std::size_t j = 0; j < k; ++j)
        matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            (i == j ? 1.0 : 0.0) - (store[((j + 1) * k + i) * width_ + r] - b);
    }
    bool singular = !matrix.allFinite() || !rhs.allFinite();
    if (!singular) {
      lu.compute(matrix);
      const auto diagonal = lu.matrixLU().diagonal().cwiseAbs();
      singular = diagonal.minCoeff() <= 1e-12 * std::max(1.0, diagonal.maxCoeff());
      if (!singular) solution = lu.solve(rhs);
    }
    for (std::size_t i = 0; i < k; ++i) member(loop, i)[r] = singular ? NAN : solution[static_cast<Eigen::Index>(i)];
    if (singular) fail(mode, r, RunStatus::singular_recycle);
  }
}

/// Fixed-point iteration from zero. A lane stops changing once it has converged, so its result
/// does not depend on which other lanes share the block.
void TapeRunner::iterate_to_fixed_point(const LoopBlock& loop) noexcept {
  const std::size_t k = loop.members.size();
  const Instruction* begin = plan_.loop_code.data() + loop.code_begin;
  const Instruction* end = plan_.loop_code.data() + loop.code_end;
  for (std::size_t i = 0; i < k; ++i) std::fill_n(member(loop, i), n_, 0.0);
  std::fill_n(done_.begin(), n_, 0);
  std::size_t remaining = n_;
  for (int iteration = 0; iteration < plan_.fixed_point_max_iterations && remaining > 0; ++iteration) {
    run(begin, end);
    for (std::size_t r = 0; r < n_; ++r) {
      if (done_[r]) continue;
      bool converged = true;
      for (std::size_t i = 0; i < k; ++i) {
        const double old_value = member(loop, i)[r], new_value = next(loop, i)[r];
        if (!(std::abs(new_value - old_value) <= plan_.fixed_point_tolerance * std::max(1.0, std::abs(new_value))))
          converged = false;
        member(loop, i)[r] = new_value;
      }
      if (converged) done_[r] = 1, --remaining;
    }
  }
  for (std::size_t r = 0; r < n_; ++r)
    if (!done_[r]) fail(mode, r, RunStatus::not_converged);
}

}  // namespace detail
}  // namespace symbiomc
