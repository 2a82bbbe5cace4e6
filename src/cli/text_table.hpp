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

}  // namespace symbiomc::cli
