#include "report/page/chart_table.hpp"

namespace symbiomc::detail {

std::string ChartTable::csv() const {
  std::string out = "# " + comment + "\n";
  auto line = [&out](const CsvCells& r) {
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + r[i];
    out += "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace symbiomc::detail
