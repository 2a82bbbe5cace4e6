#include "text_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace symbiomc::cli {

namespace {
// Display width of a UTF-8 string (counts code points; enough for the labels we print).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
}  // namespace

void TextTable::print(std::ostream& out) const {
  std::vector<std::size_t> widths(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = display_width(header_[i]);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(widths[i] - display_width(cell), ' ');
      if (i > 0) out << "  ";
      if (i == 0 || std::find(left_.begin(), left_.end(), i) != left_.end())
        out << cell << pad;
      else
        out << pad << cell;
    }
    out << '\n';
  };
  std::size_t total = 0;
  for (auto w : widths) total += w;
  total += 2 * (widths.empty() ? 0 : widths.size() - 1);
  print_row(header_);
  out << std::string(total, '-') << '\n';
  for (const auto& row : rows_) {
    if (row.empty())
      out << std::string(total, '-') << '\n';
    else
      print_row(row);
  }
}

}  // namespace symbiomc::cli
