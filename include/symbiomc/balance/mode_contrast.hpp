#pragma once
// Whether an output tells the modes apart: an output that comes out the same in every mode
// (independent operation included) cannot inform a choice between them, which in a case being
// written usually means a flow or process missing from a mode. `symbiomc check` warns of it.

#include <cstddef>
#include <span>
#include <vector>

#include "symbiomc/balance/balance.hpp"

namespace symbiomc {

/// Indices into plan.outputs() of the outputs whose value is the same in every mode (within a
/// relative 1e-12) at each of `points` where every mode balanced. Each point is one value per
/// plan.parameters(), in that order; no points = the nominal case alone. An output is not listed
/// when no point balanced in every mode, nor when the plan has a single mode. Allocates one
/// workspace of points.size() lanes; O(points x tape).
[[nodiscard]] std::vector<std::size_t> outputs_alike_in_every_mode(const BalancePlan& plan,
                                                                   std::span<const std::vector<double>> points = {});

}  // namespace symbiomc
