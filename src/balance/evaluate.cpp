// evaluate(): runs a plan's tape for a block of lanes and decides, per mode and lane, whether
// the balance is valid (RunStatus). Never throws and allocates nothing: it runs inside the
// parallel sampling loops, where a failed run is data, not an exception.

#include "symbiomc/balance/balance.hpp"

#include <algorithm>
#include <cmath>

#include "balance/tape_runner.hpp"

namespace symbiomc {

namespace {

// Per-lane checks of evaluate(), one slot (all its lanes) at a time. The lane loops accumulate
// into per-lane doubles without branches so that GCC vectorises them (SSE2 already; a select on
// a comparison GCC would not if-convert under -ftrapping-math is avoided); the few failing lanes
// are sorted out afterwards.

/// flags[r] != 0 for the lanes whose value of a parameter lies outside domain D.
template <ParameterDomain D>
void flag_out_of_domain(const double* values, double* flags, std::size_t n) noexcept {
  for (std::size_t r = 0; r < n; ++r) flags[r] += in_domain<D>(values[r]) ? 0.0 : 1.0;
}

/// flags[r] != 0 for the lanes where a parameter lies outside its physical domain.
void flag_parameters_out_of_domain(const std::vector<ParameterInfo>& parameters, const double* slots, std::size_t width,
                                   double* flags, std::size_t n) noexcept {
  std::fill_n(flags, n, 0.0);
  for (std::size_t p = 0; p < parameters.size(); ++p) {
    const double* v = slots + p * width;
    switch (parameters[p].domain) {
      case ParameterDomain::any:
        flag_out_of_domain<ParameterDomain::any>(v, flags, n);
        break;
      case ParameterDomain::nonnegative:
        flag_out_of_domain<ParameterDomain::nonnegative>(v, flags, n);
        break;
      case ParameterDomain::positive:
        flag_out_of_domain<ParameterDomain::positive>(v, flags, n);
        break;
      case ParameterDomain::fraction:
        flag_out_of_domain<ParameterDomain::fraction>(v, flags, n);
        break;
      case ParameterDomain::efficiency:
        flag_out_of_domain<ParameterDomain::efficiency>(v, flags, n);
        break;
    }
  }
}

/// flags[r] != 0 for the lanes where the x points of a curve that has sampled ones are not
/// strictly increasing (a NaN point included): interpolating between crossed points would
/// return one end's y as if the curve were sound.
void flag_crossing_curves(const std::vector<PlanCurve>& curves, const double* slots, std::size_t width, double* flags,
                          std::size_t n) noexcept {
  std::fill_n(flags, n, 0.0);
  for (const PlanCurve& curve : curves) {
    if (!curve.x_sampled) continue;
    for (std::size_t i = 1; i < curve.x.size(); ++i) {
      const double* lower = slots + curve.x[i - 1] * width;
      const double* upper = slots + curve.x[i] * width;
      for (std::size_t r = 0; r < n; ++r) flags[r] += upper[r] > lower[r] ? 0.0 : 1.0;
    }
  }
}

/// lowest[r] becomes the smallest value of the listed slots in lane r, NaN ignored (four at a
/// time; a NaN may hide a smaller value of its group, which matters not: evaluate() decides a
/// lane with a non-finite value flow by flow).
void scan_lowest(const double* slots, std::size_t width, const std::vector<std::uint32_t>& list, double* lowest,
                 std::size_t n) noexcept {
  auto smaller = [](double x, double y) { return x < y ? x : y; };  // y when unordered
  std::size_t i = 0;
  for (; i + 4 <= list.size(); i += 4) {
    const double* a = slots + list[i] * width;
    const double* b = slots + list[i + 1] * width;
    const double* c = slots + list[i + 2] * width;
    const double* d = slots + list[i + 3] * width;
    for (std::size_t r = 0; r < n; ++r)
      lowest[r] = smaller(smaller(smaller(a[r], b[r]), smaller(c[r], d[r])), lowest[r]);
  }
  for (; i < list.size(); ++i) {
    const double* a = slots + list[i] * width;
    for (std::size_t r = 0; r < n; ++r) lowest[r] = smaller(a[r], lowest[r]);
  }
}

/// not_finite[r] becomes NaN when one of the listed slots is not finite in lane r (four at a time).
void scan_finite(const double* slots, std::size_t width, const std::vector<std::uint32_t>& list, double* not_finite,
                 std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 4 <= list.size(); i += 4) {
    const double* a = slots + list[i] * width;
    const double* b = slots + list[i + 1] * width;
    const double* c = slots + list[i + 2] * width;
    const double* d = slots + list[i + 3] * width;
    for (std::size_t r = 0; r < n; ++r)
      not_finite[r] += ((a[r] - a[r]) + (b[r] - b[r])) + ((c[r] - c[r]) + (d[r] - d[r]));
  }
  for (; i < list.size(); ++i) {
    const double* a = slots + list[i] * width;
    for (std::size_t r = 0; r < n; ++r) not_finite[r] += a[r] - a[r];
  }
}

/// Validity of one mode after its tape: every active flow is a non-negative finite number;
/// every output and variable is finite. A lane keeps its first failure: the tape's (loops),
/// else that of the first failing flow in flow order (non_finite or negative_flow), else
/// non_finite if an output or variable is not. Order matters only in a lane with a non-finite
/// value: that rare lane is decided flow by flow. `flags` has room for 2 * width doubles.
void check_mode(const detail::PlanData& plan, std::size_t m, const double* slots, std::size_t width, double* flags,
                unsigned char* st, std::size_t n) noexcept {
  double* not_finite = flags;
  double* lowest = flags + width;
  std::fill_n(not_finite, n, 0.0);
  std::fill_n(lowest, n, 0.0);
  scan_finite(slots, width, plan.finite_checks[m], not_finite, n);
  scan_lowest(slots, width, plan.flow_checks[m], lowest, n);
  for (std::size_t r = 0; r < n; ++r) {
    if (st[r] != 0) continue;
    if (!std::isnan(not_finite[r])) {
      if (lowest[r] < -1e-9) st[r] = static_cast<unsigned char>(RunStatus::negative_flow);
      continue;
    }
    st[r] = static_cast<unsigned char>(RunStatus::non_finite);  // unless a flow fails first
    for (const std::uint32_t slot : plan.flow_checks[m]) {
      const double q = slots[slot * width + r];
      if (!std::isfinite(q)) break;
      if (q < -1e-9) {
        st[r] = static_cast<unsigned char>(RunStatus::negative_flow);
        break;
      }
    }
  }
}

/// status[r] keeps its failure; an ok lane takes the baseline's status.
void merge_status(unsigned char* status, const unsigned char* baseline, std::size_t n) noexcept {
  for (std::size_t r = 0; r < n; ++r) {
    const unsigned char s = status[r], b = baseline[r];
    status[r] = s != 0 ? s : b;
  }
}

}  // namespace

