#include "symbiomc/problem/distributions_csv.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "base/csv_reading.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

enum class Column : std::size_t {
  parameter,
  dist,
  unit,
  value,
  low,
  high,
  mode,
  mean,
  sd,
  median,
  gsd,
  alpha,
  beta,
  values,
  probabilities,
  group,
  source
};
constexpr std::size_t COLUMN_COUNT = 17;
constexpr std::array<const char*, COLUMN_COUNT> COLUMN_NAMES = {
    "parameter", "dist", "unit",  "value", "low",    "high",          "mode",  "mean",  "sd",
    "median",    "gsd",  "alpha", "beta",  "values", "probabilities", "group", "source"};
constexpr std::array<Column, 3> REQUIRED_COLUMNS = {Column::parameter, Column::dist, Column::unit};
// The columns that hold a distribution's parameters: each dist needs some and refuses the rest.
constexpr std::array<Column, 12> PARAMETER_COLUMNS = {
    Column::value,  Column::low, Column::high,  Column::mode, Column::mean,   Column::sd,
    Column::median, Column::gsd, Column::alpha, Column::beta, Column::values, Column::probabilities};

const char* name_of(Column c) noexcept { return COLUMN_NAMES[static_cast<std::size_t>(c)]; }
bool is_list(Column c) noexcept { return c == Column::values || c == Column::probabilities; }

std::vector<std::string> column_names() { return {COLUMN_NAMES.begin(), COLUMN_NAMES.end()}; }

// Header names that users bring from SALib's problem files and from statistics habits, mapped to
// ours so that the "not a known column" error can say which column was meant (edit distance
// alone does not connect "lower" to "low" or "stdev" to "sd").
std::vector<std::pair<std::string, std::string>> column_synonyms() {
  return {{"name", "parameter"}, {"names", "parameter"}, {"distribution", "dist"},
          {"dists", "dist"},     {"lower", "low"},       {"min", "low"},
          {"upper", "high"},     {"max", "high"},        {"peak", "mode"},
          {"mu", "mean"},        {"stdev", "sd"},        {"std", "sd"},
          {"sigma", "sd"},       {"stddev", "sd"},       {"probs", "probabilities"},
          {"groups", "group"},   {"units", "unit"}};
}

// The one tokenizer (base/csv_records.hpp) does the named, any-order, optional-column mapping
// we need: the file's header is mapped onto our column order and absent columns read as "",
// while an unknown header name stays an error (a misspelt column must not be silently
// ignored). It also skips '#' comment lines and blank lines ('#' must be the line's first
// character), trims blanks around cells, and lets a double-quoted cell hold commas (a citation
// in `source`).
using Cells = std::array<std::string, COLUMN_COUNT>;

