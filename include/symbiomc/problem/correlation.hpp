#pragma once
// Rank correlations between uncertain inputs (e.g. coal price vs. electricity price), imposed
// through a Gaussian copula: Spearman's rho is invariant under the marginals' monotone maps, so
// the targets hold for any continuous marginals and the marginals themselves are untouched.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/error.hpp"
#include "symbiomc/problem/distributions.hpp"

namespace symbiomc {

class Problem;

/// One target rank correlation between two uncertain parameters.
struct CorrelationPair {
  std::size_t a = 0;  ///< index into Problem::parameters()
  std::size_t b = 0;  ///< index into Problem::parameters(), != a
  std::string name_a, name_b;
  double rank_correlation = 0.0;  ///< Spearman's rho_s, in (-1, 1)
  SourceLocation where;           ///< the row that gave it (for messages)
};

/// The law of the members' normal scores Z ~ N(0, R) on a subset A ("free") given the others B
/// ("given"): Z_A | Z_B = z_B is normal with mean gain z_B and covariance L L^T, where
/// gain = R_AB R_BB^-1 and L is the lower Cholesky factor of the Schur complement
/// R_AA - R_AB R_BB^-1 R_BA (positive definite because R is). What exact conditional sampling
/// under the Gaussian copula needs (Shapley effects, stats/shapley.hpp).
struct ConditionalNormalScores {
  std::vector<std::size_t> free;   ///< slots (indices into RankCorrelation::members()) of A, increasing
  std::vector<std::size_t> given;  ///< slots of B, increasing; free and given partition all slots
  std::vector<double> gain;        ///< |A| x |B|, row-major
  std::vector<double> cholesky;    ///< |A| x |A|, row-major lower triangle (upper zero)

  /// Draws Z_A given Z_B in place: z holds one normal score per slot; z[given] is read and
  /// z[free[a]] = (gain z_B)[a] + (L e)[a] is written, e holding |A| independent standard
  /// normals. Preconditions: z.size() == free.size() + given.size(), e.size() >= free.size().
  /// No allocation, thread-safe, O(|A| k).
  void sample(std::span<double> z, std::span<const double> e) const noexcept;
};

/// Pearson correlation of a bivariate normal whose Spearman rank correlation is rho_s:
/// rho = 2 sin(pi rho_s / 6) (K. Pearson 1907; see Kruskal, JASA 53 (1958) 814-861).
[[nodiscard]] double spearman_to_pearson(double rank_correlation) noexcept;

/// Gaussian copula over the parameters that appear in at least one pair ("members"); the
/// others stay independent and untouched. Immutable once built; apply() is thread-safe.
class RankCorrelation {
 public:
  /// Builds the members' normal-score correlation matrix (Pearson from Spearman, above) and
  /// its Cholesky factor. Throws std::invalid_argument for malformed pairs (index >= dimension,
  /// a == b, a pair given twice, |rho_s| >= 1 or NaN) and InputError, listing every pair with
  /// its line, when the matrix is not positive definite (the targets are inconsistent).
  /// `path` and `checksum` identify the correlation file for reports ("" and 0 when built in code).
  RankCorrelation(std::size_t dimension, std::vector<CorrelationPair> pairs, std::string path = {},
                  std::uint64_t checksum = 0);

  /// Number of uncertain parameters of the problem this was built for.
  [[nodiscard]] std::size_t dimension() const noexcept { return dimension_; }
  [[nodiscard]] const std::vector<CorrelationPair>& pairs() const noexcept { return pairs_; }
  /// Indices (into Problem::parameters()) of the correlated parameters, increasing.
  [[nodiscard]] const std::vector<std::size_t>& members() const noexcept { return members_; }
  /// Lower Cholesky factor L of the members' normal-score correlation matrix, row-major,
  /// members().size() squared entries (upper triangle zero).
  [[nodiscard]] const std::vector<double>& cholesky() const noexcept { return cholesky_; }
  /// The members' normal-score correlation matrix R (rho = 2 sin(pi rho_s / 6) for each pair,
  /// 0 for members not paired, 1 on the diagonal), row-major, members().size() squared entries.
  [[nodiscard]] const std::vector<double>& normal_score_correlation() const noexcept { return normal_scores_; }
  /// The law of the normal scores of the slots in `free` (indices into members(), increasing,
  /// each < members().size()) given those of every other member (see ConditionalNormalScores).
  /// Throws std::invalid_argument when `free` is not increasing or names a slot out of range.
  /// Allocates; O(k^3) with k = members().size(): build it once per subset, not per draw.
  [[nodiscard]] ConditionalNormalScores conditional(std::span<const std::size_t> free) const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// FNV-1a 64 of the correlation file's bytes (0 when built in code).
  [[nodiscard]] std::uint64_t checksum() const noexcept { return checksum_; }
  /// Doubles of scratch that apply() needs: members().size().
  [[nodiscard]] std::size_t scratch_size() const noexcept { return members_.size(); }

  /// Correlates one point in place: for the members, z = Phi^-1(u), z' = L z, u = Phi(z'); other
  /// entries are left alone. Precondition: u.size() == dimension(), entries in (0, 1),
  /// scratch.size() >= scratch_size(). Results stay in (0, 1). No allocation, thread-safe, O(k^2).
  void apply(std::span<double> u, std::span<double> scratch) const noexcept;

 private:
  std::size_t dimension_;
  std::vector<CorrelationPair> pairs_;
  std::vector<std::size_t> members_;
  std::vector<double> cholesky_;
  std::vector<double> normal_scores_;
  std::string path_;
  std::uint64_t checksum_;
};

}  // namespace symbiomc
