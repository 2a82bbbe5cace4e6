#pragma once
// Reads a CSV file with a header of named columns into rows of strings, on top of
// fast-cpp-csv-parser (libfccp). Private to src/: the parser's header is heavy and its
// exceptions become InputErrors here, worded by the one translator of base/csv_reading.hpp.

#include <libfccp/csv.h>

#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/csv_reading.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> cells;  ///< one per declared column, "" when blank or absent
};

struct CsvTable {
  std::string path;
  std::vector<std::string> columns;  ///< declared names, in declaration order
  std::vector<bool> present;         ///< whether the header had the column
  std::vector<CsvRow> rows;

  [[nodiscard]] SourceLocation where(const CsvRow& row) const { return {path, row.line, 0}; }
  [[nodiscard]] std::size_t column_index(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == name) return i;
    throw std::logic_error("csv_table: undeclared column " + std::string(name));
  }
  [[nodiscard]] const std::string& cell(const CsvRow& row, std::string_view name) const {
    return row.cells[column_index(name)];
  }
};

namespace csv_detail {
template <std::size_t N, std::size_t... I>
CsvTable read(const std::string& path, const std::array<std::string_view, N>& columns,
              const std::vector<std::string_view>& required, std::index_sequence<I...>) {
  CsvTable table;
  table.path = path;
  for (auto c : columns) table.columns.emplace_back(c);
  table.present.assign(N, false);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const FoldedCsv folded = fold_quoted_line_breaks(bytes, path);
  io::CSVReader<N, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>, io::throw_on_overflow,
                io::single_and_empty_line_comment<'#'>>
      reader(path, folded.text.data(), folded.text.data() + folded.text.size());
  try {
    reader.read_header(io::ignore_missing_column, std::string(columns[I])...);
    const std::size_t header = folded.physical_line(reader.get_file_line());
    for (std::size_t i = 0; i < N; ++i) table.present[i] = reader.has_column(std::string(columns[i]));
    for (auto name : required) {
      std::size_t i = table.column_index(name);
      if (!table.present[i]) {
        std::string list;
        for (auto r : required) list += (list.empty() ? "" : ", ") + std::string(r);
        throw InputError(SourceLocation{path, header, 0},
                         message("the header lacks the required column '", name, "' (required columns: ", list, ")"));
      }
    }
    std::array<char*, N> cells{};
    for (;;) {
      cells.fill(nullptr);
      if (!reader.read_row(cells[I]...)) break;
      CsvRow row;
      row.line = folded.physical_line(reader.get_file_line());
      row.cells.reserve(N);
      for (std::size_t i = 0; i < N; ++i) {
        row.cells.emplace_back(cells[i] ? cells[i] : "");
        folded.restore(row.cells.back());
      }
      table.rows.push_back(std::move(row));
    }
  } catch (const io::error::header_missing&) {
    std::string list;
    for (auto c : columns) list += (list.empty() ? "" : ",") + std::string(c);
    throw InputError(SourceLocation{path, 1, 0}, message("empty file: expected a header row with columns ", list));
  } catch (const io::error::base& e) {
    // Header errors carry no line of their own: the header's line is the reader's position.
    throw InputError(csv_error_message(e, path, folded, reader.get_file_line(), table.columns));
  }
  return table;
}
}  // namespace csv_detail

/// Reads `path`. Columns not in `columns` are an error (likely a typo); columns in
/// `required` must be in the header; others may be absent (cells read as "").
template <std::size_t N>
[[nodiscard]] CsvTable read_csv_table(const std::string& path, const std::array<std::string_view, N>& columns,
                                      const std::vector<std::string_view>& required) {
  return csv_detail::read<N>(path, columns, required, std::make_index_sequence<N>{});
}

}  // namespace symbiomc::detail
