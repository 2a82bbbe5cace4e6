#pragma once
// The data of one chart as a CSV file beside the page (<page stem>_data/<file>), so that a
// reader can take the numbers of any chart into a spreadsheet. Cells are made with
// symbiomc/base/csv_format.hpp (full precision, RFC 4180 quoting).

#include <string>
#include <vector>

namespace symbiomc::detail {

using CsvCells = std::vector<std::string>;

struct ChartTable {
  std::string chart;  ///< key the page uses to link the file
  std::string file;
  std::string comment;
  CsvCells header;
  std::vector<CsvCells> rows;

  /// "# <comment>", the header, the rows; cells already formatted, joined by commas.
  [[nodiscard]] std::string csv() const;
};

}  // namespace symbiomc::detail
