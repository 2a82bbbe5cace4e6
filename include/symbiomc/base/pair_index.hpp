#pragma once
// Packed storage of unordered factor pairs (second-order Sobol' indices): shared by the
// estimators (stats/sobol.hpp) and the analytic models' exact indices (model/analytic_models.hpp).

#include <cstddef>

namespace symbiomc {

/// Slot of the unordered factor pair (j, l), j < l, in packed second-order storage, ordered
/// (0,1), (0,2), ..., (0,D-1), (1,2), ... Precondition: j < l < n_factors.
[[nodiscard]] constexpr std::size_t pair_index(std::size_t j, std::size_t l, std::size_t n_factors) noexcept {
  return j * n_factors - j * (j + 1) / 2 + (l - j - 1);
}

/// Number of unordered factor pairs, D(D-1)/2.
[[nodiscard]] constexpr std::size_t pair_count(std::size_t n_factors) noexcept {
  return n_factors * (n_factors - 1) / 2;
}

}  // namespace symbiomc
