// The case reader (read_case) and the compile-time checks of BalancePlan::compile on bad
// input: every defect of the case format gets a test that asserts the whole what() string
// (fmt's EXPECT_THROW_MSG idea), so a message that loses its "file:line:", its column, what
// was expected or what was found fails here. Each test copies cases/biomass into a fresh
// temporary directory and makes one small edit, so it has exactly one defect.

#include "symbiomc/case/case_csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/cli_run.hpp"
#include "support/errors.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::input_error_of;
using test::join_lines;
using test::lines_of;
using test::read_text;
using test::write_text;

// A copy of cases/biomass in a fresh directory, unique per test and process, removed at the
// end. The edit helpers return the 1-based line they touched so expected messages never
// hard-code line numbers of the bundled case.
class ScratchCase {
 public:
  explicit ScratchCase(const std::string& source = test::BIOMASS_CASE) {
    fs::copy(source, scratch_.path(), fs::copy_options::recursive);
  }

  [[nodiscard]] std::string dir() const { return scratch_.path().string(); }
  [[nodiscard]] std::string path(std::string_view file) const { return (scratch_.path() / std::string(file)).string(); }
  /// "<dir>/<file>:<line>: ", the prefix every located message starts with.
  [[nodiscard]] std::string at(std::string_view file, std::size_t line) const {
    return path(file) + ":" + std::to_string(line) + ": ";
  }

  /// The line number of the first line that starts with `prefix` (0 when none does).
  [[nodiscard]] std::size_t line_of(std::string_view file, std::string_view prefix) const {
    const auto lines = lines_of(read_text(path(file)));
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (lines[i].rfind(prefix, 0) == 0) return i + 1;
    ADD_FAILURE() << "no line of " << file << " starts with '" << prefix << "'";
    return 0;
  }
  /// Replaces the one line that starts with `prefix`; returns its line number.
  std::size_t replace_line(std::string_view file, std::string_view prefix, const std::string& replacement) {
    auto lines = lines_of(read_text(path(file)));
    std::size_t found = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind(prefix, 0) != 0) continue;
      EXPECT_EQ(found, 0U) << "more than one line of " << file << " starts with '" << prefix << "'";
      found = i + 1;
      lines[i] = replacement;
    }
    EXPECT_NE(found, 0U) << "no line of " << file << " starts with '" << prefix << "'";
    write_text(path(file), join_lines(lines));
    return found;
  }
  /// Replaces the first occurrence of `from` in the line starting with `prefix`.
  std::size_t edit_line(std::string_view file, std::string_view prefix, const std::string& from,
                        const std::string& to) {
    const auto lines = lines_of(read_text(path(file)));
    for (const auto& line : lines) {
      if (line.rfind(prefix, 0) != 0) continue;
      const auto pos = line.find(from);
      EXPECT_NE(pos, std::string::npos) << "'" << from << "' not in line '" << line << "'";
      if (pos == std::string::npos) return 0;
      return replace_line(file, prefix, line.substr(0, pos) + to + line.substr(pos + from.size()));
    }
    ADD_FAILURE() << "no line of " << file << " starts with '" << prefix << "'";
    return 0;
  }
  /// Appends one row; returns its line number.
  std::size_t append_row(std::string_view file, const std::string& row) {
    auto lines = lines_of(read_text(path(file)));
    lines.push_back(row);
    write_text(path(file), join_lines(lines));
    return lines.size();
  }
  /// Inserts a line before line `line` (1-based).
  void insert_line(std::string_view file, std::size_t line, const std::string& text) {
    auto lines = lines_of(read_text(path(file)));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(line - 1), text);
    write_text(path(file), join_lines(lines));
  }
  void write(std::string_view file, const std::string& text) { write_text(path(file), text); }
  void remove(std::string_view file) { fs::remove(path(file)); }

 private:
  test::ScratchDir scratch_;
};

// Reading alone.
std::string read_error(const std::string& dir) {
  return input_error_of([&] { (void)read_case(dir); });
}

// Reading and compiling: what `symbiomc balance` does before it evaluates anything.
std::string load_error(const std::string& dir, const PlanOptions& options = {}) {
  return input_error_of([&] { (void)BalancePlan::compile(read_case(dir), options); });
}

// The messages of an InputErrors, or of a single InputError as a list of one.
std::vector<std::string> messages_of(const std::string& dir) {
  try {
    (void)BalancePlan::compile(read_case(dir));
  } catch (const InputErrors& e) {
    return e.messages();
  } catch (const InputError& e) {
    return {e.what()};
  }
  return {};
}

// ---- Good input.

TEST(CaseCsv, BundledBiomassCaseReadsAndCompiles) {
  const Network network = read_case(test::BIOMASS_CASE);
  EXPECT_EQ(network.name, "biomass");
  EXPECT_EQ(network.modes.size(), 5U);
  EXPECT_NO_THROW((void)BalancePlan::compile(network));
}

TEST(CaseCsv, QuotedCellsKeepTheirCommas) {
  const Network network = read_case(test::BIOMASS_CASE);
  // case.csv line 2 quotes a title that contains commas.
  EXPECT_EQ(network.title,
            "Biomass industrial symbiosis: CHP, anaerobic digestion, bioethanol, bio-oil refinery and cement plant");
  const Flow* flow = network.find_flow("biochar_to_chp");
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(flow->quantity.text,
            "max(0, (pyro_heat_demand_MJ_h - pyrogas_to_chp * 1000 * lhv_pyrogas_MJ_kg) / (1000 * lhv_char_MJ_kg))");
}

