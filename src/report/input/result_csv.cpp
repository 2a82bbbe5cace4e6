#include "symbiomc/report/result_csv.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "report/input/text_file.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// The cells of one line (without its line break), RFC 4180: a cell that starts with a double
/// quote runs to the matching closing quote, "" inside it standing for one quote; any other
/// cell runs to the next comma, taken as it is (a stray quote inside it included, as the
/// writers of older versions, which never quoted, could leave one there).
std::vector<std::string> split_line(std::string_view line, const std::string& path, std::size_t number) {
  std::vector<std::string> cells;
  std::size_t i = 0;
  while (true) {
    std::string cell;
    if (i < line.size() && line[i] == '"') {
      const std::size_t open = i++;
      while (true) {
        if (i == line.size())
          throw InputError(SourceLocation{path, number, open + 1},
                           "the quoted cell is not closed on this line (a line break inside a cell is not supported)");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell += line[i++];
      }
      if (i < line.size() && line[i] != ',')
        throw InputError(SourceLocation{path, number, i + 1},
                         "expected a comma after the closing quote of a quoted cell");
    } else {
      const auto comma = std::min(line.find(',', i), line.size());
      cell = std::string(line.substr(i, comma - i));
      i = comma;
    }
    cells.push_back(std::move(cell));
    if (i >= line.size()) return cells;
    ++i;  // past the comma: another cell follows, empty when the line ends here
  }
}

}  // namespace

ResultCsv::ResultCsv(std::string path) : ResultCsv(path, detail::read_text_file(path)) {}

ResultCsv ResultCsv::from_text(std::string path, std::string_view text) { return ResultCsv(std::move(path), text); }

ResultCsv::ResultCsv(std::string path, std::string_view text) : path_(std::move(path)) {
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (header_.empty())
      header_ = split_line(line, path_, number);
    else
      rows_.push_back({number, split_line(line, path_, number)});
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
