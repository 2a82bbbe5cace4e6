#include "text_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace symbiomc::cli {

namespace {
// Display width of a UTF-8 string (counts code points; enough for the labels we print).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
}  // namespace

void TextTable::print(std::ostream& out) const {
  std::vector<std::size_t> widths(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = display_width(header_[i]);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(widths[i] - display_width(cell), ' ');
      if (i > 0) out << "  ";
      if (i == 0) out << cell << pad;
      else out << pad << cell;
    }
    out << '\n';
  };
  std::size_t total = 0;
  for (auto w : widths) total += w;
  total += 2 * (widths.empty() ? 0 : widths.size() - 1);
  print_row(header_);
  out << std::string(total, '-') << '\n';
  for (const auto& row : rows_) {
    if (row.empty()) out << std::string(total, '-') << '\n';
    else print_row(row);
  }
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double magnitude = value == 0.0 ? 0.0 : std::floor(std::log10(std::abs(value)));
  const int decimals = std::clamp(significant - 1 - static_cast<int>(magnitude), 0, 6);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text == "-0" || text.find_first_not_of("-0.") == std::string::npos) text.erase(0, text[0] == '-' ? 1 : 0);
  // Group the integer part in thousands.
  const std::size_t start = text[0] == '-' ? 1 : 0;
  std::size_t point = text.find('.');
  if (point == std::string::npos) point = text.size();
  for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(point) - 3; i > static_cast<std::ptrdiff_t>(start); i -= 3)
    text.insert(static_cast<std::size_t>(i), ",");
  return text;
}

std::string format_exact(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace symbiomc::cli