TEST(CaseCsv, QuotedExpressionWithCommasIsAccepted) {
  ScratchCase c;
  c.replace_line("outputs.csv", "waste_reused_t_per_h,",
                 "waste_reused_t_per_h,t/h,\"max(lignin_to_chp, 0) + min(biochar_to_chp, 1e9) + pyrogas_to_chp\",With "
                 "commas,");
  const Network network = read_case(c.dir());
  const auto it = std::find_if(network.outputs.begin(), network.outputs.end(),
                               [](const Output& o) { return o.name == "waste_reused_t_per_h"; });
  ASSERT_NE(it, network.outputs.end());
  EXPECT_EQ(it->expression.text, "max(lignin_to_chp, 0) + min(biochar_to_chp, 1e9) + pyrogas_to_chp");
}

// outputs.csv's optional headline column: which outputs the terminal summaries show.
std::vector<std::string> headline_names(const Network& network) {
  std::vector<std::string> names;
  for (const auto& o : network.outputs)
    if (o.headline) names.push_back(o.name);
  return names;
}

TEST(CaseCsv, HeadlineOutputsAreTheRowsMarkedYes) {
  EXPECT_EQ(headline_names(read_case(test::BIOMASS_CASE)),
            (std::vector<std::string>{"extra_power_MW", "efficiency_change_pct_points", "savings_10k_yuan_per_yr"}));
  EXPECT_EQ(
      headline_names(read_case(test::MINING_CASE)),
      (std::vector<std::string>{"waste_reduction_pct", "extra_power_MW", "savings_and_revenue_million_yuan_per_yr"}));
}

TEST(CaseCsv, NoHeadlineMarkedMakesEveryOutputHeadline) {
  ScratchCase c;
  std::string text;
  for (const auto& line : lines_of(read_text(c.path("outputs.csv")))) {
    std::string row = line;
    if (row.ends_with(",yes")) row.resize(row.size() - 3);
    text += row + "\n";
  }
  c.write("outputs.csv", text);  // the column is there, every cell "no" or blank
  const Network network = read_case(c.dir());
  EXPECT_EQ(headline_names(network).size(), network.outputs.size());
  // Without the column at all, as every case written before it.
  c.write("outputs.csv",
          "name,unit,expression,description\ntotal_power_MW,MW,power_chp_to_grid,\n"
          "total_heat_MJ_per_h,MJ/h,heat_chp_to_users,\n");
  EXPECT_EQ(headline_names(read_case(c.dir())), (std::vector<std::string>{"total_power_MW", "total_heat_MJ_per_h"}));
}

TEST(CaseCsv, HeadlineNoAndBlankAreNotHeadline) {
  ScratchCase c;
  c.edit_line("outputs.csv", "savings_10k_yuan_per_yr,", ",yes", ",no");
  c.edit_line("outputs.csv", "extra_power_MW,", ",yes", ",");
  EXPECT_EQ(headline_names(read_case(c.dir())), (std::vector<std::string>{"efficiency_change_pct_points"}));
}

TEST(CaseCsv, HeadlineOtherThanYesOrNoNamesFileLineAndColumn) {
  for (const std::string bad : {"1", "0", "true", "Yes", "maybe"}) {
    ScratchCase c;
    const auto line = c.edit_line("outputs.csv", "savings_10k_yuan_per_yr,", ",yes", "," + bad);
    EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", line) +
                                       "column 'headline': expected yes, no or a blank cell (= no), got '" + bad + "'");
  }
}

TEST(CaseCsv, CommentLinesAreSkippedAndLineNumbersStayThoseOfTheFile) {
  const Network network = read_case(test::BIOMASS_CASE);
  // flows.csv: line 2 is "# --- CHP fuels ---"; the first flow is on line 3.
  ASSERT_FALSE(network.flows.empty());
  EXPECT_EQ(network.flows.front().id, "straw_to_chp");
  EXPECT_EQ(network.flows.front().where.line, 3U);
  for (const auto& flow : network.flows) EXPECT_NE(flow.id.front(), '#');

  ScratchCase c;
  c.insert_line("processes.csv", 2, "# a comment line, with a comma");
  c.insert_line("processes.csv", 3, "");
  const auto line = c.edit_line("processes.csv", "ad,plant,", "ad,plant,", "ad,plannt,");
  EXPECT_EQ(line, 5U);
  EXPECT_EQ(read_error(c.dir()),
            c.at("processes.csv", 5) + "column 'kind': expected plant, converter or external, got 'plannt'");
}

TEST(CaseCsv, CommentBeforeTheHeaderIsAccepted) {
  ScratchCase c;
  c.insert_line("processes.csv", 1, "# processes of the park");
  EXPECT_EQ(read_error(c.dir()), "<no InputError>");
}

TEST(CaseCsv, CrlfLineEndingsAreAccepted) {
  ScratchCase c;
  std::string crlf;
  for (const auto& line : lines_of(read_text(c.path("outputs.csv")))) crlf += line + "\r\n";
  c.write("outputs.csv", crlf);
  EXPECT_EQ(load_error(c.dir()), "<no InputError>");
}

TEST(CaseCsv, Utf8ByteOrderMarkIsAccepted) {
  // Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
  ScratchCase c;
  c.write("case.csv", "\xEF\xBB\xBF" + read_text(c.path("case.csv")));
  EXPECT_EQ(load_error(c.dir()), "<no InputError>");
}

