#pragma once
// Aligned plain-text tables for the terminal: the first column left-aligned (labels with
// units), the others right-aligned (numbers), so columns of figures line up.

#include <ostream>
#include <string>
#include <vector>

namespace symbiomc::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void add_rule() { rows_.emplace_back(); }  ///< a horizontal line between row groups
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

/// A number for people: about `significant` significant digits, fixed notation, thousands
/// separated by a thin space-free comma ("47,619.4"); "-" for NaN.
[[nodiscard]] std::string format_number(double value, int significant = 5);

/// The same without grouping, for CSV cells: round-trippable shortest form.
[[nodiscard]] std::string format_exact(double value);

}  // namespace symbiomc::cli
