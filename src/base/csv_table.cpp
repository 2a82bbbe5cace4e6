#include "base/csv_table.hpp"

#include <fstream>
#include <iterator>
#include <utility>

#include "base/csv_reading.hpp"
#include "symbiomc/base/checksum.hpp"

namespace symbiomc::detail {

CsvTable read_csv_table(const std::string& path, std::span<const std::string_view> columns,
                        const std::vector<std::string_view>& required) {
  CsvTable table;
  table.path = path;
  for (auto c : columns) table.columns.emplace_back(c);
  table.present.assign(columns.size(), false);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  table.checksum = fnv1a_64(bytes);
  const FoldedCsv folded = fold_quoted_line_breaks(bytes, path);
  CsvRecords reader(folded.text, table.columns);
  try {
    reader.read_header();
    const std::size_t header = folded.physical_line(reader.line());
    for (std::size_t i = 0; i < columns.size(); ++i) table.present[i] = reader.has_column(table.columns[i]);
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
      row.cells.resize(columns.size());
      if (!reader.read_row(row.cells)) break;
      row.line = folded.physical_line(reader.line());
      for (auto& cell : row.cells) folded.restore(cell);
      table.rows.push_back(std::move(row));
    }
  } catch (const CsvSyntaxError& e) {
    if (e.problem == CsvProblem::no_header) {
      // What a header must name: the required columns; all of them when none is marked required.
      const bool all = required.empty() || required.size() == columns.size();
      throw no_header_error(path, folded, reader.line(), bytes.empty(),
                            all ? table.columns : std::vector<std::string>(required.begin(), required.end()), !all);
    }
    throw InputError(csv_error_message(e, path, folded, table.columns));
  }
  return table;
}

}  // namespace symbiomc::detail