bool read_row(detail::CsvRecords& reader, const detail::FoldedCsv& folded, Cells& cells) {
  if (!reader.read_row(cells)) return false;
  for (auto& cell : cells) folded.restore(cell);
  return true;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// The cell that sets a distribution's spread: the one to change when the spread cannot be
// represented in double precision.
Column spread_column(const std::string& kind, bool lognorm_by_mean) {
  if (kind == Normal::KIND || kind == TruncNormal::KIND) return Column::sd;
  if (kind == LogNormal::KIND) return lognorm_by_mean ? Column::sd : Column::gsd;
  if (kind == Discrete::KIND) return Column::values;
  if (kind == Fixed::KIND) return Column::value;
  return Column::high;
}

// "(-inf, inf)", "[0.5, 1]", "(0, inf)": open where the end is infinite or never attained.
std::string support_text(const Distribution& dist) {
  const auto [lo, hi] = support(dist);
  const bool open_lo = std::isinf(lo) || std::holds_alternative<LogNormal>(dist);
  return message(open_lo ? "(" : "[", format_number(lo), ", ", format_number(hi), std::isinf(hi) ? ")" : "]");
}

// Checks one data row at a time and collects the problem's parts; every defect goes to the
// ErrorList, so one pass reports the whole file.
class DistributionsChecker {
 public:
  DistributionsChecker(const std::string& path, std::span<const ParameterInfo> case_parameters, ErrorList& errors)
      : path_(path), case_parameters_(case_parameters), errors_(errors), kinds_(kind_names()) {
    for (std::size_t i = 0; i < case_parameters.size(); ++i) {
      case_index_.emplace(case_parameters[i].name, i);
      case_names_.push_back(case_parameters[i].name);
    }
  }

  void check(const Cells& cells, std::size_t line);
  /// The problem made of the rows that passed; call once, after the last row.
  [[nodiscard]] Problem make_problem(std::uint64_t checksum) {
    return Problem(path_, checksum, std::move(uncertain_), std::move(fixed_));
  }

 private:
  const std::string& cell(Column c) const noexcept { return (*cells_)[static_cast<std::size_t>(c)]; }
  bool blank(Column c) const noexcept { return cell(c).empty(); }
  // "column 'sd' (parameter 'x'): <what>"; marks the row as rejected.
  void fail(Column c, const std::string& what) {
    ++row_errors_;
    const std::string& name = cell(Column::parameter);
    errors_.add(where_,
                message("column '", name_of(c), "'", name.empty() ? "" : " (parameter '" + name + "')", ": ", what));
  }
  const ParameterInfo* check_name();
  void check_unit(const ParameterInfo& info);
  std::optional<std::vector<Column>> needed_columns(const std::string& kind);
  bool parse(const std::string& kind, const std::vector<Column>& needs);
  bool parse_list(Column c, std::vector<double>& out);
  // number(c) > lower, else "expected > lower for dist 'kind', got '...'".
  void require_greater(Column c, const std::string& kind, double lower = 0.0);
  void require_less(const std::string& kind);
  void require_mode_inside(const std::string& kind);
  void check_discrete();
  std::optional<Distribution> build(const std::string& kind);
  void check_domain(const Distribution& dist, const ParameterInfo& info);
  void check_nominal(const Distribution& dist, const ParameterInfo& info);
  double number(Column c) const noexcept { return numbers_[static_cast<std::size_t>(c)]; }

  const std::string& path_;
  std::span<const ParameterInfo> case_parameters_;
  ErrorList& errors_;
  std::vector<std::string> kinds_;
  std::unordered_map<std::string, std::size_t> case_index_;
  std::vector<std::string> case_names_;
  std::unordered_map<std::string, std::size_t> first_line_;  // parameter name -> line of its first row
  std::vector<UncertainParameter> uncertain_;
  std::vector<FixedParameter> fixed_;

  // State of the row being checked.
  const Cells* cells_ = nullptr;
  SourceLocation where_;
  std::size_t row_errors_ = 0;  // defects found in this row so far
  std::array<double, COLUMN_COUNT> numbers_{};
  std::vector<double> values_, probabilities_;
};

const ParameterInfo* DistributionsChecker::check_name() {
  const std::string& name = cell(Column::parameter);
  if (name.empty()) {
    fail(Column::parameter, "expected a parameter name, got a blank cell");
    return nullptr;
  }
  const ParameterInfo* info = nullptr;
  if (const auto it = case_index_.find(name); it != case_index_.end()) {
    info = &case_parameters_[it->second];
  } else {
    ++row_errors_;
    errors_.add(where_, message("column 'parameter': '", name, "' is not a parameter of the case",
                                did_you_mean(name, case_names_)));
  }
  if (const auto [it, inserted] = first_line_.emplace(name, where_.line); !inserted) {
    ++row_errors_;
    errors_.add(where_, message("column 'parameter': '", name, "' is given twice (first on line ", it->second, ")"));
  }
  return info;
}

void DistributionsChecker::check_unit(const ParameterInfo& info) {
  // Units are compared as exact strings: converting them is the case file's business, and a
  // silent "kg/h" for "t/h" would scale a parameter by 1000.
  if (blank(Column::unit)) {
    fail(Column::unit, message("expected the case's unit '", info.unit, "', got a blank cell"));
  } else if (cell(Column::unit) != info.unit) {
    fail(Column::unit, message("'", cell(Column::unit), "' differs from the case's unit '", info.unit, "'"));
  }
}

std::optional<std::vector<Column>> DistributionsChecker::needed_columns(const std::string& kind) {
  using C = Column;
  if (kind == Fixed::KIND) return std::vector<C>{C::value};
  if (kind == Uniform::KIND || kind == LogUniform::KIND) return std::vector<C>{C::low, C::high};
  if (kind == Normal::KIND) return std::vector<C>{C::mean, C::sd};
  if (kind == TruncNormal::KIND) return std::vector<C>{C::mean, C::sd, C::low, C::high};
  if (kind == Triangular::KIND || kind == Pert::KIND) return std::vector<C>{C::low, C::mode, C::high};
  if (kind == Beta::KIND) return std::vector<C>{C::alpha, C::beta, C::low, C::high};
  if (kind == Discrete::KIND) return std::vector<C>{C::values, C::probabilities};
  // lognorm: by the arithmetic mean and sd, or by the median and geometric sd, never a mixture.
  if (!blank(C::mean) || !blank(C::sd)) return std::vector<C>{C::mean, C::sd};
  if (!blank(C::median) || !blank(C::gsd)) return std::vector<C>{C::median, C::gsd};
  fail(C::mean, "dist 'lognorm' needs either 'mean' and 'sd' or 'median' and 'gsd', got four blank cells");
  return std::nullopt;
}

bool DistributionsChecker::parse_list(Column c, std::vector<double>& out) {
  out.clear();
  const std::string& text = cell(c);
  std::size_t start = 0, item = 1;
  bool ok = true;
  while (true) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string piece = trim(std::string_view(text).substr(start, end - start));
    double x = 0.0;
    if (piece.empty()) {
      fail(c, message("expected a number as item ", item, ", got a blank item in '", text, "'"));
      ok = false;
    } else if (!detail::parse_number(piece, x)) {
      fail(c, message("expected a number as item ", item, ", got '", piece, "'"));
      ok = false;
    } else {
      out.push_back(x);
    }
    if (end == text.size()) break;
    start = end + 1;
    ++item;
  }
  return ok;
}