void evaluate(const BalancePlan& balance_plan, BalanceWorkspace& ws, std::size_t lanes,
              std::size_t only_mode) noexcept {
  const detail::PlanData& plan = balance_plan.data();
  const std::size_t width = ws.width_;
  const std::size_t n = std::min(lanes, width);
  const std::size_t modes = plan.modes.size();
  double* slots = ws.slots_.data();
  detail::TapeRunner runner(plan, ws.status_, ws.scratch_, ws.done_, ws.solver_.get(), slots, width, n);
  // RunStatus is one byte with ok = 0: the lane loops below work on its bytes.
  static_assert(sizeof(RunStatus) == 1 && static_cast<int>(RunStatus::ok) == 0);
  double* flags = ws.flags_.data();
  auto* status = reinterpret_cast<unsigned char*>(ws.status_.data());

  // Sampled parameters outside their physical domain invalidate the whole run (every mode).
  flag_parameters_out_of_domain(plan.parameters, slots, width, flags, n);
  std::fill(ws.status_.begin(), ws.status_.end(), RunStatus::ok);
  constexpr auto out_of_domain = static_cast<unsigned char>(RunStatus::out_of_domain);
  for (std::size_t m = 0; m < modes; ++m)
    for (std::size_t r = 0; r < n; ++r) status[m * width + r] = flags[r] != 0.0 ? out_of_domain : 0;
  // So do sampled curve points that cross: the curve is no longer a function of x.
  if (plan.has_sampled_curve) {
    flag_crossing_curves(plan.curves, slots, width, flags, n);
    constexpr auto crossing = static_cast<unsigned char>(RunStatus::curve_not_increasing);
    for (std::size_t m = 0; m < modes; ++m)
      for (std::size_t r = 0; r < n; ++r)
        if (status[m * width + r] == 0 && flags[r] != 0.0) status[m * width + r] = crossing;
  }

  const bool all_modes = only_mode == static_cast<std::size_t>(-1);
  for (std::size_t m = 0; m < modes; ++m) {
    if (m != 0 && !all_modes && m != only_mode) continue;
    if (m == 1 || (m == only_mode && m > 1))  // values the synergy modes share, once
      runner.run(plan.code.data() + plan.shared_begin, plan.code.data() + plan.shared_end);
    runner.mode = m;
    const PlanMode& mode = plan.modes[m];
    runner.run(plan.code.data() + mode.code_begin, plan.code.data() + mode.code_end);
    check_mode(plan, m, slots, width, flags, status + m * width, n);
    // A mode compared with a failed baseline is not valid either.
    if (m != 0) merge_status(status + m * width, status, n);
  }
}

}  // namespace symbiomc
