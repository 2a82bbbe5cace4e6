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

#include <libfccp/csv.h>

#include "base/csv_reading.hpp"
#include "symbiomc/base/checksum.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

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
  const detail::FoldedCsv folded = detail::fold_quoted_line_breaks(bytes, path);
  const std::vector<std::string> columns(CORR_COLUMNS.begin(), CORR_COLUMNS.end());
  CorrReader reader(path, folded.text.data(), folded.text.data() + folded.text.size());
  try {
    reader.read_header(io::ignore_missing_column, std::string(CORR_COLUMNS[0]), std::string(CORR_COLUMNS[1]),
                       std::string(CORR_COLUMNS[2]), std::string(CORR_COLUMNS[3]));
  } catch (const io::error::header_missing&) {
    const std::size_t line = std::max<std::size_t>(folded.physical_line(reader.get_file_line()), 1);
    throw InputError(
        SourceLocation{path, line},
        message(bytes.empty() ? "empty file" : "no header line (only comments or blank lines)",
                "; expected a header naming the columns 'parameter_a', 'parameter_b', 'rank_correlation'"));
  } catch (const io::error::base& e) {
    throw InputError(detail::csv_error_message(e, path, folded, reader.get_file_line(), columns));
  }
  ErrorList errors;
  const SourceLocation header{path, folded.physical_line(reader.get_file_line())};
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
      for (std::string* cell : {&a, &b, &rho_text, &source}) folded.restore(*cell);
    } catch (const io::error::line_length_limit_exceeded& e) {
      errors.add(detail::csv_error_message(e, path, folded, reader.get_file_line(), columns));  // cannot skip it: stop
      break;
    } catch (const io::error::base& e) {
      ++rows;
      errors.add(detail::csv_error_message(e, path, folded, reader.get_file_line(), columns));
      continue;
    }
    ++rows;
    const SourceLocation where{path, folded.physical_line(reader.get_file_line())};
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