bool DistributionsChecker::parse(const std::string& kind, const std::vector<Column>& needs) {
  bool ok = true;
  for (const Column c : needs) {
    if (blank(c)) continue;  // already reported as missing
    if (c == Column::values) {
      ok = parse_list(c, values_) && ok;
    } else if (c == Column::probabilities) {
      ok = parse_list(c, probabilities_) && ok;
    } else {
      // A truncated normal may be one-sided: low '-inf' or high 'inf'.
      const bool allow_infinite = kind == TruncNormal::KIND && (c == Column::low || c == Column::high);
      double x = 0.0;
      if (detail::parse_number(cell(c), x, allow_infinite)) {
        numbers_[static_cast<std::size_t>(c)] = x;
      } else {
        fail(c, message("expected a number", allow_infinite ? " (or '-inf'/'inf')" : "", ", got '", cell(c), "'"));
        ok = false;
      }
    }
  }
  return ok;
}

void DistributionsChecker::require_greater(Column c, const std::string& kind, double lower) {
  if (!(number(c) > lower)) {
    fail(c, message("expected > ", format_number(lower), " for dist '", kind, "', got '", cell(c), "'"));
  }
}

void DistributionsChecker::require_less(const std::string& kind) {
  if (!(number(Column::low) < number(Column::high))) {
    fail(Column::high,
         message("expected > low (", cell(Column::low), ") for dist '", kind, "', got '", cell(Column::high), "'"));
  }
}

void DistributionsChecker::require_mode_inside(const std::string& kind) {
  const double m = number(Column::mode);
  if (number(Column::low) < number(Column::high) && !(number(Column::low) <= m && m <= number(Column::high))) {
    fail(Column::mode, message("expected between low (", cell(Column::low), ") and high (", cell(Column::high),
                               ") for dist '", kind, "', got '", cell(Column::mode), "'"));
  }
}