// ---- Malformed rows.

TEST(CaseCsv, TooFewCellsInARowNamesTheLine) {
  ScratchCase c;
  const auto line = c.append_row("processes.csv", "boiler,converter");
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", line) + "fewer cells than the header has columns");
}

TEST(CaseCsv, TooManyCellsInARowNamesTheLine) {
  ScratchCase c;
  const auto line = c.append_row("processes.csv", "boiler,converter,Boiler,A boiler,surplus");
  EXPECT_EQ(
      read_error(c.dir()),
      c.at("processes.csv", line) + "more cells than the header has columns (a ',' inside a cell needs double quotes)");
}

TEST(CaseCsv, NonNumericValueNamesColumnAndText) {
  ScratchCase c;
  const auto line = c.edit_line("parameters.csv", "chp_straw_t_h,", "5.18", "5.18 t");
  EXPECT_EQ(read_error(c.dir()), c.at("parameters.csv", line) + "column 'value': expected a number, got '5.18 t'");
}

TEST(CaseCsv, BlankRequiredCellNamesColumn) {
  ScratchCase c;
  const auto line = c.edit_line("parameters.csv", "cement_t_h,", "67.68", "");
  EXPECT_EQ(read_error(c.dir()), c.at("parameters.csv", line) + "column 'value': expected a value, found a blank cell");
}

TEST(CaseCsv, MissingRequiredHeaderColumnListsTheRequiredOnes) {
  ScratchCase c;
  c.replace_line("processes.csv", "id,kind,", "id,name,description");
  EXPECT_EQ(read_error(c.dir()),
            c.at("processes.csv", 1) + "the header lacks the required column 'kind' (required columns: id, kind)");
}

TEST(CaseCsv, UnknownHeaderColumnSuggestsTheRightName) {
  ScratchCase c;
  c.replace_line("processes.csv", "id,kind,", "id,kind,nmae,description");
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", 1) +
                                     "column 'nmae' in the header is not a known column (did you mean 'name'?); "
                                     "known columns: 'id', 'kind', 'name', 'description'");
}

TEST(CaseCsv, DuplicateHeaderColumnIsReported) {
  ScratchCase c;
  c.replace_line("processes.csv", "id,kind,", "id,kind,name,name");
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", 1) + "column 'name' appears twice in the header");
}

TEST(CaseCsv, HeaderErrorAfterACommentNamesTheHeaderLine) {
  ScratchCase c;
  c.insert_line("processes.csv", 1, "# processes of the park");
  c.replace_line("processes.csv", "id,kind,", "id,kind,nmae,description");
  // Line 2: the header's own line, not the first line of the file.
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", 2) +
                                     "column 'nmae' in the header is not a known column (did you mean 'name'?); "
                                     "known columns: 'id', 'kind', 'name', 'description'");
}

TEST(CaseCsv, UnclosedQuoteNamesTheLine) {
  ScratchCase c;
  const auto line = c.append_row("processes.csv", "boiler,converter,\"Boiler,A boiler");
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", line) + "a double-quoted cell is not closed");
}

TEST(CaseCsv, QuotedCellMayHoldLineBreaksAsSpreadsheetsWriteThem) {
  ScratchCase c;
  // A description over three lines, one of them a CRLF and one quoted text with a comma.
  (void)c.replace_line(
      "processes.csv", "ad,",
      "ad,plant,Anaerobic digestion,\"Mesophilic digestion\r\nof manure, food waste\n\"\"and more\"\"\"");
  const Network network = read_case(c.dir());
  const auto ad =
      std::find_if(network.processes.begin(), network.processes.end(), [](const Process& p) { return p.id == "ad"; });
  ASSERT_NE(ad, network.processes.end());
  EXPECT_EQ(ad->description, "Mesophilic digestion\nof manure, food waste\n\"and more\"");
  EXPECT_EQ(ad->where.line, 3U);
}

TEST(CaseCsv, LinesAfterAMultiLineCellKeepTheirNumbersInTheFile) {
  ScratchCase c;
  (void)c.replace_line("processes.csv", "ad,", "ad,plant,Anaerobic digestion,\"two\nlines\"");
  // The file's line of the duplicate (one more than its record count) and of the first 'ad'.
  const auto line = c.append_row("processes.csv", "ad,plant,Second digester,");
  EXPECT_EQ(read_error(c.dir()),
            c.at("processes.csv", line) + "column 'id': duplicate process 'ad' (first defined at line 3)");
}

TEST(CaseCsv, UnclosedQuoteInAMultiLineRecordNamesTheLineWhereTheRecordStarts) {
  ScratchCase c;
  c.write("outputs.csv", "# outputs\n\"name,unit,expression,description\ntotal,MW,1,\n");
  EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", 2) + "a double-quoted cell is not closed");
  ScratchCase d;
  const auto line = d.append_row("processes.csv", "boiler,converter,Boiler,\"A boiler\n# not a comment here\n");
  EXPECT_EQ(read_error(d.dir()), d.at("processes.csv", line) + "a double-quoted cell is not closed");
}

TEST(CaseCsv, EmptyFileSaysAHeaderWasExpected) {
  ScratchCase c;
  c.write("outputs.csv", "");
  EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", 1) +
                                     "empty file; expected a header naming the columns, at least 'name', 'unit', "
                                     "'expression'");
}

