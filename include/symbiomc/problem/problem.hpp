#pragma once
// The uncertainty problem in SALib's shape (names, units, distributions, groups), bound to the
// case's parameters by index: what the samplers draw and how a design point in (0, 1)^D becomes
// parameter values. Built once by read_distributions(), then immutable and shared by const&.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/error.hpp"
#include "symbiomc/problem/correlation.hpp"
#include "symbiomc/problem/distributions.hpp"

namespace symbiomc {

/// A case parameter that the samplers vary.
struct UncertainParameter {
  std::string name;
  std::string unit;
  Distribution dist;
  std::string group;           ///< Sobol' factor it belongs to; its own name unless the file says otherwise
  std::string source;          ///< free-text provenance from the file ("" when not given)
  std::size_t case_index = 0;  ///< index into the case_parameters the problem was read against
  SourceLocation where;        ///< its row in the distributions file
};

/// A case parameter the distributions file pins to one value (dist 'fixed'): an override of the
/// case's nominal value, not a factor.
struct FixedParameter {
  std::string name;
  std::size_t case_index = 0;
  double value = 0.0;
  SourceLocation where;
};

/// Parameters that Sobol' analysis treats as one factor (SALib's groups).
struct ParameterGroup {
  std::string name;
  std::vector<std::size_t> members;  ///< indices into Problem::parameters(), increasing
};

class Problem {
 public:
  /// Takes validated parameters (read_distributions() does the validation) and derives the
  /// groups in order of first appearance. Throws std::invalid_argument on duplicate names.
  /// `checksum` is the FNV-1a 64 of the distributions file's bytes (see fnv1a_64).
  Problem(std::string path, std::uint64_t checksum, std::vector<UncertainParameter> parameters,
          std::vector<FixedParameter> fixed);

  /// The uncertain parameters: design coordinate i drives parameters()[i].
  [[nodiscard]] const std::vector<UncertainParameter>& parameters() const noexcept { return parameters_; }
  /// D, the number of design coordinates.
  [[nodiscard]] std::size_t dimension() const noexcept { return parameters_.size(); }
  [[nodiscard]] const std::vector<FixedParameter>& fixed() const noexcept { return fixed_; }
  /// Groups in order of first appearance in the file.
  [[nodiscard]] const std::vector<ParameterGroup>& groups() const noexcept { return groups_; }
  /// Index into groups() of parameters()[i].
  [[nodiscard]] std::size_t group_of(std::size_t i) const noexcept { return group_of_[i]; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::uint64_t checksum() const noexcept { return checksum_; }
  [[nodiscard]] const std::optional<RankCorrelation>& correlation() const noexcept { return correlation_; }

  /// A copy of this problem with `correlation` imposed. Throws std::invalid_argument when it
  /// was built for a different dimension.
  [[nodiscard]] Problem with_correlation(RankCorrelation correlation) const;
  /// A copy of this problem without the rows (uncertain or fixed) of `names`: those parameters
  /// keep the case's (or an option's) value. Correlation pairs naming one of them are dropped
  /// too; the remaining pairs form a principal submatrix of a positive definite matrix, so they
  /// stay consistent. Names the problem does not have are ignored.
  [[nodiscard]] Problem without(std::span<const std::string> names) const;

  /// Doubles of scratch that to_physical() needs (0 without correlation).
  [[nodiscard]] std::size_t scratch_size() const noexcept;
  /// Maps one design point u in (0, 1)^D to parameter values x (x[i] for parameters()[i]),
  /// applying the copula first when there is one. Preconditions: u.size() == x.size() ==
  /// dimension(), scratch.size() >= scratch_size(). No allocation, thread-safe, O(D + k^2).
  void to_physical(std::span<const double> u, std::span<double> x, std::span<double> scratch) const noexcept;
  /// As above, and also writes each parameter's marginal uniform v[i] = F_i(x[i]) (the design
  /// coordinate after the copula; u itself without one). Conditioning on x_i is conditioning
  /// on v_i, so given-data estimators (binned first-order indices, EVPPI) bin v, and stay valid
  /// under correlation. Precondition: v.size() == dimension().
  void to_physical(std::span<const double> u, std::span<double> x, std::span<double> scratch,
                   std::span<double> v) const noexcept;

 private:
  std::string path_;
  std::uint64_t checksum_;
  std::vector<UncertainParameter> parameters_;
  std::vector<FixedParameter> fixed_;
  std::vector<ParameterGroup> groups_;
  std::vector<std::size_t> group_of_;
  std::optional<RankCorrelation> correlation_;
};

}  // namespace symbiomc
