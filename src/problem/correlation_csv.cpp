// The rank-correlation file (<distributions>.corr.csv): one row per correlated pair, read with
// the same CSV set-up and the same located messages as the distributions file, every problem
// reported at once.
#include "symbiomc/problem/correlation_csv.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "base/csv_reading.hpp"
#include "symbiomc/base/checksum.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

namespace {

constexpr std::size_t CORR_COLUMN_COUNT = 4;
constexpr std::array<const char*, CORR_COLUMN_COUNT> CORR_COLUMNS = {"parameter_a", "parameter_b", "rank_correlation",
                                                                     "source"};
constexpr std::size_t CORR_REQUIRED_COUNT = 3;  // the first three; 'source' is optional

}  // namespace

RankCorrelation read_correlations(const std::string& path, const Problem& problem) {
  const std::string bytes = detail::read_file_bytes(path, "correlation");
  const detail::FoldedCsv folded = detail::fold_quoted_line_breaks(bytes, path);
  const std::vector<std::string> columns(CORR_COLUMNS.begin(), CORR_COLUMNS.end());
  // Read as the distributions file is (see distributions_csv.cpp): named columns in any order,
  // optional 'source', '#' and blank lines skipped, quoted cells may hold commas.
  detail::CsvRecords reader(folded.text, columns);
  try {
    reader.read_header();
  } catch (const detail::CsvSyntaxError& e) {
    if (e.problem != detail::CsvProblem::no_header)
      throw InputError(detail::csv_error_message(e, path, folded, columns));
    throw detail::no_header_error(path, folded, reader.line(), bytes.empty(),
                                  {columns.begin(), columns.begin() + CORR_REQUIRED_COUNT},
                                  CORR_REQUIRED_COUNT < CORR_COLUMN_COUNT);
  }
  ErrorList errors;
  const SourceLocation header{path, folded.physical_line(reader.line())};
  for (std::size_t c = 0; c < CORR_REQUIRED_COUNT; ++c) {
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
  std::array<std::string, CORR_COLUMN_COUNT> cells;
  const std::string &a = cells[0], &b = cells[1], &rho_text = cells[2];  // cells[3]: source, not checked
  std::size_t rows = 0;
  while (true) {
    try {
      if (!reader.read_row(cells)) break;
      for (std::string& cell : cells) folded.restore(cell);
    } catch (const detail::CsvSyntaxError& e) {
      errors.add(detail::csv_error_message(e, path, folded, columns));
      if (e.problem == detail::CsvProblem::line_too_long) break;  // cannot be stepped over: reading stops here
      ++rows;
      continue;
    }
    ++rows;
    const SourceLocation where{path, folded.physical_line(reader.line())};
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
      errors.add(where, message("column 'parameter_b': '", b,
                                "' is also parameter_a; a parameter's rank correlation "
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