TEST(CaseCsv, CommentsOnlyFileSaysTheHeaderIsMissingNotThatTheFileIsEmpty) {
  ScratchCase c;
  c.write("outputs.csv", "# outputs of the park\n\n# to be written\n");
  EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", 3) +
                                     "no header line (only comments or blank lines); expected a header naming the "
                                     "columns, at least 'name', 'unit', 'expression'");
}

TEST(CaseCsv, HeaderOnlyFileSaysARowWasExpected) {
  ScratchCase c;
  c.write("outputs.csv", "name,unit,expression,description\n");
  EXPECT_EQ(read_error(c.dir()), c.path("outputs.csv") + ": no data rows: expected at least one");
}

TEST(CaseCsv, MissingFileNamesThePath) {
  ScratchCase c;
  c.remove("outputs.csv");
  EXPECT_EQ(read_error(c.dir()), c.path("outputs.csv") + ": cannot open file");
}

TEST(CaseCsv, MissingDirectoryNamesThePath) {
  const std::string dir = test::SOURCE_DIR + "/cases/no_such_case";
  EXPECT_EQ(read_error(dir), dir + ": not a case directory (expected a folder with case.csv, parameters.csv, ...)");
}

// ---- Duplicates.

TEST(CaseCsv, DuplicateProcessId) {
  ScratchCase c;
  const auto line = c.append_row("processes.csv", "chp,converter,Second CHP,");
  EXPECT_EQ(read_error(c.dir()), c.at("processes.csv", line) +
                                     "column 'id': duplicate process 'chp' (first defined at line " +
                                     std::to_string(c.line_of("processes.csv", "chp,")) + ")");
}

TEST(CaseCsv, DuplicateParameterNamesTheFirstDefinition) {
  ScratchCase c;
  const auto first = c.line_of("parameters.csv", "cement_t_h,");
  const auto line = c.append_row("parameters.csv", "cement_t_h,70,t/h,nonnegative,invented,");
  EXPECT_EQ(read_error(c.dir()), c.at("parameters.csv", line) +
                                     "column 'name': duplicate parameter 'cement_t_h' (first defined at line " +
                                     std::to_string(first) + ")");
}

TEST(CaseCsv, DuplicateFlowId) {
  ScratchCase c;
  const auto line = c.append_row("flows.csv", "cement_to_market,cement,product_market,cement,t/h,cement_t_h,,");
  EXPECT_EQ(read_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'id': duplicate flow 'cement_to_market' (first defined at line " +
                                     std::to_string(c.line_of("flows.csv", "cement_to_market,")) + ")");
}

TEST(CaseCsv, DuplicateModeId) {
  ScratchCase c;
  const auto line = c.append_row("modes.csv", "m1,Again,no,,chp,straw_to_chp,");
  EXPECT_EQ(read_error(c.dir()), c.at("modes.csv", line) + "column 'id': duplicate mode 'm1' (first defined at line " +
                                     std::to_string(c.line_of("modes.csv", "m1,")) + ")");
}

TEST(CaseCsv, NameSharedBetweenParameterAndVariable) {
  ScratchCase c;
  const auto first = c.line_of("parameters.csv", "cement_t_h,");
  const auto line = c.append_row("variables.csv", "cement_t_h,t/h,,2 * 33.84,,");
  const std::string first_at = c.path("parameters.csv") + ":" + std::to_string(first);
  // "defined at file:line (...": the first definition is part of the sentence, not a "file:line: " prefix.
  EXPECT_EQ(read_error(c.dir()), c.at("variables.csv", line) +
                                     "variable 'cement_t_h' reuses a name already defined at " + first_at +
                                     " (parameters, flows, variables and outputs share one namespace)");
}

// ---- Unknown references, with the nearest names suggested.

TEST(CaseCsv, UnknownProcessInFlowSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "straw_to_chp,", "straw_market,chp", "straw_market,chpp");
  EXPECT_EQ(read_error(c.dir()), c.at("flows.csv", line) + "column 'to': unknown process 'chpp' (did you mean 'chp'?)");
}

TEST(CaseCsv, UnknownCommoditySuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "straw_to_chp,", ",straw,", ",straws,");
  EXPECT_EQ(read_error(c.dir()),
            c.at("flows.csv", line) + "column 'commodity': unknown commodity 'straws' (did you mean 'straw'?)");
}

TEST(CaseCsv, UnknownParameterInExpressionSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "straw_to_chp,", ",chp_straw_t_h,", ",chp_straw_th,");
  EXPECT_EQ(read_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'quantity': unknown name 'chp_straw_th' in 'chp_straw_th' (did you mean "
                                     "'chp_straw_t_h', 'pyro_straw_t_h'?)");
}

TEST(CaseCsv, UnknownBaselineNameSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("outputs.csv", "extra_power_MW,", "base.total_power_MW", "base.total_power_WM");
  EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", line) +
                                     "column 'expression': unknown name 'base.total_power_WM' in 'total_power_MW - "
                                     "base.total_power_WM' (did you mean 'total_power_MW'?)");
}

TEST(CaseCsv, UnknownParameterInOptionsSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("options.csv", "char_power,gasified,", "char_power_switch", "char_power_swich");
  EXPECT_EQ(read_error(c.dir()), c.at("options.csv", line) +
                                     "column 'parameter': unknown parameter 'char_power_swich' (did you mean "
                                     "'char_power_switch'?)");
}