void DistributionsChecker::check_discrete() {
  if (values_.size() != probabilities_.size()) {
    fail(Column::probabilities, message("expected ", values_.size(), " items as in 'values', got ",
                                        probabilities_.size(), " ('", cell(Column::probabilities), "')"));
    return;
  }
  double sum = 0.0;
  bool in_range = true;
  for (std::size_t i = 0; i < probabilities_.size(); ++i) {
    if (!(probabilities_[i] >= 0.0 && probabilities_[i] <= 1.0)) {
      fail(Column::probabilities,
           message("expected each item in [0, 1], got '", format_number(probabilities_[i]), "' as item ", i + 1));
      in_range = false;
    }
    sum += probabilities_[i];
  }
  if (in_range && !(std::abs(sum - 1.0) <= Discrete::SUM_TOLERANCE)) {
    fail(Column::probabilities,
         message("expected items summing to 1 (within ", format_number(Discrete::SUM_TOLERANCE), "), got a sum of ",
                 format_number(sum), " ('", cell(Column::probabilities), "')"));
  }
  auto sorted = values_;
  std::sort(sorted.begin(), sorted.end());
  if (const auto it = std::adjacent_find(sorted.begin(), sorted.end()); it != sorted.end()) {
    fail(Column::values, message("expected distinct values, got '", format_number(*it), "' more than once"));
  }
}

std::optional<Distribution> DistributionsChecker::build(const std::string& kind) {
  using C = Column;
  if (kind == Fixed::KIND) return Distribution(Fixed(number(C::value)));
  if (kind == Uniform::KIND) return Distribution(Uniform(number(C::low), number(C::high)));
  if (kind == Normal::KIND) return Distribution(Normal(number(C::mean), number(C::sd)));
  if (kind == TruncNormal::KIND) {
    try {
      return Distribution(TruncNormal(number(C::mean), number(C::sd), number(C::low), number(C::high)));
    } catch (const std::invalid_argument&) {
      fail(C::low, message("expected [low, high] to carry probability under norm(mean=", cell(C::mean),
                           ", sd=", cell(C::sd), "), got [", cell(C::low), ", ", cell(C::high), "]"));
      return std::nullopt;
    }
  }
  if (kind == LogNormal::KIND) {
    if (!blank(C::mean)) return Distribution(LogNormal::from_mean_sd(number(C::mean), number(C::sd)));
    return Distribution(LogNormal::from_median_gsd(number(C::median), number(C::gsd)));
  }
  if (kind == Triangular::KIND) return Distribution(Triangular(number(C::low), number(C::mode), number(C::high)));
  if (kind == Pert::KIND) return Distribution(Pert(number(C::low), number(C::mode), number(C::high)));
  if (kind == Beta::KIND) return Distribution(Beta(number(C::alpha), number(C::beta), number(C::low), number(C::high)));
  if (kind == LogUniform::KIND) return Distribution(LogUniform(number(C::low), number(C::high)));
  return Distribution(Discrete(values_, probabilities_));
}

void DistributionsChecker::check_domain(const Distribution& dist, const ParameterInfo& info) {
  // The support must stay inside the parameter's physical domain, or the sampler would feed the
  // balance impossible values (a norm on an efficiency gives eta > 1 in some runs). A density's
  // support may touch an open end (low = 0 for a positive parameter): that end has probability 0.
  const ParameterDomain domain = info.domain;
  if (domain == ParameterDomain::any) return;
  const std::string domain_text = message(describe(domain), " (", to_string(domain), ")");
  if (const auto* f = std::get_if<Fixed>(&dist)) {
    if (!in_domain(f->value(), domain)) {
      fail(Column::value, message("expected a value ", domain_text, ", got '", cell(Column::value), "'"));
    }
    return;
  }
  if (const auto* d = std::get_if<Discrete>(&dist)) {
    if (!std::all_of(d->values().begin(), d->values().end(), [&](double v) { return in_domain(v, domain); })) {
      fail(Column::values, message("expected every value ", domain_text, ", got '", cell(Column::values), "'"));
    }
    return;
  }
  const bool capped = domain == ParameterDomain::fraction || domain == ParameterDomain::efficiency;
  const auto [lo, hi] = support(dist);
  if (lo >= 0.0 && (!capped || hi <= 1.0)) return;
  std::string advice;
  if (std::holds_alternative<Normal>(dist)) {
    advice = capped ? "use 'truncnorm' with low >= 0 and high <= 1, or 'beta' or 'pert'"
                    : "use 'truncnorm' with low >= 0, or 'lognorm'";
  } else if (std::holds_alternative<LogNormal>(dist)) {
    advice = "use 'beta', 'pert' or 'truncnorm' with low >= 0 and high <= 1";
  } else {
    advice = capped ? "keep low >= 0 and high <= 1" : "keep low >= 0";
  }
  fail(Column::dist, message("'", kind_name(dist), "' has support ", support_text(dist), ", but the parameter must be ",
                             domain_text, "; ", advice));
}

