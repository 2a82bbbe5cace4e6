#pragma once
// Reads the CSV files symbiomc writes beside its JSON results (histograms.csv, morris.csv, ...)
// for the report: '#' comment lines and blank lines are skipped, the first other line is the
// header, every later record a row. Cells follow RFC 4180 (symbiomc/base/csv_format.hpp): a
// cell in double quotes may hold commas, doubled quotes and line breaks, so a unit such as
// `"MW, net"` stays one cell, and so does a note a spreadsheet wrote over two lines.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace symbiomc {

class ResultCsv {
 public:
  struct Row {
    std::size_t line = 0;            ///< 1-based line in the file where the row starts, for messages
    std::vector<std::string> cells;  ///< unquoted; as many as the line has (checked on access)
  };

  /// Reads `path`. Throws InputError naming the file (and line) when it cannot be read, has no
  /// header row, or a quoted cell is not closed before the end of the file or is followed by
  /// something other than a comma.
  explicit ResultCsv(std::string path);

  /// The same for text already in memory; `path` names it in messages.
  [[nodiscard]] static ResultCsv from_text(std::string path, std::string_view text);

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::vector<std::string>& header() const noexcept { return header_; }
  [[nodiscard]] const std::vector<Row>& rows() const noexcept { return rows_; }

  /// Index of the header column `name`; throws InputError when the header has none.
  [[nodiscard]] std::size_t column(std::string_view name) const;

  /// The cell of `row` in `column`; throws InputError (file:line) when the row is too short.
  [[nodiscard]] const std::string& text(const Row& row, std::size_t column) const;

  /// The cell read wholly as a number (std::from_chars: "1.5", "-2e-3", "inf", "nan"); throws
  /// InputError (file:line:column) otherwise, an empty cell included.
  [[nodiscard]] double number(const Row& row, std::size_t column) const;

 private:
  ResultCsv(std::string path, std::string_view text);

  std::string path_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

}  // namespace symbiomc