TEST(CaseCsv, UnknownCurveSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("variables.csv", "eta_e_gas,", "pwl(chp_eta_e_gas,", "pwl(chp_eta_e_gs,");
  EXPECT_EQ(read_error(c.dir()), c.at("variables.csv", line) +
                                     "column 'expression': unknown curve 'chp_eta_e_gs' in 'pwl(chp_eta_e_gs, "
                                     "chp_load_index)' (did you mean 'chp_eta_e_gas', 'chp_eta_h_gas', "
                                     "'chp_eta_e_solid'?)");
}

TEST(CaseCsv, UnknownProcessInModeSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("modes.csv", "m3,", ",pyrolysis,", ",pyrolisis,");
  EXPECT_EQ(read_error(c.dir()), c.at("modes.csv", line) +
                                     "column 'processes': mode 'm3' names unknown process 'pyrolisis' (did you mean "
                                     "'pyrolysis'?)");
}

TEST(CaseCsv, ModeNamingAnUnknownFlowSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("modes.csv", "m4,", " steam_to_whb ", " steam_to_wbh ");
  EXPECT_EQ(read_error(c.dir()), c.at("modes.csv", line) +
                                     "column 'flows': mode 'm4' names unknown flow 'steam_to_wbh' (did you mean "
                                     "'steam_to_whb'?)");
}

TEST(CaseCsv, UnknownExtendedModeSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("modes.csv", "m4,", ",no,m3,", ",no,m33,");
  EXPECT_EQ(read_error(c.dir()), c.at("modes.csv", line) + "column 'extends': unknown mode 'm33' (did you mean 'm3'?)");
}

// ---- removes: a mode switches off processes and flows of the mode it extends.

// Adds the optional `removes` column (empty) to every row of a case's modes.csv.
void add_removes_column(ScratchCase& c) {
  auto lines = lines_of(read_text(c.path("modes.csv")));
  for (std::size_t i = 0; i < lines.size(); ++i) lines[i] += i == 0 ? ",removes" : ",";
  write_text(c.path("modes.csv"), join_lines(lines));
}

// A new mode m5 needs the definitions the biomass case gives per mode: m3's.
void define_mode_variables_for_m5(ScratchCase& c) {
  c.edit_line("variables.csv", "chp_load_index,1,m3,", ",m3,", ",m3 m5,");
  c.edit_line("variables.csv", "symbiosis_efficiency_pct,%,m1 m2 m3 m4,", " m4,", " m4 m5,");
}

// The cement plant's additions of m4, removed again: mode m5 must balance exactly as m3 does.
constexpr const char* CEMENT_ADDITIONS =
    "cement whb coal_market quarry coal_to_cement limestone_to_cement cement_to_market steam_to_whb "
    "whb_power_to_grid whb_heat_to_users";

TEST(CaseCsv, RemovesUndoesWhatAnExtendedModeAdded) {
  ScratchCase c;
  add_removes_column(c);
  c.append_row("modes.csv", std::string("m5,Mode 4 without its cement plant,no,m4,,,,") + CEMENT_ADDITIONS);
  define_mode_variables_for_m5(c);
  const Network network = read_case(c.dir());
  const Mode& m5 = *network.find_mode("m5");
  const Mode& m3 = *network.find_mode("m3");
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(network.active_processes(m5)), sorted(network.active_processes(m3)));
  EXPECT_EQ(sorted(network.active_flows(m5)), sorted(network.active_flows(m3)));
  const BalancePlan plan = BalancePlan::compile(network);
  BalanceWorkspace workspace(plan, 1);
  evaluate(plan, workspace, 1);
  const PlanMode& a = plan.modes()[plan.mode_index("m3")];
  const PlanMode& b = plan.modes()[plan.mode_index("m5")];
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t o = 0; o < a.outputs.size(); ++o)
    EXPECT_EQ(workspace.value(a.outputs[o].slot, 0), workspace.value(b.outputs[o].slot, 0)) << a.outputs[o].name;
  // Removing only part of it leaves m5 different from m3 (the test above is not vacuous).
  EXPECT_NE(network.active_processes(m5).size(), network.active_processes(*network.find_mode("m4")).size());
}

TEST(CaseCsv, RemovesRefusesWhatItCannotMean) {
  struct Case {
    std::string row, expected;
  };
  const std::vector<Case> cases = {
      {"m5,M5,no,,chp,,,cement",
       "column 'removes': mode 'm5' removes processes or flows but extends no mode (name one in column "
       "'extends')"},
      {"m5,M5,no,m4,,,,cemnet",
       "column 'removes': mode 'm5' removes unknown process or flow 'cemnet' (did you mean "
       "'cement'?)"},
      {"m5,M5,no,m2,,,,cement",
       "column 'removes': mode 'm5' removes process 'cement', which mode 'm2' does not "
       "switch on"},
      {"m5,M5,no,m4,,whb_power_to_grid,,whb_power_to_grid",
       "column 'removes': mode 'm5' both removes and switches on 'whb_power_to_grid'"},
  };
  for (const Case& k : cases) {
    ScratchCase c;
    add_removes_column(c);
    const auto line = c.append_row("modes.csv", k.row);
    EXPECT_EQ(read_error(c.dir()), c.at("modes.csv", line) + k.expected) << k.row;
  }
  // A removed plant whose flows stay on: the balance compiler names the flow to remove too.
  ScratchCase c;
  add_removes_column(c);
  define_mode_variables_for_m5(c);
  const auto line = c.append_row("modes.csv", "m5,M5,no,m4,,,,whb steam_to_whb whb_power_to_grid");
  EXPECT_EQ(load_error(c.dir()), c.at("modes.csv", line) +
                                     "mode 'm5' removes process 'whb' but still switches on its flow "
                                     "'whb_heat_to_users' (whb -> heat_users): add the flow to the mode's removes");
}