void DistributionsChecker::check_nominal(const Distribution& dist, const ParameterInfo& info) {
  // A nominal value the distribution cannot produce usually means a unit slip or a misplaced
  // row; a 'fixed' row overrides the nominal on purpose and is exempt.
  if (std::holds_alternative<Fixed>(dist)) return;
  const auto [lo, hi] = support(dist);
  if (!(lo <= info.nominal && info.nominal <= hi)) {
    fail(Column::dist, message("the case's nominal value ", format_number(info.nominal), " lies outside the support ",
                               support_text(dist), " of this '", kind_name(dist), "'"));
  }
}

void DistributionsChecker::check(const Cells& cells, std::size_t line) {
  cells_ = &cells;
  where_ = SourceLocation{path_, line};
  row_errors_ = 0;
  numbers_.fill(0.0);

  const ParameterInfo* info = check_name();
  if (info != nullptr) check_unit(*info);

  const std::string& kind = cell(Column::dist);
  if (kind.empty()) {
    fail(Column::dist, message("expected one of ", detail::quoted_list(kinds_), ", got a blank cell"));
    return;
  }
  if (std::find(kinds_.begin(), kinds_.end(), kind) == kinds_.end()) {
    fail(Column::dist, message("unknown dist '", kind, "'", did_you_mean(kind, kinds_), "; expected one of ",
                               detail::quoted_list(kinds_)));
    return;
  }
  const auto needs = needed_columns(kind);
  if (!needs) return;
  const bool lognorm_by_mean =
      kind == LogNormal::KIND && std::find(needs->begin(), needs->end(), Column::mean) != needs->end();
  const std::size_t errors_before_columns = row_errors_;
  for (const Column c : PARAMETER_COLUMNS) {
    const bool used = std::find(needs->begin(), needs->end(), c) != needs->end();
    if (used && blank(c)) {
      fail(c, message("expected ", is_list(c) ? "a ';'-separated list of numbers" : "a number", " for dist '", kind,
                      "', got a blank cell"));
    } else if (!used && !blank(c)) {
      if (kind == LogNormal::KIND) {
        fail(c,
             message("not used by dist 'lognorm' given by ", lognorm_by_mean ? "'mean' and 'sd'" : "'median' and 'gsd'",
                     " (give either 'mean' and 'sd' or 'median' and 'gsd'), got '", cell(c), "'"));
      } else {
        fail(c, message("not used by dist '", kind, "' (clear the cell or change the dist), got '", cell(c), "'"));
      }
    }
  }
  if (kind == Fixed::KIND && !blank(Column::group)) {
    fail(Column::group, message("not used by dist 'fixed', which is not a factor, got '", cell(Column::group), "'"));
  }
  const bool columns_ok = row_errors_ == errors_before_columns;
  // Numbers are parsed even when the name or unit is wrong, so that one pass reports them too;
  // the value checks below need every needed cell present and parsed.
  if (!parse(kind, *needs) || !columns_ok) return;
  const std::size_t errors_before_values = row_errors_;

  using C = Column;
  if (kind == Uniform::KIND) {
    require_less(kind);
  } else if (kind == LogUniform::KIND) {
    require_greater(C::low, kind);
    require_less(kind);
  } else if (kind == Normal::KIND) {
    require_greater(C::sd, kind);
  } else if (kind == TruncNormal::KIND) {
    require_greater(C::sd, kind);
    require_less(kind);
  } else if (kind == LogNormal::KIND) {
    if (lognorm_by_mean) {
      require_greater(C::mean, kind);
      require_greater(C::sd, kind);
    } else {
      require_greater(C::median, kind);
      require_greater(C::gsd, kind, 1.0);
    }
  } else if (kind == Triangular::KIND || kind == Pert::KIND) {
    require_less(kind);
    require_mode_inside(kind);
  } else if (kind == Beta::KIND) {
    require_greater(C::alpha, kind);
    require_greater(C::beta, kind);
    require_less(kind);
  } else if (kind == Discrete::KIND) {
    check_discrete();
  }
  if (row_errors_ != errors_before_values) return;

  std::optional<Distribution> dist;
  try {
    dist = build(kind);
  } catch (const std::invalid_argument& e) {
    // The checks above mirror the constructors' preconditions; this only guards against the two
    // drifting apart.
    fail(Column::dist, e.what());
  }
  if (!dist) return;
  if (const std::string why = unrepresentable_reason(*dist); !why.empty()) {
    const Column spread = spread_column(kind, lognorm_by_mean);
    fail(spread, message("expected parameters for which dist '", kind, "' fits in double precision, got ",
                         to_string(*dist), ", which ", why));
    return;
  }
  if (info == nullptr) return;
  check_domain(*dist, *info);
  check_nominal(*dist, *info);
  if (row_errors_ != 0) return;

  const std::size_t case_index = static_cast<std::size_t>(info - case_parameters_.data());
  if (kind == Fixed::KIND) {
    fixed_.push_back(FixedParameter{info->name, case_index, std::get<Fixed>(*dist).value(), where_});
  } else {
    uncertain_.push_back(UncertainParameter{info->name, info->unit, std::move(*dist),
                                            blank(C::group) ? info->name : cell(C::group), cell(C::source), case_index,
                                            where_});
  }
}

}  // namespace

