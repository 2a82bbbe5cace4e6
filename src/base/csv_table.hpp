#pragma once
// Reads a CSV file with a header of named columns into rows of strings, on top of the one
// tokenizer (base/csv_records.hpp), whose errors become InputErrors here, worded by the one
// translator of base/csv_reading.hpp. Private to src/.

#include <array>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
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

/// Reads `path`. Columns not in `columns` are an error (likely a typo); columns in
/// `required` must be in the header; others may be absent (cells read as "").
template <std::size_t N>
[[nodiscard]] CsvTable read_csv_table(const std::string& path, const std::array<std::string_view, N>& columns,
                                      const std::vector<std::string_view>& required) {
  CsvTable table;
  table.path = path;
  for (auto c : columns) table.columns.emplace_back(c);
  table.present.assign(N, false);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const FoldedCsv folded = fold_quoted_line_breaks(bytes, path);
  CsvRecords reader(folded.text, table.columns);
  try {
    reader.read_header();
    const std::size_t header = folded.physical_line(reader.line());
    for (std::size_t i = 0; i < N; ++i) table.present[i] = reader.has_column(table.columns[i]);
    for (auto name : required) {
      std::size_t i = table.column_index(name);
      if (!table.present[i]) {
        std::string list;
        for (auto r : required) list += (list.empty() ? "" : ", ") + std::string(r);
        throw InputError(SourceLocation{path, header, 0},
                         message("the header lacks the required column '", name, "' (required columns: ", list, ")"));
      }
    }
    for (;;) {
      CsvRow row;
      row.cells.resize(N);
      if (!reader.read_row(row.cells)) break;
      row.line = folded.physical_line(reader.line());
      for (auto& cell : row.cells) folded.restore(cell);
      table.rows.push_back(std::move(row));
    }
  } catch (const CsvSyntaxError& e) {
    if (e.problem == CsvProblem::no_header) {
      std::string list;
      for (auto c : columns) list += (list.empty() ? "" : ",") + std::string(c);
      throw InputError(SourceLocation{path, 1, 0}, message("empty file: expected a header row with columns ", list));
    }
    throw InputError(csv_error_message(e, path, folded, table.columns));
  }
  return table;
}

}  // namespace symbiomc::detail
