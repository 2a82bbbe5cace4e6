#include "symbiomc/report/result_csv.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "report/input/text_file.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// The cells of the record that starts at text[pos] (on 1-based line `line`), RFC 4180: a
/// cell that starts with a double quote runs to the matching closing quote, "" inside it
/// standing for one quote, line breaks included (a spreadsheet writes a note that way); any
/// other cell runs to the next comma or line end, taken as it is (a stray quote inside it
/// included, as the writers of older versions, which never quoted, could leave one there).
/// Leaves `pos` past the record's line break and `line` on the line after it.
std::vector<std::string> read_record(std::string_view text, std::size_t& pos, std::size_t& line,
                                     const std::string& path) {
  const auto at_line_end = [&](std::size_t i) {
    return i == text.size() || text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ||
           (text[i] == '\r' && i + 1 == text.size());
  };
  const std::size_t first_line = line;
  std::size_t line_start = pos;  // for columns in messages
  std::vector<std::string> cells;
  std::size_t i = pos;
  while (true) {
    std::string cell;
    if (i < text.size() && text[i] == '"') {
      const std::size_t open_line = line, open_column = i - line_start + 1;
      ++i;
      while (true) {
        if (i == text.size())
          throw InputError(SourceLocation{path, open_line, open_column},
                           open_line == first_line
                               ? "the quoted cell is not closed"
                               : message("the quoted cell is not closed (its record starts on line ", first_line, ")"));
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
        cell += text[i++];
      }
      if (!at_line_end(i) && text[i] != ',')
        throw InputError(SourceLocation{path, line, i - line_start + 1},
                         "expected a comma after the closing quote of a quoted cell");
    } else {
      std::size_t end = i;
      while (!at_line_end(end) && text[end] != ',') ++end;
      cell = std::string(text.substr(i, end - i));
      i = end;
    }
    // A quoted cell's "\r\n" is the file's line end, written as "\n" like the writers' own.
    for (std::size_t k = cell.find("\r\n"); k != std::string::npos; k = cell.find("\r\n", k)) cell.erase(k, 1);
    cells.push_back(std::move(cell));
    if (at_line_end(i)) {
      while (i < text.size() && text[i] != '\n') ++i;  // the '\r' of a "\r\n"
      pos = i + 1;
      ++line;
      return cells;
    }
    ++i;  // past the comma: another cell follows, empty when the line ends here
  }
}

}  // namespace

ResultCsv::ResultCsv(std::string path) : ResultCsv(path, detail::read_text_file(path)) {}

ResultCsv ResultCsv::from_text(std::string path, std::string_view text) { return ResultCsv(std::move(path), text); }

ResultCsv::ResultCsv(std::string path, std::string_view text) : path_(std::move(path)) {
  std::size_t line = 1;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view first = text.substr(pos, end - pos);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    if (first.empty() || first[0] == '#') {
      pos = end + 1;
      ++line;
      continue;
    }
    const std::size_t record_line = line;
    std::vector<std::string> cells = read_record(text, pos, line, path_);
    if (header_.empty())
      header_ = std::move(cells);
    else
      rows_.push_back({record_line, std::move(cells)});
  }
  if (header_.empty()) throw InputError(SourceLocation{path_, 0, 0}, "no header row (the file is empty)");
}

std::size_t ResultCsv::column(std::string_view name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end())
    throw InputError(SourceLocation{path_, 0, 0}, message("expected a column '", name, "' in the header"));
  return static_cast<std::size_t>(it - header_.begin());
}

const std::string& ResultCsv::text(const Row& row, std::size_t column) const {
  if (column >= row.cells.size())
    throw InputError(SourceLocation{path_, row.line, 0},
                     message("expected ", header_.size(), " columns, found ", row.cells.size()));
  return row.cells[column];
}

double ResultCsv::number(const Row& row, std::size_t column) const {
  const std::string& t = text(row, column);
  double value = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), value);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size())
    throw InputError(SourceLocation{path_, row.line, column + 1},
                     message("column '", header_[column], "': expected a number, got '", t, "'"));
  return value;
}

}  // namespace symbiomc