Problem read_distributions(const std::string& path, std::span<const ParameterInfo> case_parameters) {
  const std::string bytes = detail::read_file_bytes(path, "distributions");
  const detail::FoldedCsv folded = detail::fold_quoted_line_breaks(bytes, path);
  const auto columns = column_names();
  ErrorList errors;
  detail::CsvRecords reader(folded.text, columns);
  try {
    reader.read_header();
  } catch (const detail::CsvSyntaxError& e) {
    if (e.problem != detail::CsvProblem::no_header)
      throw InputError(detail::csv_error_message(e, path, folded, columns, column_synonyms()));
    std::vector<std::string> required;
    for (const Column c : REQUIRED_COLUMNS) required.emplace_back(name_of(c));
    throw detail::no_header_error(path, folded, reader.line(), bytes.empty(), required, true);
  }
  const SourceLocation header{path, folded.physical_line(reader.line())};
  for (const Column c : REQUIRED_COLUMNS) {
    if (!reader.has_column(name_of(c)))
      errors.add(header, message("the header lacks the required column '", name_of(c), "'"));
  }
  errors.throw_if_any();

  DistributionsChecker checker(path, case_parameters, errors);
  Cells cells;
  std::size_t rows = 0;
  while (true) {
    try {
      if (!read_row(reader, folded, cells)) break;
    } catch (const detail::CsvSyntaxError& e) {
      errors.add(detail::csv_error_message(e, path, folded, columns));
      if (e.problem == detail::CsvProblem::line_too_long) break;  // cannot be stepped over: reading stops here
      ++rows;
      continue;
    }
    ++rows;
    checker.check(cells, folded.physical_line(reader.line()));
  }
  if (rows == 0) errors.add(header, "no parameter rows after the header");
  errors.throw_if_any();
  return checker.make_problem(fnv1a_64(bytes));
}

}  // namespace symbiomc
