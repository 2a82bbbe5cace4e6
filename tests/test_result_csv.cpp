// The report's reader of symbiomc's CSV result files (symbiomc/report/result_csv.hpp): comment
// lines, header, RFC 4180 quoted cells as the writers make them (symbiomc/base/csv_format.hpp),
// and errors that name the file and line; then a quoted unit read through the report.

#include "symbiomc/report/result_csv.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"
#include "symbiomc/base/csv_format.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/report/html_report.hpp"

namespace symbiomc {
namespace {

using Cells = std::vector<std::string>;

template <typename F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

TEST(ResultCsv, SkipsCommentsAndBlankLinesAndReadsHeaderAndRows) {
  const ResultCsv csv =
      ResultCsv::from_text("h.csv", "# symbiomc\n# case x\nmode,output,count\r\n\nm1,y,3\r\nm2,y,4\n");
  EXPECT_EQ(csv.header(), (Cells{"mode", "output", "count"}));
  ASSERT_EQ(csv.rows().size(), 2u);
  EXPECT_EQ(csv.rows()[0].line, 5u);
  EXPECT_EQ(csv.rows()[0].cells, (Cells{"m1", "y", "3"}));
  EXPECT_EQ(csv.rows()[1].line, 6u);
  EXPECT_EQ(csv.number(csv.rows()[1], csv.column("count")), 4.0);
}

TEST(ResultCsv, QuotedCellsHoldCommasAndDoubledQuotes) {
  const ResultCsv csv = ResultCsv::from_text(
      "q.csv", "output,unit,note,last\ny,\"MW, net\",\"say \"\"hi\"\"\",\nz,\"\",\"a,\"\"b\"\",c\",\"\"\"\"\n");
  ASSERT_EQ(csv.rows().size(), 2u);
  EXPECT_EQ(csv.rows()[0].cells, (Cells{"y", "MW, net", "say \"hi\"", ""}));
  EXPECT_EQ(csv.rows()[1].cells, (Cells{"z", "", "a,\"b\",c", "\""}));
  EXPECT_EQ(csv.text(csv.rows()[0], csv.column("unit")), "MW, net");
}

TEST(ResultCsv, ReadsBackWhatTheWritersCellFunctionsMake) {
  const Cells texts{"plain", "MW, net", "\"quoted\"", "a \"b\", c", "", ",", "\"", "trailing space "};
  std::string line;
  for (const auto& t : texts) line += (line.empty() ? "" : ",") + csv_text(t);
  const ResultCsv csv =
      ResultCsv::from_text("w.csv", "# comment\n" + line + "\n" + line + "," + csv_number(0.1) + "\n");
  EXPECT_EQ(csv.header(), texts);
  ASSERT_EQ(csv.rows().size(), 1u);
  Cells expected = texts;
  expected.push_back("0.1");
  EXPECT_EQ(csv.rows()[0].cells, expected);
  EXPECT_EQ(csv.number(csv.rows()[0], texts.size()), 0.1);
}

TEST(ResultCsv, AStrayQuoteInsideAnUnquotedCellIsKept) {
  // Older writers never quoted, so a unit such as 12" could stand as it is.
  const ResultCsv csv = ResultCsv::from_text("s.csv", "unit,n\n12\",1\n");
  EXPECT_EQ(csv.rows()[0].cells, (Cells{"12\"", "1"}));
}

TEST(ResultCsv, QuotedCellMayHoldLineBreaksAndRowsKeepTheLineTheyStartOn) {
  // RFC 4180 as spreadsheets write it (this was refused); a CRLF inside the cell reads as "\n".
  const ResultCsv csv = ResultCsv::from_text("m.csv", "# c\noutput,unit\ny,\"MW\r\nnet\"\r\nz,\"a\n\n# b\"\nw,kW\n");
  ASSERT_EQ(csv.rows().size(), 3U);
  EXPECT_EQ(csv.rows()[0].cells, (Cells{"y", "MW\nnet"}));
  EXPECT_EQ(csv.rows()[0].line, 3U);
  EXPECT_EQ(csv.rows()[1].cells, (Cells{"z", "a\n\n# b"}));
  EXPECT_EQ(csv.rows()[1].line, 5U);
  EXPECT_EQ(csv.rows()[2].cells, (Cells{"w", "kW"}));
  EXPECT_EQ(csv.rows()[2].line, 8U);
}

TEST(ResultCsv, UnclosedQuoteNamesWhereItOpensAndWhereTheRecordStarts) {
  EXPECT_NE(input_error_of([] {
              (void)ResultCsv::from_text("h.csv", "# c\n\"output,unit\ny,MW\n");
            }).find("h.csv:2:1: the quoted cell is not closed"),
            std::string::npos);
  EXPECT_NE(input_error_of([] {
              (void)ResultCsv::from_text("r.csv", "a,b\n\"x\ny\",\"z\n");
            }).find("r.csv:3:4: the quoted cell is not closed (its record starts on line 2)"),
            std::string::npos);
}

TEST(ResultCsv, TextAfterAClosingQuoteIsRefused) {
  const std::string what = input_error_of([] { (void)ResultCsv::from_text("t.csv", "a,b\n\"x\"y,1\n"); });
  EXPECT_NE(what.find("t.csv:2:4: expected a comma after the closing quote"), std::string::npos) << what;
}

TEST(ResultCsv, ErrorsNameFileLineAndColumn) {
  const ResultCsv csv = ResultCsv::from_text("e.csv", "mode,count\nm1,abc\nm2\n");
  EXPECT_NE(input_error_of([&] {
              (void)csv.number(csv.rows()[0], 1);
            }).find("e.csv:2:2: column 'count': expected a number, got 'abc'"),
            std::string::npos);
  EXPECT_NE(input_error_of([&] { (void)csv.text(csv.rows()[1], 1); }).find("e.csv:3: expected 2 columns, found 1"),
            std::string::npos);
  EXPECT_NE(input_error_of([&] { (void)csv.column("unit"); }).find("e.csv: expected a column 'unit' in the header"),
            std::string::npos);
  EXPECT_NE(
      input_error_of([] { (void)ResultCsv::from_text("n.csv", "# only a comment\n\n"); }).find("n.csv: no header row"),
      std::string::npos);
}

TEST(ResultCsv, ReadsAFileAndNamesAnUnreadableOne) {
  test::ScratchDir dir("symbiomc-test-result-csv");
  std::ofstream(dir.sub("h.csv"), std::ios::binary) << "# c\nmode,unit\nm1,\"t, dry\"\n";
  const ResultCsv csv(dir.sub("h.csv"));
  EXPECT_EQ(csv.path(), dir.sub("h.csv"));
  EXPECT_EQ(csv.rows().at(0).cells, (Cells{"m1", "t, dry"}));
  EXPECT_NE(input_error_of([&] { (void)ResultCsv(dir.sub("none.csv")); }).find("none.csv: cannot open for reading"),
            std::string::npos);
}

TEST(ResultCsv, QuotedUnitOfMorrisCsvReachesTheReport) {
  // morris.json has no units; the report takes them from morris.csv, which quotes a unit
  // holding a comma.
  test::ScratchDir dir("symbiomc-test-result-csv");
  std::ofstream(dir.sub("morris.json"), std::ios::binary)
      << R"({"effects": [{"mode": "m1", "output": "net_power", "parameter": "a", "mu": 1, "mu_star": 1, "sigma": 0}]})";
  std::ofstream(dir.sub("morris.csv"), std::ios::binary)
      << "# symbiomc sensitivity (Morris)\nmode,output,unit,parameter,mu,mu_star,sigma\n"
         "m1,net_power,\"MW, net\",a,1,1,0\n";
  ReportSources sources;
  sources.morris_dir = dir.path().string();
  const nlohmann::json data = nlohmann::json::parse(report_data_json(sources, {}));
  ASSERT_EQ(data["outputs"].size(), 1u) << data["outputs"].dump();
  EXPECT_EQ(data["outputs"][0]["unit"], "MW, net");
  EXPECT_EQ(data["morris"]["results"][0]["unit"], "MW, net");
}

}  // namespace
}  // namespace symbiomc
