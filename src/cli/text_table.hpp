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
  /// Left-aligns column `column` too (a second column of names), as the first one always is.
  void left_align(std::size_t column) { left_.push_back(column); }
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void add_rule() { rows_.emplace_back(); }  ///< a horizontal line between row groups
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> left_;
};

}  // namespace symbiomc::cli
