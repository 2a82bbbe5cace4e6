#pragma once
// Reading and writing the small text files the tests make and check: whole files, lines, and
// the comma-separated rows of symbiomc's report CSVs.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace symbiomc::test {

/// The bytes of a file. A file that cannot be opened is a test failure (and gives ""), so a
/// missing result file is never mistaken for an empty one.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path.string();
    return "";
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline nlohmann::json read_json(const std::filesystem::path& path) { return nlohmann::json::parse(read_text(path)); }

/// Replaces the file (creating its folder) with `text`, byte for byte.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path.string();
}

/// The lines of `text` without their '\n'; a final line without one is kept.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The inverse of lines_of: every line ended by '\n'.
inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

/// The cells of one CSV line split at every comma (the report files quote nothing), a trailing
/// comma giving a last empty cell.
inline std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

/// The data rows of a report CSV: blank lines, '#' provenance lines and the header skipped.
inline std::vector<std::vector<std::string>> csv_rows(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  bool header_seen = false;
  for (const auto& line : lines_of(read_text(path))) {
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      header_seen = true;
      continue;
    }
    rows.push_back(split_commas(line));
  }
  return rows;
}

}  // namespace symbiomc::test
