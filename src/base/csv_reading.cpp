#include "base/csv_reading.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace detail {

std::string read_file_bytes(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(SourceLocation{path}, message("cannot read ", what, " file: it is a directory"));
  }
  // The bytes are read once, here, so that the checksum covers exactly what is parsed; the CSV
  // reader then works on this buffer.
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw InputError(SourceLocation{path},
                     message("cannot read ", what, " file: ", std::generic_category().message(code)));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(SourceLocation{path}, message("cannot read ", what, " file: read error"));
  return bytes;
}

bool parse_number(std::string_view text, double& out, bool allow_infinite) noexcept {
  // std::from_chars: correctly rounded, so "0.1" gives the nearest double (the parse<double> of
  // fast-cpp-csv-parser, once used here, summed digits by repeated multiplication and took ','
  // as a decimal point). from_chars refuses a leading '+', so it is taken off here.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return false;
  }
  if (text.empty()) return false;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (std::isnan(value) || (std::isinf(value) && !allow_infinite)) return false;
  out = value;
  return true;
}

InputError no_header_error(const std::string& path, const FoldedCsv& folded, std::size_t reader_line, bool empty_file,
                           const std::vector<std::string>& required, bool has_optional_columns) {
  const std::size_t line = std::max<std::size_t>(folded.physical_line(reader_line), 1);
  return InputError(SourceLocation{path, line},
                    message(empty_file ? "empty file" : "no header line (only comments or blank lines)",
                            "; expected a header naming the columns", has_optional_columns ? ", at least " : " ",
                            quoted_list(required)));
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out;
}

void FoldedCsv::restore(std::string& cell) const {
  if (placeholder != '\0') std::replace(cell.begin(), cell.end(), placeholder, '\n');
}

FoldedCsv fold_quoted_line_breaks(std::string_view bytes, const std::string& path) {
  FoldedCsv folded;
  folded.text.reserve(bytes.size());
  // The placeholder must be a byte the file lacks, so that every one found in a cell is a
  // folded line break. Control characters other than tab and line ends never occur in a
  // hand-made or exported CSV file, so the first of them is nearly always free.
  std::array<bool, 256> present{};
  for (const char c : bytes) present[static_cast<unsigned char>(c)] = true;
  char free_control = '\0';
  for (unsigned char c = 1; c < 0x20 && free_control == '\0'; ++c)
    if (c != '\t' && c != '\n' && c != '\r' && !present[c]) free_control = static_cast<char>(c);
  bool quoted = false;
  std::size_t physical = 0;
  for (std::size_t start = 0; start < bytes.size();) {
    const std::size_t end = std::min(bytes.find('\n', start), bytes.size());
    const std::string_view line = bytes.substr(start, end - start);
    ++physical;
    bool comment = false;
    if (!quoted) {
      folded.record_start.push_back(physical);
      const std::string_view after_bom = start == 0 && line.rfind("\xEF\xBB\xBF", 0) == 0 ? line.substr(3) : line;
      comment = !after_bom.empty() && after_bom.front() == '#';
    }
    if (!comment) quoted = (std::count(line.begin(), line.end(), '"') % 2 == 1) != quoted;
    folded.text += line;
    if (end < bytes.size()) {
      if (!quoted) {
        folded.text += '\n';
      } else {
        if (free_control == '\0')
          throw InputError(SourceLocation{path, physical},
                           "a double-quoted cell holds a line break, and the file holds every control character "
                           "that could stand for it while the file is read; remove the control characters");
        if (!folded.text.empty() && folded.text.back() == '\r') folded.text.pop_back();
        folded.text += free_control;
        folded.placeholder = free_control;
      }
    }
    start = end + 1;
  }
  return folded;
}

std::string csv_error_message(const CsvSyntaxError& error, const std::string& path, const FoldedCsv& folded,
                              const std::vector<std::string>& columns,
                              const std::vector<std::pair<std::string, std::string>>& synonyms) {
  const std::string at = to_string(SourceLocation{path, std::max<std::size_t>(folded.physical_line(error.line), 1)});
  const std::string& column = error.column;
  switch (error.problem) {
    case CsvProblem::unknown_column: {
      const auto synonym =
          std::find_if(synonyms.begin(), synonyms.end(), [&](const auto& s) { return s.first == column; });
      const std::string hint =
          synonym != synonyms.end() ? " (did you mean '" + synonym->second + "'?)" : did_you_mean(column, columns);
      return message(at, "column '", column, "' in the header is not a known column", hint,
                     "; known columns: ", quoted_list(columns));
    }
    case CsvProblem::duplicated_column:
      return message(at, "column '", column, "' appears twice in the header");
    case CsvProblem::too_few_cells:
      return message(at, "fewer cells than the header has columns");
    case CsvProblem::too_many_cells:
      return message(at, "more cells than the header has columns (a ',' inside a cell needs double quotes)");
    case CsvProblem::unclosed_quote:
      return message(at, "a double-quoted cell is not closed");
    case CsvProblem::line_too_long:
      return message(at, "line longer than the CSV reader's limit of 2^24-1 characters");
    case CsvProblem::no_header:
      break;
  }
  return message(at, "no header line (only comments or blank lines)");
}

}  // namespace detail

}  // namespace symbiomc
