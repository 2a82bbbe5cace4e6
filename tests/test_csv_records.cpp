// The CSV tokenizer behind every input file (src/base/csv_records.hpp) against
// fast-cpp-csv-parser's CSVReader, which read those files until December 2026 and is kept as
// the test's oracle (Debian's libfccp-dev, a test-only package): on random texts both must give
// the same header, the same records, the same errors at the same lines. Then the rules the
// tokenizer's header states, each on a text written out, and the line-length limit at its edge.

#include <libfccp/csv.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/csv_records.hpp"

namespace {

using symbiomc::detail::CsvProblem;
using symbiomc::detail::CsvRecords;
using symbiomc::detail::CsvSyntaxError;

const std::vector<std::string> COLUMNS = {"a", "b", "c"};

/// Everything a reading gives, one string per event, so that two readings compare as a whole.
using Events = std::vector<std::string>;

std::string joined(const std::array<std::string, 3>& cells) { return cells[0] + "|" + cells[1] + "|" + cells[2]; }

std::string problem_name(CsvProblem p) {
  switch (p) {
    case CsvProblem::no_header:
      return "no_header";
    case CsvProblem::unknown_column:
      return "unknown_column";
    case CsvProblem::duplicated_column:
      return "duplicated_column";
    case CsvProblem::too_few_cells:
      return "too_few_cells";
    case CsvProblem::too_many_cells:
      return "too_many_cells";
    case CsvProblem::unclosed_quote:
      return "unclosed_quote";
    case CsvProblem::line_too_long:
      return "line_too_long";
  }
  return "?";
}

Events read_with_records(const std::string& text) {
  Events events;
  CsvRecords reader(text, COLUMNS);
  try {
    reader.read_header();
  } catch (const CsvSyntaxError& e) {
    events.push_back("header " + problem_name(e.problem) + " line " + std::to_string(e.line) + " column '" + e.column +
                     "' at " + std::to_string(reader.line()));
    return events;
  }
  std::string present;
  for (const auto& c : COLUMNS) present += reader.has_column(c) ? c : "-";
  events.push_back("header " + present + " at " + std::to_string(reader.line()));
  std::array<std::string, 3> cells;
  for (;;) {
    try {
      if (!reader.read_row(cells)) break;
      events.push_back("row " + std::to_string(reader.line()) + ": " + joined(cells));
    } catch (const CsvSyntaxError& e) {
      events.push_back("row " + problem_name(e.problem) + " line " + std::to_string(e.line));
      if (e.problem == CsvProblem::line_too_long) break;
    }
  }
  return events;
}

using Oracle = io::CSVReader<3, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>, io::throw_on_overflow,
                             io::single_and_empty_line_comment<'#'>>;

Events read_with_oracle(const std::string& text) {
  Events events;
  Oracle reader("text", text.data(), text.data() + text.size());
  const auto header_error = [&](const std::string& problem, const std::string& column) {
    const auto line = std::to_string(reader.get_file_line());
    events.push_back("header " + problem + " line " + line + " column '" + column + "' at " + line);
  };
  try {
    reader.read_header(io::ignore_missing_column, "a", "b", "c");
  } catch (const io::error::header_missing&) {
    header_error("no_header", "");
    return events;
  } catch (const io::error::extra_column_in_header& e) {
    header_error("unknown_column", e.column_name);
    return events;
  } catch (const io::error::duplicated_column_in_header& e) {
    header_error("duplicated_column", e.column_name);
    return events;
  } catch (const io::error::escaped_string_not_closed&) {
    header_error("unclosed_quote", "");
    return events;
  } catch (const io::error::line_length_limit_exceeded&) {
    header_error("line_too_long", "");
    return events;
  }
  std::string present;
  for (const auto& c : COLUMNS) present += reader.has_column(c) ? c : "-";
  events.push_back("header " + present + " at " + std::to_string(reader.get_file_line()));
  std::array<std::string, 3> cells;
  for (;;) {
    const auto row_error = [&](const std::string& problem) {
      events.push_back("row " + problem + " line " + std::to_string(reader.get_file_line()));
    };
    for (auto& cell : cells) cell.clear();
    try {
      if (!reader.read_row(cells[0], cells[1], cells[2])) break;
      events.push_back("row " + std::to_string(reader.get_file_line()) + ": " + joined(cells));
    } catch (const io::error::too_few_columns&) {
      row_error("too_few_cells");
    } catch (const io::error::too_many_columns&) {
      row_error("too_many_cells");
    } catch (const io::error::escaped_string_not_closed&) {
      row_error("unclosed_quote");
    } catch (const io::error::line_length_limit_exceeded&) {
      row_error("line_too_long");
      break;
    }
  }
  return events;
}

/// A random text that is often a CSV file with a header of known columns (so that rows get
/// read) and often not, with every character the rules treat specially.
std::string random_text(std::mt19937_64& rng) {
  const auto pick = [&rng](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  static const std::string SPECIAL = std::string("ab,\"# \t\r\nx") + '\0';
  static const std::vector<std::string> NAMES = {"a", "b", "c", "a", "\"b\"", " c ", "d", "\"a", "\"\"", ""};
  static const std::vector<std::string> PIECES = {"1",   "x y", "\"q,r\"", "\"s\"\"t\"", " u ",          "",       "\"",
                                                  "v\"", "#",   "\t",      "\r",         "\xEF\xBB\xBF", "w\"z\"w"};
  std::string text;
  if (pick(8) == 0) text += "\xEF\xBB\xBF";
  if (pick(4) == 0) text += pick(2) ? "# comment\n" : "\n";
  std::size_t header_cells = 1 + pick(3);
  if (pick(4) != 0) {
    if (pick(3) != 0) {
      // Distinct known names in some order: a header that reads, so that records do.
      std::vector<std::string> names = {"a", "b", "c"};
      std::shuffle(names.begin(), names.end(), rng);
      for (std::size_t i = 0; i < header_cells; ++i) text += (i ? "," : "") + names[i];
    } else {
      header_cells = 1 + pick(4);
      for (std::size_t i = 0; i < header_cells; ++i) text += (i ? "," : "") + NAMES[pick(NAMES.size())];
    }
    text += pick(6) ? "\n" : "\r\n";
  }
  const std::size_t lines = pick(6);
  for (std::size_t l = 0; l < lines; ++l) {
    if (pick(3) == 0) {
      const std::size_t n = pick(12);
      for (std::size_t i = 0; i < n; ++i) text += SPECIAL[pick(SPECIAL.size())];
    } else {
      const std::size_t cells = pick(3) ? header_cells : 1 + pick(4);
      for (std::size_t i = 0; i < cells; ++i) text += (i ? "," : "") + PIECES[pick(PIECES.size())];
    }
    if (l + 1 < lines || pick(2)) text += pick(5) ? "\n" : "\r\n";
  }
  return text;
}

TEST(CsvRecords, ReadsRandomTextsExactlyAsFastCppCsvParserDid) {
  // Each oracle reader allocates 48 MB, which AddressSanitizer makes cost about 10 ms: fewer
  // texts there, the same generator.
#if defined(__SANITIZE_ADDRESS__)
  constexpr int TEXTS = 1500;
#else
  constexpr int TEXTS = 60000;
#endif
  std::mt19937_64 rng(20261207);
  int with_rows = 0, with_errors = 0;
  for (int i = 0; i < TEXTS; ++i) {
    const std::string text = random_text(rng);
    const Events ours = read_with_records(text);
    const Events oracle = read_with_oracle(text);
    ASSERT_EQ(ours, oracle) << "text #" << i << ": '" << text << "' (" << text.size() << " bytes)";
    for (const auto& e : ours) {
      with_rows += e.rfind("row ", 0) == 0 && e.find(": ") != std::string::npos;
      with_errors += e.find(" line ") != std::string::npos;
    }
  }
  // The generator reaches both sides: records read and errors met, many of each.
  EXPECT_GT(with_rows, TEXTS / 4);
  EXPECT_GT(with_errors, TEXTS / 4);
}

Events read(const std::string& text) { return read_with_records(text); }

TEST(CsvRecords, FollowsTheRulesItsHeaderStates) {
  // Byte order mark, a comment, a blank line, CRLF, columns in any order, one absent.
  EXPECT_EQ(read("\xEF\xBB\xBF# note\n\nc,a\r\n1,2\r\n"), (Events{"header a-c at 3", "row 4: 2||1"}));
  // Blanks trimmed outside quotes, kept inside; commas and doubled quotes inside quotes.
  EXPECT_EQ(read("a,b,c\n x ,\" y \",\"p,\"\"q\"\"\"\n"), (Events{"header abc at 1", "row 2: x| y |p,\"q\""}));
  // A quote inside an unquoted cell still opens a stretch: the comma in it does not split.
  EXPECT_EQ(read("a,b\nx\"1,2\"y,3\n"), (Events{"header ab- at 1", "row 2: x\"1,2\"y|3|"}));
  // A line of blanks is skipped; '#' counts only as the first character.
  EXPECT_EQ(read("a\n \t \n #x\n"), (Events{"header a-- at 1", "row 3: #x||"}));
  // A NUL byte ends the line's content; a last line without '\n' is read.
  EXPECT_EQ(read(std::string("a,b\n1,2") + '\0' + ",3"), (Events{"header ab- at 1", "row 2: 1|2|"}));
  // Errors: the record is skipped, reading goes on.
  EXPECT_EQ(read("a,b\n1\n1,2,3\n\"1,2\n4,5\n"),
            (Events{"header ab- at 1", "row too_few_cells line 2", "row too_many_cells line 3",
                    "row unclosed_quote line 4", "row 5: 4|5|"}));
  EXPECT_EQ(read("a,d\n"), (Events{"header unknown_column line 1 column 'd' at 1"}));
  EXPECT_EQ(read("a,\"a\"\n"), (Events{"header duplicated_column line 1 column 'a' at 1"}));
  EXPECT_EQ(read("#\n\n"), (Events{"header no_header line 2 column '' at 2"}));
  EXPECT_EQ(read(""), (Events{"header no_header line 0 column '' at 0"}));
}

TEST(CsvRecords, RefusesLinesOfTwoToTheTwentyFourCharactersAsTheOracleDid) {
  const std::string longest(CsvRecords::LINE_LIMIT - 1, 'x');
  const std::string ok = "a\n" + longest + "\n1\n";
  EXPECT_EQ(read(ok), (Events{"header a-- at 1", "row 2: " + longest + "||", "row 3: 1||"}));
  EXPECT_EQ(read(ok), read_with_oracle(ok));
  const std::string too_long = "a\n" + longest + "x\n1\n";
  EXPECT_EQ(read(too_long), (Events{"header a-- at 1", "row line_too_long line 2"}));
  EXPECT_EQ(read(too_long), read_with_oracle(too_long));
  // An unknown header name is cut to 63 bytes in the error, as the oracle's buffer cut it.
  const std::string long_name = std::string(100, 'n') + "\n";
  EXPECT_EQ(read(long_name), read_with_oracle(long_name));
}

}  // namespace
