#pragma once
// The records of a CSV text under a header of named columns: the one tokenizer behind every CSV
// input file (case, distributions, correlations). Private to src/.
//
// It reads exactly as fast-cpp-csv-parser's CSVReader configured as this project used it until
// December 2026 (trim_chars<' ', '\t'>, double_quote_escape<',', '"'>,
// single_and_empty_line_comment<'#'>, read_header(ignore_missing_column, ...)), so that no
// input file reads differently; tests/test_csv_records.cpp holds the two to the same records and
// errors on random texts. Written here because that parser's LineReader allocates a
// 3 x 2^24-byte buffer for every file it opens, whatever its size: under AddressSanitizer each
// file read then costs about 10 ms of shadow-memory work (the case fuzzer ran 10 inputs a
// second), and its header was the one dependency of the main job used for nothing else.
//
// The rules, all from that parser:
// * A UTF-8 byte order mark at the start is skipped. Lines end at '\n'; one '\r' before it is
//   dropped; a last line without '\n' counts. A line is read up to its first NUL byte.
// * Blank lines (empty, or only ' ' and '\t') and lines whose first character is '#' are skipped,
//   but counted in line().
// * Cells are separated by ','. A '"' anywhere in a cell opens a quoted stretch that runs to the
//   next '"' (a '"' right after it continues the stretch), so commas inside quotes do not split.
//   Each cell is trimmed of ' ' and '\t'; a trimmed cell that starts and ends with '"' loses
//   those two quotes and has each '""' inside turned into '"'.
// * The header is the first line that is not skipped. Its cells must be known column names, each
//   at most once; known columns may be absent (their cells read as ""). Every later record must
//   have as many cells as the header.
// * A line of 2^24 characters or more is an error that ends the reading.

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace symbiomc::detail {

enum class CsvProblem {
  no_header,          ///< only comments and blank lines
  unknown_column,     ///< a header cell that names no known column
  duplicated_column,  ///< a header cell that names a column already named
  too_few_cells,
  too_many_cells,
  unclosed_quote,  ///< a quoted stretch that the line does not close
  line_too_long,   ///< 2^24 characters or more
};

/// A CSV text that breaks the rules above, at `line` (lines read so far, comments included).
struct CsvSyntaxError : std::runtime_error {
  CsvSyntaxError(CsvProblem problem, std::size_t line, std::string column);
  CsvProblem problem;
  std::size_t line;
  /// The header cell at fault (unknown_column, duplicated_column), cut to 63 bytes as the parser
  /// this replaces cut it; "" otherwise.
  std::string column;
};

class CsvRecords {
 public:
  /// Lines whose length reaches this are refused.
  static constexpr std::size_t LINE_LIMIT = std::size_t{1} << 24;

  /// Reads `text`, which must outlive the reader, under the known `columns`.
  CsvRecords(std::string_view text, std::vector<std::string> columns);

  /// Reads the header; CsvSyntaxError when there is none or it breaks the rules.
  void read_header();
  [[nodiscard]] bool has_column(std::string_view name) const noexcept;
  /// The next record's cells into `cells` (exactly one per known column, in the order given to the
  /// constructor; "" for a column the header lacks); false at the end of the text. On a
  /// CsvSyntaxError other than line_too_long the record is skipped and reading may go on.
  bool read_row(std::span<std::string> cells);
  /// Lines read so far, comments and blank lines included: the line of the header or of the
  /// record just read.
  [[nodiscard]] std::size_t line() const noexcept { return line_; }

 private:
  /// The next line that is not skipped, or false at the end.
  bool next_content_line(std::string_view& line);

  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_ = 0;
  std::vector<std::string> columns_;
  std::vector<std::size_t> order_;  ///< header cell -> index in columns_
  std::vector<bool> present_;       ///< by index in columns_
};

}  // namespace symbiomc::detail