// ---- Units and physical domains.

TEST(CaseCsv, FlowUnitMismatchNamesBothUnits) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "straw_to_chp,", ",t/h,", ",kg/h,");
  EXPECT_EQ(read_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'unit': unit mismatch: flow 'straw_to_chp' is in 'kg/h' but commodity "
                                     "'straw' is measured in 't/h'");
}

TEST(CaseCsv, CurveUnitMismatchNamesTheDeclaredUnits) {
  ScratchCase c;
  const auto line = c.replace_line("curves.csv", "chp_eta_e_gas,1,", "chp_eta_e_gas,1,eta_e_gas_full,%,1,");
  EXPECT_EQ(read_error(c.dir()), c.at("curves.csv", line) +
                                     "column 'x_unit': unit mismatch: curve 'chp_eta_e_gas' was declared in '1' -> "
                                     "'1' on an earlier row");
}

TEST(CaseCsv, EfficiencyAboveOneIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("parameters.csv", "eta_e_solid_full,", "0.28", "1.28");
  EXPECT_EQ(read_error(c.dir()), c.at("parameters.csv", line) +
                                     "column 'value': parameter 'eta_e_solid_full' (kind efficiency): expected in (0, "
                                     "1], got '1.28'");
}

TEST(CaseCsv, EfficiencyOfZeroIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("parameters.csv", "eta_std_cement,", "0.1195", "0");
  EXPECT_EQ(read_error(c.dir()), c.at("parameters.csv", line) +
                                     "column 'value': parameter 'eta_std_cement' (kind efficiency): expected in (0, "
                                     "1], got '0'");
}

TEST(CaseCsv, OptionValueOutsideTheParameterDomainIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("options.csv", "whb_split,table1,no,whb_power_frac,", "0.75", "1.75");
  EXPECT_EQ(read_error(c.dir()), c.at("options.csv", line) +
                                     "column 'value': parameter 'whb_power_frac' (kind fraction): expected in [0, 1], "
                                     "got '1.75'");
}

TEST(CaseCsv, UnknownParameterKindListsTheKinds) {
  ScratchCase c;
  const auto line = c.edit_line("parameters.csv", "eta_std_cement,", "efficiency", "efficency");
  EXPECT_EQ(read_error(c.dir()),
            c.at("parameters.csv", line) +
                "column 'kind': expected one of any, nonnegative, positive, fraction, efficiency, got 'efficency'");
}

TEST(CaseCsv, NegativeNominalFlowNamesFlowModeAndRow) {
  ScratchCase c;
  // biogas_a_to_market is switched on only in independent operation and feeds nothing else.
  const auto line = c.edit_line("flows.csv", "biogas_a_to_market,", ",ad_biogas_m3_h,", ",ad_biogas_m3_h - 300,");
  EXPECT_EQ(read_error(c.dir()), "<no InputError>");  // well formed: only the balance shows it
  EXPECT_EQ(load_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'quantity': negative nominal flow 'biogas_a_to_market' in mode "
                                     "'independent': expected >= 0, got -25");
}

TEST(CaseCsv, NonFiniteNominalFlowNamesFlowAndRow) {
  ScratchCase c;
  const auto line =
      c.edit_line("flows.csv", "cement_to_market,", ",cement_t_h,", ",cement_t_h / (cement_t_h - 67.68),");
  // The file, line and column of the flow, its name and the mode, not just "the balance fails".
  EXPECT_EQ(load_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'quantity': flow 'cement_to_market' is inf in mode 'independent' at "
                                     "nominal values (a division by zero or the log of a non-positive number?)");
}

TEST(CaseCsv, SingularNominalRecycleLoopNamesItsFlows) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "coal_to_cement,", ",cement_t_h * cem_coal_t_t,", ",limestone_to_cement,");
  (void)c.edit_line("flows.csv", "limestone_to_cement,", ",cement_t_h * cem_limestone_t_t,", ",coal_to_cement,");
  // The loop's first row and all of its flows, once, for the mode where it fails: the synergy
  // modes that fail only through the baseline (base.x) are not listed as singular too.
  EXPECT_EQ(load_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'quantity': mode 'independent': the recycle loop of coal_to_cement, "
                                     "limestone_to_cement has no unique solution at nominal values (its linear "
                                     "system is singular)");
}

// ---- Curves.

TEST(CaseCsv, CurveWithOnePointIsRefused) {
  ScratchCase c;
  const auto line = c.append_row("curves.csv", "lonely,0,1,1,1,invented");
  EXPECT_EQ(read_error(c.dir()), c.at("curves.csv", line) + "curve 'lonely' has 1 point: expected at least two");
}

TEST(CaseCsv, CurveWithUnsortedPointsIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("curves.csv", "chp_load_from_input,155085.22876,", "155085.22876", "100000");
  EXPECT_EQ(read_error(c.dir()), "<no InputError>");  // x may name parameters: checked at nominal values
  EXPECT_EQ(load_error(c.dir()), c.at("curves.csv", line) +
                                     "curve 'chp_load_from_input': x values must be strictly increasing, got 100000 "
                                     "after 134565.22876");
}

