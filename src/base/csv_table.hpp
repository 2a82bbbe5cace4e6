#pragma once
// Reads a CSV file with a header of named columns into rows of strings, on top of the one
// tokenizer (base/csv_records.hpp), whose errors become InputErrors here, worded by the one
// translator of base/csv_reading.hpp. Private to src/.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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
  std::uint64_t checksum = 0;  ///< FNV-1a 64 of the bytes read, so that it covers exactly what was parsed

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
[[nodiscard]] CsvTable read_csv_table(const std::string& path, std::span<const std::string_view> columns,
                                      const std::vector<std::string_view>& required);

}  // namespace symbiomc::detail
