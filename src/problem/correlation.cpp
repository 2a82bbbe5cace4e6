#include "symbiomc/problem/correlation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numbers>
#include <stdexcept>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "symbiomc/problem/problem.hpp"
#include "symbiomc/problem/standard_normal.hpp"

namespace symbiomc {

double spearman_to_pearson(double rank_correlation) noexcept {
  // For a bivariate normal, rho_s = (6 / pi) asin(rho / 2) (K. Pearson, "On further methods of
  // determining correlation", Drapers' Company Research Memoirs, 1907; W. H. Kruskal, "Ordinal
  // measures of association", JASA 53 (1958) 814-861). Inverted: rho = 2 sin(pi rho_s / 6).
  // Spearman's rho depends only on the copula, so the target holds for any continuous marginals.
  return 2.0 * std::sin(std::numbers::pi * rank_correlation / 6.0);
}

RankCorrelation::RankCorrelation(std::size_t dimension, std::vector<CorrelationPair> pairs, std::string path,
                                 std::uint64_t checksum)
    : dimension_(dimension), pairs_(std::move(pairs)), path_(std::move(path)), checksum_(checksum) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> seen;
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    const auto& pair = pairs_[p];
    if (pair.a >= dimension || pair.b >= dimension || pair.a == pair.b) {
      throw std::invalid_argument(
          message("RankCorrelation: pair ", p, " has indices (", pair.a, ", ", pair.b, ") for dimension ", dimension));
    }
    if (!(std::abs(pair.rank_correlation) < 1.0)) {
      throw std::invalid_argument(message("RankCorrelation: pair ", p, " has |rho_s| >= 1"));
    }
    if (!seen.emplace(std::minmax(pair.a, pair.b), p).second) {
      throw std::invalid_argument(message("RankCorrelation: pair ", p, " repeats an earlier pair"));
    }
    members_.push_back(pair.a);
    members_.push_back(pair.b);
  }
  std::sort(members_.begin(), members_.end());
  members_.erase(std::unique(members_.begin(), members_.end()), members_.end());

  const auto k = static_cast<Eigen::Index>(members_.size());
  auto slot = [&](std::size_t index) {
    return static_cast<Eigen::Index>(std::lower_bound(members_.begin(), members_.end(), index) - members_.begin());
  };
  Eigen::MatrixXd matrix = Eigen::MatrixXd::Identity(k, k);
  for (const auto& pair : pairs_) {
    const double rho = spearman_to_pearson(pair.rank_correlation);
    matrix(slot(pair.a), slot(pair.b)) = rho;
    matrix(slot(pair.b), slot(pair.a)) = rho;
  }
  // Eigen's LLT fails (NumericalIssue) exactly when a pivot is not positive, i.e. when the
  // matrix is not positive definite: the pairwise targets cannot hold together.
  const Eigen::LLT<Eigen::MatrixXd> llt(matrix);
  if (llt.info() != Eigen::Success) {
    std::string listed;
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      const auto& pair = pairs_[p];
      const std::string a = pair.name_a.empty() ? message("#", pair.a) : pair.name_a;
      const std::string b = pair.name_b.empty() ? message("#", pair.b) : pair.name_b;
      listed += message(p ? ", " : "", "'", a, "'-'", b, "' ", format_number(pair.rank_correlation));
      if (pair.where.line > 0) listed += message(" (line ", pair.where.line, ")");
    }
    throw InputError(SourceLocation{path_},
                     message("the rank correlations are not mutually consistent: their normal-score correlation "
                             "matrix (rho = 2 sin(pi rho_s / 6)) is not positive definite; pairs: ",
                             listed));
  }
  normal_scores_.assign(static_cast<std::size_t>(k * k), 0.0);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j < k; ++j) normal_scores_[static_cast<std::size_t>(i * k + j)] = matrix(i, j);
  }
  const Eigen::MatrixXd lower = llt.matrixL();
  cholesky_.assign(static_cast<std::size_t>(k * k), 0.0);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j <= i; ++j) cholesky_[static_cast<std::size_t>(i * k + j)] = lower(i, j);
  }
}