TEST(CaseCsv, CurvePointNamingAnUnknownParameterSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("curves.csv", "chp_eta_e_gas,1,", "eta_e_gas_full", "eta_e_gas_ful");
  EXPECT_EQ(read_error(c.dir()), c.at("curves.csv", line) +
                                     "column 'y': curve 'chp_eta_e_gas': expected a number or a parameter name, got "
                                     "'eta_e_gas_ful' (did you mean 'eta_e_gas_full', 'eta_h_gas_full', "
                                     "'eta_e_gas_part'?)");
}

TEST(CaseCsv, OptionChoiceSettingOneParameterTwiceIsRefused) {
  ScratchCase c;
  const auto first = c.line_of("options.csv", "whb_split,table1,no,whb_power_frac,");
  const auto line = c.append_row("options.csv", "whb_split,table1,no,whb_power_frac,0.5,");
  EXPECT_EQ(read_error(c.dir()), c.at("options.csv", line) +
                                     "column 'parameter': option 'whb_split', choice 'table1' sets 'whb_power_frac' "
                                     "twice (first on line " +
                                     std::to_string(first) + ")");
}

TEST(CaseCsv, DefaultOptionDisagreeingWithParametersEchoesTheNumbersAsWritten) {
  ScratchCase c;
  const auto row = c.line_of("options.csv", "whb_split,table5,yes,whb_power_frac,");
  (void)c.edit_line("parameters.csv", "whb_power_frac,", "0.25", "0.3");
  // The default's own row, and 0.3 as written (not 0.29999999999999999 from the parsed double).
  EXPECT_EQ(read_error(c.dir()), c.at("options.csv", row) +
                                     "column 'value': option 'whb_split': default choice 'table5' sets "
                                     "'whb_power_frac' = 0.25 but parameters.csv has 0.3 (the defaults must be the "
                                     "nominal case)");
}

// ---- Expressions.

TEST(CaseCsv, ExpressionThatDoesNotParseNamesTheCharacter) {
  ScratchCase c;
  const auto line = c.edit_line("outputs.csv", "total_power_MW,", "power_chp_to_grid + whb_power_to_grid",
                                "power_chp_to_grid + * whb_power_to_grid");
  EXPECT_EQ(read_error(c.dir()), c.at("outputs.csv", line) +
                                     "column 'expression': expression 'power_chp_to_grid + * whb_power_to_grid', "
                                     "character 21: expected a number, a name or '(', found '*'");
}

TEST(CaseCsv, UnclosedParenthesisInExpression) {
  ScratchCase c;
  const auto line = c.edit_line("variables.csv", "ad_feed_t_h,", "ad_feed_manure_t_h + ad_feed_food_t_h",
                                "(ad_feed_manure_t_h + ad_feed_food_t_h");
  EXPECT_EQ(read_error(c.dir()), c.at("variables.csv", line) +
                                     "column 'expression': expression '(ad_feed_manure_t_h + ad_feed_food_t_h', "
                                     "character 39: expected ')'");
}

TEST(CaseCsv, UnknownFunctionSuggestsNearest) {
  ScratchCase c;
  const auto line = c.edit_line("variables.csv", "eta_e_gas,", "pwl(", "pwm(");
  EXPECT_EQ(read_error(c.dir()), c.at("variables.csv", line) +
                                     "column 'expression': expression 'pwm(chp_eta_e_gas, chp_load_index)', character "
                                     "1: unknown function 'pwm' (did you mean 'pwl'?)");
}

TEST(CaseCsv, ExpressionReferringToItselfIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("variables.csv", "ad_feed_t_h,", "ad_feed_manure_t_h + ad_feed_food_t_h",
                                "ad_feed_manure_t_h + ad_feed_food_t_h + 0 * ad_feed_t_h");
  EXPECT_EQ(read_error(c.dir()), c.at("variables.csv", line) +
                                     "column 'expression': expression 'ad_feed_manure_t_h + ad_feed_food_t_h + 0 * "
                                     "ad_feed_t_h' refers to itself ('ad_feed_t_h'); a recycle loop needs at least two "
                                     "flows or variables");
}

TEST(CaseCsv, FlowReferringToItselfIsRefused) {
  ScratchCase c;
  const auto line = c.edit_line("flows.csv", "cement_to_market,", ",cement_t_h,", ",0.5 * cement_to_market + 1,");
  EXPECT_EQ(read_error(c.dir()), c.at("flows.csv", line) +
                                     "column 'quantity': expression '0.5 * cement_to_market + 1' refers to itself "
                                     "('cement_to_market'); a recycle loop needs at least two flows or variables");
}

// Runs the real binary on a scratch case, for the defects that could crash it: a stack
// overflow in-process would take the whole test program down.
test::CliRun balance_in_a_process(const ScratchCase& c) {
  return test::run_binary({"balance", "--case", c.dir()}, c.dir());
}

TEST(CaseCsv, DeeplyNestedExpressionIsAnErrorNotACrash) {
  // A pathological cell (a generated file gone wrong) must not overflow the parser's stack.
  ScratchCase c;
  const std::size_t depth = 100000;
  const std::string nested = std::string(depth, '(') + "1" + std::string(depth, ')');
  const auto line = c.edit_line("outputs.csv", "total_power_MW,", "power_chp_to_grid + whb_power_to_grid", nested);
  const test::CliRun r = balance_in_a_process(c);
  EXPECT_EQ(r.code, 2) << depth << " nested parentheses must be an input error (exit code 2, -1 = killed by a "
                       << "signal such as a stack overflow); stderr: " << r.err.substr(0, 200);
  const std::string prefix = "error: " + c.at("outputs.csv", line) + "column 'expression': ";
  EXPECT_EQ(r.err.rfind(prefix, 0), 0U) << "the error must name the cell; stderr: " << r.err.substr(0, 200);
}

