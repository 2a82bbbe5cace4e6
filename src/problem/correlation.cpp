#include "symbiomc/problem/correlation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <libfccp/csv.h>

#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/problem.hpp"

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
    : dimension_(dimension),
      pairs_(std::move(pairs)),
      path_(std::move(path)),
      checksum_(checksum),
      standard_normal_(Normal(0.0, 1.0)) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> seen;
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    const auto& pair = pairs_[p];
    if (pair.a >= dimension || pair.b >= dimension || pair.a == pair.b) {
      throw std::invalid_argument(message("RankCorrelation: pair ", p, " has indices (", pair.a, ", ", pair.b,
                                          ") for dimension ", dimension));
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
  const Eigen::MatrixXd lower = llt.matrixL();
  cholesky_.assign(static_cast<std::size_t>(k * k), 0.0);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j <= i; ++j) cholesky_[static_cast<std::size_t>(i * k + j)] = lower(i, j);
  }
}

void RankCorrelation::apply(std::span<double> u, std::span<double> scratch) const noexcept {
  const std::size_t k = members_.size();
  for (std::size_t i = 0; i < k; ++i) scratch[i] = quantile(standard_normal_, u[members_[i]]);
  // z' = L z in place: row i needs z_0..z_i, so going from the last row up never reads an
  // entry that has already been overwritten.
  for (std::size_t i = k; i-- > 0;) {
    const double* row = cholesky_.data() + i * k;
    double sum = 0.0;
    for (std::size_t j = 0; j <= i; ++j) sum += row[j] * scratch[j];
    scratch[i] = sum;
  }
  // Phi(z') rounds to 1 for z' > ~8.3 and to 0 far in the lower tail; clamp so that the
  // marginals' quantile still sees an open-interval u.
  constexpr double U_MIN = std::numeric_limits<double>::min();
  constexpr double U_MAX = 1.0 - std::numeric_limits<double>::epsilon() / 2.0;
  for (std::size_t i = 0; i < k; ++i) u[members_[i]] = std::clamp(cdf(standard_normal_, scratch[i]), U_MIN, U_MAX);
}

namespace {

constexpr std::size_t CORR_COLUMN_COUNT = 4;
constexpr std::array<const char*, CORR_COLUMN_COUNT> CORR_COLUMNS = {"parameter_a", "parameter_b", "rank_correlation",
                                                                     "source"};
// Same reader set-up as the distributions file (see distributions_csv.cpp): named columns in
// any order, optional 'source', '#' and blank lines skipped, quoted cells may hold commas.
using CorrReader = io::CSVReader<CORR_COLUMN_COUNT, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>,
                                 io::throw_on_overflow, io::single_and_empty_line_comment<'#'>>;

}  // namespace

RankCorrelation read_correlations(const std::string& path, const Problem& problem) {
  const std::string bytes = detail::read_file_bytes(path, "correlation");
  const std::vector<std::string> columns(CORR_COLUMNS.begin(), CORR_COLUMNS.end());
  CorrReader reader(path, bytes.data(), bytes.data() + bytes.size());
  try {
    reader.read_header(io::ignore_missing_column, std::string(CORR_COLUMNS[0]), std::string(CORR_COLUMNS[1]),
                       std::string(CORR_COLUMNS[2]), std::string(CORR_COLUMNS[3]));
  } catch (const io::error::header_missing&) {
    const std::size_t line = std::max<std::size_t>(reader.get_file_line(), 1);
    throw InputError(SourceLocation{path, line},
                     message(bytes.empty() ? "empty file" : "no header line (only comments or blank lines)",
                             "; expected a header naming the columns 'parameter_a', 'parameter_b', 'rank_correlation'"));
  } catch (const io::error::base& e) {
    throw InputError(detail::csv_error_message(e, path, reader.get_file_line(), columns));
  }
  ErrorList errors;
  const SourceLocation header{path, reader.get_file_line()};
  for (std::size_t c = 0; c < 3; ++c) {
    if (!reader.has_column(CORR_COLUMNS[c])) {
      errors.add(header, message("the header lacks the required column '", CORR_COLUMNS[c], "'"));
    }
  }
  errors.throw_if_any();

  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < problem.dimension(); ++i) {
    index.emplace(problem.parameters()[i].name, i);
    names.push_back(problem.parameters()[i].name);
  }
  std::unordered_map<std::string, std::size_t> fixed_names;
  for (const auto& f : problem.fixed()) fixed_names.emplace(f.name, f.where.line);

  std::vector<CorrelationPair> pairs;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> first_line;  // pair -> line
  std::string a, b, rho_text, source;
  std::size_t rows = 0;
  while (true) {
    a.clear();
    b.clear();
    rho_text.clear();
    source.clear();
    try {
      if (!reader.read_row(a, b, rho_text, source)) break;
    } catch (const io::error::line_length_limit_exceeded& e) {
      errors.add(detail::csv_error_message(e, path, reader.get_file_line(), columns));  // cannot skip it: stop
      break;
    } catch (const io::error::base& e) {
      ++rows;
      errors.add(detail::csv_error_message(e, path, reader.get_file_line(), columns));
      continue;
    }
    ++rows;
    const SourceLocation where{path, reader.get_file_line()};
    bool ok = true;
    auto lookup = [&](const char* column, const std::string& name) -> std::size_t {
      if (name.empty()) {
        errors.add(where, message("column '", column, "': expected an uncertain parameter's name, got a blank cell"));
      } else if (const auto it = index.find(name); it != index.end()) {
        return it->second;
      } else if (fixed_names.count(name) != 0) {
        errors.add(where, message("column '", column, "': '", name, "' is 'fixed' in ", problem.path(),
                                  ", so it cannot be correlated"));
      } else {
        errors.add(where, message("column '", column, "': '", name, "' is not an uncertain parameter of ",
                                  problem.path(), did_you_mean(name, names)));
      }
      ok = false;
      return 0;
    };
    const std::size_t ia = lookup("parameter_a", a);
    const std::size_t ib = lookup("parameter_b", b);
    if (ok && ia == ib) {
      errors.add(where, message("column 'parameter_b': '", b, "' is also parameter_a; a parameter's rank correlation "
                                "with itself is 1 by definition"));
      ok = false;
    }
    double rho = 0.0;
    if (rho_text.empty()) {
      errors.add(where, "column 'rank_correlation': expected a number in (-1, 1), got a blank cell");
      ok = false;
    } else if (!detail::parse_number(rho_text, rho) || !(std::abs(rho) < 1.0)) {
      errors.add(where, message("column 'rank_correlation': expected a number in (-1, 1), got '", rho_text, "'"));
      ok = false;
    }
    if (!ok) continue;
    if (const auto [it, inserted] = first_line.emplace(std::minmax(ia, ib), where.line); !inserted) {
      errors.add(where, message("the pair '", a, "'-'", b, "' is given twice (first on line ", it->second, ")"));
      continue;
    }
    pairs.push_back(CorrelationPair{ia, ib, a, b, rho, where});
  }
  if (rows == 0) errors.add(header, "no correlation rows after the header");
  errors.throw_if_any();
  return RankCorrelation(problem.dimension(), std::move(pairs), path, fnv1a_64(bytes));
}

}  // namespace symbiomc