ConditionalNormalScores RankCorrelation::conditional(std::span<const std::size_t> free) const {
  const std::size_t k = members_.size();
  ConditionalNormalScores out;
  std::vector<bool> is_free(k, false);
  for (std::size_t a = 0; a < free.size(); ++a) {
    if (free[a] >= k || (a > 0 && free[a] <= free[a - 1])) {
      throw std::invalid_argument(message("RankCorrelation::conditional: slots must increase and lie below ", k));
    }
    is_free[free[a]] = true;
  }
  for (std::size_t s = 0; s < k; ++s) (is_free[s] ? out.free : out.given).push_back(s);
  const auto na = static_cast<Eigen::Index>(out.free.size());
  const auto nb = static_cast<Eigen::Index>(out.given.size());
  const auto r = [&](std::size_t i, std::size_t j) { return normal_scores_[i * k + j]; };
  Eigen::MatrixXd raa(na, na), rab(na, nb), rbb(nb, nb);
  for (Eigen::Index i = 0; i < na; ++i) {
    const std::size_t si = out.free[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < na; ++j) raa(i, j) = r(si, out.free[static_cast<std::size_t>(j)]);
    for (Eigen::Index j = 0; j < nb; ++j) rab(i, j) = r(si, out.given[static_cast<std::size_t>(j)]);
  }
  for (Eigen::Index i = 0; i < nb; ++i) {
    for (Eigen::Index j = 0; j < nb; ++j) {
      rbb(i, j) = r(out.given[static_cast<std::size_t>(i)], out.given[static_cast<std::size_t>(j)]);
    }
  }
  // gain = R_AB R_BB^-1, i.e. the solution G of R_BB G^T = R_BA (R_BB is a principal submatrix
  // of a positive definite R, so positive definite itself: LLT applies).
  Eigen::MatrixXd gain = Eigen::MatrixXd::Zero(na, nb);
  Eigen::MatrixXd schur = raa;
  if (nb > 0 && na > 0) {
    const Eigen::LLT<Eigen::MatrixXd> llt_bb(rbb);
    gain = llt_bb.solve(rab.transpose()).transpose();
    schur -= gain * rab.transpose();
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(schur);
  if (na > 0 && llt.info() != Eigen::Success) {
    throw std::invalid_argument("RankCorrelation::conditional: the conditional covariance is not positive definite");
  }
  out.gain.assign(static_cast<std::size_t>(na * nb), 0.0);
  for (Eigen::Index i = 0; i < na; ++i) {
    for (Eigen::Index j = 0; j < nb; ++j) out.gain[static_cast<std::size_t>(i * nb + j)] = gain(i, j);
  }
  out.cholesky.assign(static_cast<std::size_t>(na * na), 0.0);
  if (na > 0) {
    const Eigen::MatrixXd lower = llt.matrixL();
    for (Eigen::Index i = 0; i < na; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j) out.cholesky[static_cast<std::size_t>(i * na + j)] = lower(i, j);
    }
  }
  return out;
}

void ConditionalNormalScores::sample(std::span<double> z, std::span<const double> e) const noexcept {
  const std::size_t na = free.size(), nb = given.size();
  for (std::size_t a = 0; a < na; ++a) {
    double sum = 0.0;
    for (std::size_t b = 0; b < nb; ++b) sum += gain[a * nb + b] * z[given[b]];
    for (std::size_t c = 0; c <= a; ++c) sum += cholesky[a * na + c] * e[c];
    z[free[a]] = sum;
  }
}

void RankCorrelation::apply(std::span<double> u, std::span<double> scratch) const noexcept {
  const std::size_t k = members_.size();
  for (std::size_t i = 0; i < k; ++i) scratch[i] = standard_normal_quantile(u[members_[i]]);
  // z' = L z in place: row i needs z_0..z_i, so going from the last row up never reads an
  // entry that has already been overwritten.
  for (std::size_t i = k; i-- > 0;) {
    const double* row = cholesky_.data() + i * k;
    double sum = 0.0;
    for (std::size_t j = 0; j <= i; ++j) sum += row[j] * scratch[j];
    scratch[i] = sum;
  }
  for (std::size_t i = 0; i < k; ++i) u[members_[i]] = standard_normal_cdf_in_open_unit_interval(scratch[i]);
}

}  // namespace symbiomc
