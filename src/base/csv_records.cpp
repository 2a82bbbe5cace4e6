#include "base/csv_records.hpp"

#include <algorithm>
#include <utility>

namespace symbiomc::detail {

namespace {

constexpr char SEPARATOR = ',';
constexpr char QUOTE = '"';
/// The parser this replaces kept a header cell in a 64-byte buffer for its messages.
constexpr std::size_t MESSAGE_COLUMN_BYTES = 63;

std::string describe(CsvProblem problem) {
  switch (problem) {
    case CsvProblem::no_header:
      return "no header line";
    case CsvProblem::unknown_column:
      return "unknown column in the header";
    case CsvProblem::duplicated_column:
      return "column named twice in the header";
    case CsvProblem::too_few_cells:
      return "fewer cells than the header has columns";
    case CsvProblem::too_many_cells:
      return "more cells than the header has columns";
    case CsvProblem::unclosed_quote:
      return "a double-quoted cell is not closed";
    case CsvProblem::line_too_long:
      return "line too long";
  }
  return "CSV error";
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Blank lines and '#' comments (the '#' first on the line) are skipped.
bool is_skipped(std::string_view line) {
  return line.empty() || line.front() == '#' || std::all_of(line.begin(), line.end(), is_blank);
}

/// Where the cell starting at `begin` ends: at the first ',' outside a quoted stretch, or at
/// the line's end. A '"' anywhere opens a stretch up to the next '"'; a '"' right after that
/// one opens the next stretch at once (so '""' inside quotes stays inside).
std::size_t cell_end(std::string_view line, std::size_t begin, std::size_t line_number) {
  std::size_t i = begin;
  while (i < line.size() && line[i] != SEPARATOR) {
    if (line[i] != QUOTE) {
      ++i;
      continue;
    }
    do {
      ++i;
      while (i < line.size() && line[i] != QUOTE) ++i;
      if (i == line.size()) throw CsvSyntaxError(CsvProblem::unclosed_quote, line_number, "");
      ++i;
    } while (i < line.size() && line[i] == QUOTE);
  }
  return i;
}

/// The cell's text: blanks trimmed, then surrounding quotes removed and '""' turned into '"'.
void cell_value(std::string_view raw, std::string& out) {
  while (!raw.empty() && is_blank(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_blank(raw.back())) raw.remove_suffix(1);
  out.clear();
  if (raw.size() < 2 || raw.front() != QUOTE || raw.back() != QUOTE) {
    out.assign(raw);
    return;
  }
  const std::string_view inner = raw.substr(1, raw.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == QUOTE && i + 1 < inner.size() && inner[i + 1] == QUOTE) ++i;
    out += inner[i];
  }
}

}  // namespace

CsvSyntaxError::CsvSyntaxError(CsvProblem problem_, std::size_t line_, std::string column_)
    : std::runtime_error(describe(problem_) + " at line " + std::to_string(line_)),
      problem(problem_),
      line(line_),
      column(std::move(column_)) {}

CsvRecords::CsvRecords(std::string_view text, std::vector<std::string> columns)
    : text_(text), columns_(std::move(columns)), present_(columns_.size(), false) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") position_ = 3;
}

bool CsvRecords::next_content_line(std::string_view& line) {
  for (;;) {
    if (position_ >= text_.size()) return false;
    ++line_;
    const std::size_t end = std::min(text_.find('\n', position_), text_.size());
    if (end - position_ >= LINE_LIMIT) {
      position_ = text_.size();  // cannot be stepped over: reading ends here
      throw CsvSyntaxError(CsvProblem::line_too_long, line_, "");
    }
    line = text_.substr(position_, end - position_);
    position_ = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = line.substr(0, line.find('\0'));
    if (!is_skipped(line)) return true;
  }
}

void CsvRecords::read_header() {
  std::string_view line;
  if (!next_content_line(line)) throw CsvSyntaxError(CsvProblem::no_header, line_, "");
  order_.clear();
  std::fill(present_.begin(), present_.end(), false);
  std::string name;
  for (std::size_t begin = 0;;) {
    const std::size_t end = cell_end(line, begin, line_);
    cell_value(line.substr(begin, end - begin), name);
    const auto known = std::find(columns_.begin(), columns_.end(), name);
    if (known == columns_.end())
      throw CsvSyntaxError(CsvProblem::unknown_column, line_, name.substr(0, MESSAGE_COLUMN_BYTES));
    const auto index = static_cast<std::size_t>(known - columns_.begin());
    if (present_[index])
      throw CsvSyntaxError(CsvProblem::duplicated_column, line_, name.substr(0, MESSAGE_COLUMN_BYTES));
    present_[index] = true;
    order_.push_back(index);
    if (end == line.size()) break;
    begin = end + 1;
  }
}

bool CsvRecords::has_column(std::string_view name) const noexcept {
  const auto known = std::find(columns_.begin(), columns_.end(), name);
  return known != columns_.end() && present_[static_cast<std::size_t>(known - columns_.begin())];
}

bool CsvRecords::read_row(std::span<std::string> cells) {
  if (cells.size() != columns_.size()) throw std::logic_error("CsvRecords::read_row: one cell per known column");
  std::string_view line;
  if (!next_content_line(line)) return false;
  for (std::size_t c = 0; c < cells.size(); ++c)
    if (!present_[c]) cells[c].clear();
  // Cell by cell, as the parser did: a record that is both short and unclosed reports whichever
  // it meets first.
  std::size_t begin = 0;
  bool more = true;  // the line still has a cell to read
  for (const std::size_t index : order_) {
    if (!more) throw CsvSyntaxError(CsvProblem::too_few_cells, line_, "");
    const std::size_t end = cell_end(line, begin, line_);
    cell_value(line.substr(begin, end - begin), cells[index]);
    more = end < line.size();
    begin = end + 1;
  }
  if (more) throw CsvSyntaxError(CsvProblem::too_many_cells, line_, "");
  return true;
}

}  // namespace symbiomc::detail