TEST(CaseCsv, TooDeepExpressionEchoesOnlyTheTextAroundTheError) {
  // A generated cell of 600 KB used to be echoed whole in the message.
  ScratchCase c;
  std::string sum = "power_chp_to_grid";
  for (int i = 1; i < 30000; ++i) sum += " + power_chp_to_grid";
  const auto line = c.edit_line("outputs.csv", "total_power_MW,", "power_chp_to_grid + whb_power_to_grid", sum);
  const std::string error = read_error(c.dir());
  // The 400th '+' (each term but the first is " + power_chp_to_grid", 20 characters).
  const std::size_t column = 17 + 399 * 20 + 2;
  const std::string prefix = c.at("outputs.csv", line) + "column 'expression': expression '...";
  EXPECT_EQ(error.rfind(prefix, 0), 0U) << error.substr(0, 300);
  EXPECT_NE(error.find("...', character " + std::to_string(column) + ": expression nested more than 400 levels deep"),
            std::string::npos)
      << error.substr(0, 300);
  EXPECT_LT(error.size(), 600U) << error.substr(0, 300);
}

TEST(CaseCsv, VeryLongSumIsAnErrorOrBalancesNotACrash) {
  // 50000 terms parse iteratively but make a left-deep tree that the plan compiler walks recursively.
  ScratchCase c;
  std::string sum = "power_chp_to_grid";
  for (int i = 1; i < 50000; ++i) sum += " + power_chp_to_grid";
  (void)c.edit_line("outputs.csv", "total_power_MW,", "power_chp_to_grid + whb_power_to_grid", sum);
  const test::CliRun r = balance_in_a_process(c);
  EXPECT_TRUE(r.code == 0 || r.code == 2) << "a sum of 50000 terms must balance (0) or be an input error (2), got exit "
                                          << "code " << r.code << " (-1 = killed by a signal such as a stack "
                                          << "overflow); stderr: " << r.err.substr(0, 200);
}

// ---- Several defects at once.

TEST(CaseCsv, SeveralDefectsInOneFileAreReportedTogether) {
  ScratchCase c;
  const auto l1 = c.edit_line("parameters.csv", "chp_straw_t_h,", "5.18", "five");
  const auto l2 = c.edit_line("parameters.csv", "eta_e_gas_full,", "0.3725", "3.725");
  const auto l3 = c.edit_line("parameters.csv", "hours_per_year,", ",positive,", ",positve,");
  const std::vector<std::string> expected = {
      c.at("parameters.csv", l1) + "column 'value': expected a number, got 'five'",
      c.at("parameters.csv", l2) +
          "column 'value': parameter 'eta_e_gas_full' (kind efficiency): expected in (0, 1], got '3.725'",
      c.at("parameters.csv", l3) +
          "column 'kind': expected one of any, nonnegative, positive, fraction, efficiency, got 'positve'",
  };
  EXPECT_EQ(messages_of(c.dir()), expected);
  EXPECT_EQ(read_error(c.dir()), expected[0] + "\n" + expected[1] + "\n" + expected[2]);
}

TEST(CaseCsv, DefectsInSeveralFilesOfOneStageAreReportedTogether) {
  ScratchCase c;
  const auto l1 = c.edit_line("flows.csv", "straw_to_chp,", ",t/h,", ",kg/h,");
  const auto l2 = c.append_row("curves.csv", "lonely,0,1,1,1,invented");
  const std::vector<std::string> expected = {
      c.at("flows.csv", l1) +
          "column 'unit': unit mismatch: flow 'straw_to_chp' is in 'kg/h' but commodity 'straw' is measured in 't/h'",
      c.at("curves.csv", l2) + "curve 'lonely' has 1 point: expected at least two",
  };
  EXPECT_EQ(messages_of(c.dir()), expected);
}

TEST(CaseCsv, AtMostTwentyDefectsAreListedAndTheRestCounted) {
  ScratchCase c;
  std::vector<std::size_t> lines;
  for (int i = 0; i < 25; ++i)
    lines.push_back(c.append_row("parameters.csv", "extra_" + std::to_string(i) + ",x,1,any,invented,"));
  const auto messages = messages_of(c.dir());
  ASSERT_EQ(messages.size(), 21U);
  for (std::size_t i = 0; i < 20; ++i)
    EXPECT_EQ(messages[i], c.at("parameters.csv", lines[i]) + "column 'value': expected a number, got 'x'");
  EXPECT_EQ(messages[20], "(5 more errors not shown)");
}

// ---- A committed fixture: the smallest case with one defect (also run by test_cli through the
// real binary).

TEST(CaseCsv, MinimalFixtureWithUnitMismatch) {
  const std::string dir = test::UNIT_MISMATCH_CASE;
  EXPECT_EQ(read_error(dir), dir +
                                 "/flows.csv:2: column 'unit': unit mismatch: flow 'straw_in' is in 'kg/h' but "
                                 "commodity 'straw' is measured in 't/h'");
}

TEST(CaseCsv, MinimalFixtureIsGoodOnceTheDefectIsFixed) {
  ScratchCase c(test::UNIT_MISMATCH_CASE);
  c.edit_line("flows.csv", "straw_in,", "kg/h", "t/h");
  EXPECT_EQ(load_error(c.dir()), "<no InputError>");
}

}  // namespace
}  // namespace symbiomc
