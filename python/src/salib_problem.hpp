#pragma once
// SALib's problem dict ({"names", "bounds", optional "dists", "groups", "num_vars"}) read into a
// symbiomc Problem, with SALib's meaning of every distribution's bounds, so that a SALib script
// keeps its problem unchanged. Bad entries are InputErrors naming the key and the index.

#include <pybind11/pybind11.h>

#include "symbiomc/problem/problem.hpp"

namespace symbiomc::python {

/// unif [low, high]; logunif [low, high]; triang [low, high, peak as a fraction of the width]
/// (or SALib's older [high, peak] with low 0); norm [mean, sd]; truncnorm [low, high, mean, sd];
/// lognorm [mean, sd] of ln x. SALib's weibull has no counterpart here and is refused.
[[nodiscard]] Problem salib_problem(const pybind11::dict& problem);

}  // namespace symbiomc::python
