#include "base/csv_reading.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <libfccp/csv.h>

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
  // std::from_chars rather than fast-cpp-csv-parser's parse<double>: that one sums digits by
  // repeated multiplication (not correctly rounded, so "0.1" need not give the nearest double)
  // and takes ',' as a decimal point. from_chars is exact but refuses a leading '+'.
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

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out;
}

std::string csv_error_message(const std::exception& error, const std::string& path, std::size_t reader_line,
                              const std::vector<std::string>& columns,
                              const std::vector<std::pair<std::string, std::string>>& synonyms) {
  // fast-cpp-csv-parser's errors carry file, line and column name in mixin bases; its own
  // what() text names the file in another style and truncates long paths, so the message is
  // rebuilt here from those fields.
  std::size_t line = reader_line;
  if (const auto* with_line = dynamic_cast<const io::error::with_file_line*>(&error);
      with_line != nullptr && with_line->file_line > 0) {
    line = static_cast<std::size_t>(with_line->file_line);
  }
  const std::string at = to_string(SourceLocation{path, std::max<std::size_t>(line, 1)});
  const auto* with_column = dynamic_cast<const io::error::with_column_name*>(&error);
  const std::string column = with_column != nullptr ? std::string(with_column->column_name) : std::string();
  if (dynamic_cast<const io::error::extra_column_in_header*>(&error) != nullptr) {
    const auto synonym =
        std::find_if(synonyms.begin(), synonyms.end(), [&](const auto& s) { return s.first == column; });
    const std::string hint =
        synonym != synonyms.end() ? " (did you mean '" + synonym->second + "'?)" : did_you_mean(column, columns);
    return message(at, "column '", column, "' in the header is not a known column", hint,
                   "; known columns: ", quoted_list(columns));
  }
  if (dynamic_cast<const io::error::duplicated_column_in_header*>(&error) != nullptr) {
    return message(at, "column '", column, "' appears twice in the header");
  }
  if (dynamic_cast<const io::error::missing_column_in_header*>(&error) != nullptr) {
    return message(at, "the header lacks the required column '", column, "'");
  }
  if (dynamic_cast<const io::error::too_few_columns*>(&error) != nullptr) {
    return message(at, "fewer cells than the header has columns");
  }
  if (dynamic_cast<const io::error::too_many_columns*>(&error) != nullptr) {
    return message(at, "more cells than the header has columns (a ',' inside a cell needs double quotes)");
  }
  if (dynamic_cast<const io::error::escaped_string_not_closed*>(&error) != nullptr) {
    return message(at, "a double-quoted cell is not closed");
  }
  if (dynamic_cast<const io::error::line_length_limit_exceeded*>(&error) != nullptr) {
    return message(at, "line longer than the CSV reader's limit of 2^24-1 characters");
  }
  return message(at, error.what());
}

}  // namespace detail

}  // namespace symbiomc
