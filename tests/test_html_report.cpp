// The HTML report (`symbiomc report`): the data it reads and the errors it gives without a
// browser, then the biomass page opened in headless Chromium (support/headless_chromium.hpp):
// every chart drawn with the expected number of marks (counted against the result files, not
// against the page's own data), no console error, no network request, a screenshot. The browser
// tests skip with a message when no Chromium is installed (scripts/setup-debian.sh installs
// it), and fail instead when CI=true, so a CI run cannot pass without them;
// SYMBIOMC_UPDATE_SCREENSHOT=1 rewrites docs/biomass-report.png from the README's run.

#include "symbiomc/report/html_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/errors.hpp"
#include "support/files.hpp"
#include "support/headless_chromium.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::BIOMASS_CASE;
using test::BIOMASS_DISTRIBUTIONS;
using test::input_error_of;
using test::read_json;
using test::read_text;
using test::run_symbiomc;
using test::ScratchDir;
using test::succeeded;
using test::write_text;

constexpr std::size_t TOP_FACTORS = 12;       // HtmlReportOptions defaults, repeated on purpose:
constexpr std::size_t CONVERGENCE_LINES = 5;  // a change of the page's contract must show here

bool update_screenshot() {
  const char* v = std::getenv("SYMBIOMC_UPDATE_SCREENSHOT");
  return v && std::string(v) == "1";
}

/// The biomass results every test reads: balance, uncertainty (with a threshold and a
/// decision), Sobol' (with groups) and Morris, made once per test program. Smaller than the README's run to
/// stay quick; the README's sizes when the screenshot is being updated.
class BiomassResults : public ::testing::Test {
 protected:
  // A failure inside SetUpTestSuite makes GoogleTest report every test of the suite as
  // SKIPPED, which ctest counts as not run rather than failed; so the runs' failures are kept
  // here and every test fails on them in SetUp.
  static void SetUpTestSuite() {
    setup_failures_.clear();
    root_ = new ScratchDir();
    const fs::path r = root_->path();
    const bool full = update_screenshot();
    record(run_symbiomc({"balance", "--case", BIOMASS_CASE, "--out", (r / "balance").string()}));
    record(run_symbiomc({"uncertainty", "--case", BIOMASS_CASE, "--distributions", BIOMASS_DISTRIBUTIONS, "--runs",
                         full ? "100000" : "20000", "--out", (r / "uncertainty").string(), "--threshold",
                         "savings_10k_yuan_per_yr=800", "--decision", "savings_10k_yuan_per_yr", "--quiet"}));
    record(run_symbiomc({"sensitivity", "--case", BIOMASS_CASE, "--distributions", BIOMASS_DISTRIBUTIONS,
                         "--ignore-correlation", "--base-runs", full ? "2048" : "512", "--groups", "--out",
                         (r / "sensitivity").string(), "--quiet"}));
    record(run_symbiomc({"sensitivity", "--case", BIOMASS_CASE, "--distributions", BIOMASS_DISTRIBUTIONS, "--method",
                         "morris", "--trajectories", full ? "50" : "20", "--out", (r / "morris").string(), "--quiet"}));
  }
  void SetUp() override { ASSERT_TRUE(setup_failures_.empty()) << setup_failures_; }
  static void record(const test::CliRun& run) {
    if (const auto ok = succeeded(run); !ok) setup_failures_ += std::string(ok.message()) + "\n";
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }
  static fs::path dir(const char* name) { return root_->path() / name; }
  static ReportSources all_sources() {
    return {dir("balance").string(), dir("uncertainty").string(), dir("sensitivity").string(),
            dir("morris").string(),  dir("uncertainty").string(), ""};
  }

  static ScratchDir* root_;
  static std::string setup_failures_;
};
ScratchDir* BiomassResults::root_ = nullptr;
std::string BiomassResults::setup_failures_;

// ---------------------------------------------------------------------------------------
// Without a browser

TEST(HtmlReportEscaping, ScriptEndInDataCannotCloseTheScriptElement) {
  const json value = {{"title", "</script><script>alert(1)</script> & <!-- \xE2\x80\xA8 -->"}};
  const std::string escaped = escape_json_for_html_script(value.dump());
  EXPECT_EQ(escaped.find('<'), std::string::npos);
  EXPECT_EQ(escaped.find('>'), std::string::npos);
  EXPECT_EQ(escaped.find('&'), std::string::npos);
  EXPECT_EQ(escaped.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(json::parse(escaped), value);  // the same value once parsed
}

TEST_F(BiomassResults, SourcesAreFoundInTheSubdirectoriesOfOneDirectory) {
  const ReportSources s = find_report_sources({root_->path().string()});
  EXPECT_EQ(s.balance_dir, dir("balance").string());
  EXPECT_EQ(s.uncertainty_dir, dir("uncertainty").string());
  EXPECT_EQ(s.sobol_dir, dir("sensitivity").string());
  EXPECT_EQ(s.morris_dir, dir("morris").string());
  EXPECT_EQ(s.decision_dir, dir("uncertainty").string());  // decision.json beside summary.json
  EXPECT_EQ(s.shapley_dir, "");
}

TEST(HtmlReportInputs, DirectoryWithoutResultsNamesTheExpectedFiles) {
  const ScratchDir empty;
  fs::create_directories(empty.path() / "sub");
  const std::string what = input_error_of([&] { (void)find_report_sources({empty.path().string()}); });
  EXPECT_NE(what.find("--in " + empty.path().string()), std::string::npos) << what;
  EXPECT_NE(what.find("no symbiomc results"), std::string::npos) << what;
  EXPECT_NE(what.find("balance.json"), std::string::npos) << what;
  EXPECT_NE(what.find("summary.json"), std::string::npos) << what;
  EXPECT_NE(what.find("sobol.json"), std::string::npos) << what;
}

TEST(HtmlReportInputs, MissingDirectoryIsAnInputError) {
  const std::string what = input_error_of([] { (void)find_report_sources({"/nonexistent/symbiomc/results"}); });
  EXPECT_NE(what.find("/nonexistent/symbiomc/results: no such directory"), std::string::npos) << what;
}

TEST_F(BiomassResults, TwoResultsOfOneKindAreRejected) {
  const ScratchDir other;
  fs::copy(dir("balance"), other.path() / "balance", fs::copy_options::recursive);
  const std::string what = input_error_of([&] {
    (void)find_report_sources({dir("balance").string(), (other.path() / "balance").string()});
  });
  EXPECT_NE(what.find("two balance results"), std::string::npos) << what;
}

TEST_F(BiomassResults, MalformedJsonNamesFileLineAndWhatWasExpected) {
  const ScratchDir bad;
  fs::copy(dir("uncertainty"), bad.path(), fs::copy_options::recursive);
  write_text(bad.path() / "summary.json", "{\n  \"runs\": 100,\n  \"modes\": [1, 2,,]\n}\n");
  ReportSources s;
  s.uncertainty_dir = bad.path().string();
  const std::string what = input_error_of([&] { (void)report_data_json(s, {}); });
  EXPECT_NE(what.find((bad.path() / "summary.json").string() + ":3:"), std::string::npos) << what;
  EXPECT_NE(what.find("malformed JSON"), std::string::npos) << what;
  EXPECT_NE(what.find("expected the summary.json written by `symbiomc uncertainty --out DIR`"), std::string::npos)
      << what;
}

TEST_F(BiomassResults, WrongTypeNamesTheJsonPath) {
  const ScratchDir bad;
  fs::copy(dir("uncertainty"), bad.path(), fs::copy_options::recursive);
  json summary = read_json(bad.path() / "summary.json");
  summary["modes"][1]["outputs"][2]["mean"] = "high";
  write_text(bad.path() / "summary.json", summary.dump());
  ReportSources s;
  s.uncertainty_dir = bad.path().string();
  const std::string what = input_error_of([&] { (void)report_data_json(s, {}); });
  EXPECT_NE(what.find("summary.json: modes[1].outputs[2].mean: expected a number, found a string"), std::string::npos)
      << what;
}

TEST_F(BiomassResults, DataHoldsEverySectionAndKeepsEveryHistogramCount) {
  const json data = json::parse(report_data_json(all_sources(), {}));
  const json balance = read_json(dir("balance") / "balance.json");
  const json summary = read_json(dir("uncertainty") / "summary.json");
  ASSERT_EQ(data["flows"]["modes"].size(), balance["modes"].size() + 1);  // + independent operation
  EXPECT_EQ(data["uncertainty"]["stats"].size(), summary["modes"].size() * summary["modes"][0]["outputs"].size());
  EXPECT_EQ(data["focus"]["output"], "savings_10k_yuan_per_yr");  // the output given a --threshold
  EXPECT_EQ(data["focus"]["mode"], "m4");                         // the highest mean savings
  // Rebinning onto common edges moves counts between bins but never loses one.
  for (const auto& h : data["uncertainty"]["histograms"])
    for (const auto& m : h["modes"]) {
      double sum = 0;
      for (const auto& c : m["counts"]) sum += c.get<double>();
      for (const auto& s : data["uncertainty"]["stats"]) {
        if (s["mode"] == m["mode"] && s["output"] == h["output"]) {
          EXPECT_EQ(sum, s["runs_ok"].get<double>()) << h["output"];
        }
      }
    }
  EXPECT_FALSE(data["sobol"]["results"].empty());
  EXPECT_FALSE(data["morris"]["results"].empty());
  EXPECT_EQ(data["decision"]["decisions"].size(), 1u);
  EXPECT_TRUE(data["notes"].empty()) << data["notes"].dump();
}

TEST_F(BiomassResults, MissingInputsLeaveTheirSectionsOut) {
  ReportSources s;
  s.balance_dir = dir("balance").string();
  const json data = json::parse(report_data_json(s, {}));
  EXPECT_TRUE(data.contains("flows"));
  EXPECT_FALSE(data.contains("uncertainty"));
  EXPECT_FALSE(data.contains("sobol"));
  EXPECT_FALSE(data.contains("morris"));
  EXPECT_FALSE(data.contains("decision"));
}

TEST_F(BiomassResults, ChangedInputFileIsFlaggedAsInconsistent) {
  const ScratchDir other;
  fs::copy(dir("morris"), other.path(), fs::copy_options::recursive);
  json morris = read_json(other.path() / "morris.json");
  for (auto& f : morris["files"])
    if (f["role"] == "distributions") f["fnv1a64"] = "0000000000000000";
  write_text(other.path() / "morris.json", morris.dump());
  ReportSources s = all_sources();
  s.morris_dir = other.path().string();
  const json data = json::parse(report_data_json(s, {}));
  ASSERT_EQ(data["notes"].size(), 1u) << data["notes"].dump();
  EXPECT_NE(data["notes"][0].get<std::string>().find("distributions/biomass.csv differs between the runs"),
            std::string::npos);
}

TEST_F(BiomassResults, PageIsSelfContainedAndKeepsTheLicences) {
  const ScratchDir out;
  const auto result = write_html_report(all_sources(), (out.path() / "report.html").string(), {});
  const std::string page = read_text(out.path() / "report.html");
  // Inlined libraries with their licence texts.
  EXPECT_NE(page.find("d3 7.9.0 (https://d3js.org)"), std::string::npos);
  EXPECT_NE(page.find("Copyright 2010-2023 Mike Bostock"), std::string::npos);  // d3, ISC
  EXPECT_NE(page.find("Copyright 2015, Mike Bostock"), std::string::npos);      // d3-sankey, BSD-3-Clause
  EXPECT_NE(page.find("d3-sankey 0.12.3"), std::string::npos);
  // Nothing to fetch: no external script, style sheet, image, font or import.
  EXPECT_FALSE(std::regex_search(
      page, std::regex(R"(<(script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(page, std::regex(R"(<link\b)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(page, std::regex(R"(@import|url\s*\()", std::regex::icase)));
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  // One CSV per chart kind beside the page, each with its header.
  const std::set<std::string> expected = {
      "sankey_flows.csv",    "distributions_summary.csv", "distributions_histogram.csv",
      "probabilities.csv",   "comparisons.csv",           "failures.csv",
      "sobol_indices.csv",   "sobol_groups.csv",          "sobol_convergence.csv",
      "morris_scatter.csv",  "decision_modes.csv",        "decision_evppi.csv",
      "decision_tornado.csv"};
  std::set<std::string> written;
  for (const auto& f : result.chart_files) written.insert(fs::path(f).filename().string());
  EXPECT_EQ(written, expected);
  const std::string flows = read_text(out.path() / "report_data" / "sankey_flows.csv");
  EXPECT_NE(flows.find("\nmode,flow,from,to,commodity,mass_t_per_h,energy_MJ_per_h,quantity,unit\n"),
            std::string::npos);
  EXPECT_EQ(result.sections, (std::vector<std::string>{"flows", "uncertainty", "decision", "sobol", "morris"}));
}

TEST_F(BiomassResults, TitleWithScriptEndStaysText) {
  const std::string page = render_html_report(R"({"title":"</script><b>x</b>"})", "</script><b>x</b>");
  EXPECT_NE(page.find("<title>&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find(R"({"title":"\u003c/script\u003e\u003cb\u003ex\u003c/b\u003e"})"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// The command line

TEST(ReportCli, DirectoryWithoutResultsExitsWithCodeTwo) {
  const ScratchDir empty;
  const test::CliRun r =
      run_symbiomc({"report", "--in", empty.path().string(), "--out", (empty.path() / "r.html").string()});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("error: --in " + empty.path().string() + ": no symbiomc results"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(empty.path() / "r.html"));
}

TEST_F(BiomassResults, ReportCommandAndReportOptionWriteThePage) {
  const ScratchDir out;
  EXPECT_TRUE(succeeded(run_symbiomc({"report", "--in", dir("balance").string(), "--in", dir("sensitivity").string(),
                                      "--out", (out.path() / "a.html").string(), "--quiet"})));
  EXPECT_TRUE(fs::exists(out.path() / "a.html"));
  EXPECT_TRUE(fs::exists(out.path() / "a_data" / "sobol_indices.csv"));
  EXPECT_TRUE(succeeded(
      run_symbiomc({"uncertainty", "--case", BIOMASS_CASE, "--distributions", BIOMASS_DISTRIBUTIONS, "--runs", "2000",
                    "--out", (out.path() / "u").string(), "--report", (out.path() / "u.html").string(), "--quiet"})));
  EXPECT_TRUE(fs::exists(out.path() / "u.html"));
}

// ---------------------------------------------------------------------------------------
// In a real browser

/// What the page drew: per chart its kind, what it shows, its size and the marks a reader
/// sees (the classes report/report.js gives them).
const char* const INSPECT = R"JS((() => {
  const figures = [...document.querySelectorAll('figure.chart')].map((f) => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const n = (selector) => f.querySelectorAll(selector).length;
    return {kind: f.dataset.chart, mode: f.dataset.mode || '', view: f.dataset.view || '',
            output: f.dataset.output || '',
            width: box.width, height: box.height, elements: svg ? svg.querySelectorAll('*').length : 0,
            caption: (f.querySelector('figcaption') || {textContent: ''}).textContent,
            links: n('path.link'), nodes: n('rect.node'), ridges: n('g.ridge'), bars: n('rect.bar'),
            quantiles: n('line.q'),
            boxes: n('g.box'), probs: n('rect.prob'), cells: n('rect.cell'), st: n('rect.bar-st'), s1: n('rect.bar-s1'),
            lines: n('path.conv-line'), points: n('circle.pt')};
  });
  const value = (id) => (document.getElementById(id) || {value: ''}).value;
  return {state: document.documentElement.dataset.renderState || '',
          sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
          summary: (document.getElementById('summary') || {innerText: ''}).innerText,
          sobolMode: value('sobol-mode'), morrisMode: value('morris-mode'),
          height: document.documentElement.scrollHeight, figures};
})())JS";

std::string file_url(const fs::path& p) { return "file://" + fs::absolute(p).string(); }

/// Figures of one kind whose data attributes match.
std::vector<json> figures(const json& page, const std::string& kind,
                          const std::map<std::string, std::string>& match = {}) {
  std::vector<json> out;
  for (const auto& f : page["figures"]) {
    if (f["kind"] != kind) continue;
    bool ok = true;
    for (const auto& [k, v] : match) ok = ok && f[k] == v;
    if (ok) out.push_back(f);
  }
  return out;
}

class BiomassReportInBrowser : public BiomassResults {
 protected:
  void SetUp() override {
    BiomassResults::SetUp();
    if (HasFatalFailure()) return;
    test::require_chromium(chromium_);
  }
  std::string chromium_;
};

TEST_F(BiomassReportInBrowser, EveryChartRendersWithTheExpectedMarksAndNoConsoleError) {
  const fs::path out_dir = fs::temp_directory_path() / "symbiomc-report-test";
  fs::create_directories(out_dir);
  const fs::path html = out_dir / "biomass-report.html";
  (void)write_html_report(all_sources(), html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  const json page = browser.evaluate(INSPECT);
  EXPECT_EQ(page["state"], "done");
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
  EXPECT_EQ(page["sections"], json({"decision", "summary", "flows", "distributions", "probabilities", "comparisons",
                                    "sobol", "morris", "failures", "provenance"}));
  const std::string summary = page["summary"];
  EXPECT_NE(summary.find("Mode 4: + cement plant gives the highest savings"), std::string::npos) << summary;
  EXPECT_NE(summary.find("P(savings > 800) = "), std::string::npos) << summary;

  // Every chart is drawn, visible and captioned.
  for (const auto& f : page["figures"]) {
    EXPECT_GT(f["width"].get<double>(), 100) << f.dump();
    EXPECT_GT(f["height"].get<double>(), 50) << f.dump();
    EXPECT_GT(f["elements"].get<int>(), 5) << f.dump();
    EXPECT_GT(f["caption"].get<std::string>().size(), 40u) << f.dump();
  }
  std::size_t expected_figures = 0;

  // Sankey: one band per flow carrying mass (left) or energy (right), per mode.
  const json balance = read_json(dir("balance") / "balance.json");
  std::vector<json> modes{balance["independent_operation"]};
  for (const auto& m : balance["modes"]) modes.push_back(m);
  for (const auto& m : modes)
    for (const auto& [view, key] :
         {std::pair<std::string, std::string>{"mass", "mass_t_per_h"}, {"energy", "energy_MJ_per_h"}}) {
      int flows = 0;
      for (const auto& f : m["flows"])
        if (f.contains(key) && f[key].is_number() && f[key].get<double>() > 0) ++flows;
      if (!flows) continue;
      ++expected_figures;
      const auto found = figures(page, "sankey", {{"mode", m["id"]}, {"view", view}});
      ASSERT_EQ(found.size(), 1u) << m["id"] << " " << view;
      EXPECT_EQ(found[0]["links"], flows) << m["id"] << " " << view;
      EXPECT_GE(found[0]["nodes"].get<int>(), 2);
    }

  // Distributions: a ridge per mode with P5, P50 and P95 marked; a box per mode.
  const json summary_json = read_json(dir("uncertainty") / "summary.json");
  std::map<std::string, int> modes_with_runs;
  for (const auto& m : summary_json["modes"])
    for (const auto& o : m["outputs"])
      if (o["runs_ok"].get<double>() > 0) ++modes_with_runs[o["name"]];
  for (const auto& [output, n] : modes_with_runs) {
    expected_figures += 2;
    const auto hist = figures(page, "histogram", {{"output", output}});
    ASSERT_EQ(hist.size(), 1u) << output;
    EXPECT_EQ(hist[0]["ridges"], n) << output;
    EXPECT_EQ(hist[0]["quantiles"], 3 * n) << output;
    EXPECT_GE(hist[0]["bars"].get<int>(), n) << output;
    const auto box = figures(page, "box", {{"output", output}});
    ASSERT_EQ(box.size(), 1u) << output;
    EXPECT_EQ(box[0]["boxes"], n) << output;
  }
  // The threshold given on the command line, one bar per mode.
  const auto thresholds = figures(page, "threshold", {{"output", "savings_10k_yuan_per_yr"}});
  ASSERT_EQ(thresholds.size(), 1u);
  EXPECT_EQ(thresholds[0]["probs"], summary_json["modes"].size());
  expected_figures += 1;
  // Pairwise comparisons: one cell per pair in comparisons.
  std::map<std::string, int> pairs;
  for (const auto& c : summary_json["comparisons"]) ++pairs[c["output"]];
  for (const auto& [output, n] : pairs) {
    ++expected_figures;
    const auto found = figures(page, "comparison", {{"output", output}});
    ASSERT_EQ(found.size(), 1u) << output;
    EXPECT_EQ(found[0]["cells"], n) << output;
  }

  // Sobol': the shown mode's leading parameters, its groups, its convergence.
  const json sobol = read_json(dir("sensitivity") / "sobol.json");
  const std::string sobol_mode = page["sobolMode"];
  EXPECT_EQ(sobol_mode, "m4");
  for (const auto& o : sobol["outputs"]) {
    if (o["mode"] != sobol_mode || o["zero_variance"].get<bool>()) continue;
    const std::string output = o["output"];
    int nonzero = 0, groups = 0;
    for (const auto& x : sobol["indices"]) {
      if (x["mode"] != sobol_mode || x["output"] != output) continue;
      if (x["kind"] == "group")
        ++groups;
      else if (x["ST"].get<double>() != 0 || x["S1"].get<double>() != 0)
        ++nonzero;
    }
    if (!nonzero) continue;
    expected_figures += 3;
    const auto bars = figures(page, "sobol", {{"mode", sobol_mode}, {"output", output}});
    ASSERT_EQ(bars.size(), 1u) << output;
    EXPECT_EQ(bars[0]["st"], std::min<int>(nonzero, TOP_FACTORS)) << output;
    EXPECT_EQ(bars[0]["s1"], bars[0]["st"]) << output;
    const auto group_bars = figures(page, "sobol-groups", {{"mode", sobol_mode}, {"output", output}});
    ASSERT_EQ(group_bars.size(), 1u) << output;
    EXPECT_EQ(group_bars[0]["st"], groups) << output;
    const auto convergence = figures(page, "convergence", {{"mode", sobol_mode}, {"output", output}});
    ASSERT_EQ(convergence.size(), 1u) << output;
    EXPECT_EQ(convergence[0]["lines"], std::min<int>(nonzero, CONVERGENCE_LINES)) << output;
  }

  // Morris: one dot per parameter for every output that varies.
  const json morris = read_json(dir("morris") / "morris.json");
  const std::string morris_mode = page["morrisMode"];
  std::map<std::string, int> dots;
  std::map<std::string, double> largest;
  for (const auto& e : morris["effects"]) {
    if (e["mode"] != morris_mode) continue;
    ++dots[e["output"]];
    largest[e["output"]] = std::max({largest[e["output"]], e["mu_star"].get<double>(), e["sigma"].get<double>()});
  }
  for (const auto& [output, n] : dots) {
    if (!(largest[output] > 0)) continue;
    ++expected_figures;
    const auto found = figures(page, "morris", {{"mode", morris_mode}, {"output", output}});
    ASSERT_EQ(found.size(), 1u) << output;
    EXPECT_EQ(found[0]["points"], n) << output;
  }
  // Decision: P(best) per mode, the leading EVPPIs, and for the best mode the tornado (every
  // parameter with both decile means, at most 12) and the first-order/delta bars (two per parameter).
  const json decision = read_json(dir("uncertainty") / "decision.json");
  const std::string best = decision["best_mode"];
  expected_figures += 4;
  const auto pbest = figures(page, "pbest", {{"output", "savings_10k_yuan_per_yr"}});
  ASSERT_EQ(pbest.size(), 1u);
  EXPECT_EQ(pbest[0]["bars"], decision["modes"].size());
  const auto evppi = figures(page, "evppi", {{"output", "savings_10k_yuan_per_yr"}});
  ASSERT_EQ(evppi.size(), 1u);
  EXPECT_EQ(evppi[0]["bars"], std::min<std::size_t>(15, decision["evppi"].size()));
  int swings = 0;
  for (const auto& t : decision["tornado"])
    if (t["mode"] == best && t["mean_low_decile"].is_number() && t["mean_high_decile"].is_number()) ++swings;
  const auto tornado = figures(page, "tornado", {{"mode", best}});
  ASSERT_EQ(tornado.size(), 1u);
  EXPECT_EQ(tornado[0]["bars"], 2 * std::min(swings, 12));
  const auto importance = figures(page, "importance", {{"mode", best}});
  ASSERT_EQ(importance.size(), 1u);
  EXPECT_EQ(importance[0]["bars"], 2 * 12);             // 49 parameters with both indices: the leading 12
  EXPECT_EQ(page["figures"].size(), expected_figures);  // no chart without a check, none missing

  // The mode selector redraws the Sobol' charts for another mode without an error.
  browser.evaluate(
      "(() => { const s = document.getElementById('sobol-mode'); s.value = 'm2'; "
      "s.dispatchEvent(new Event('change')); return true; })()");
  const json redrawn = browser.evaluate(INSPECT);
  EXPECT_FALSE(figures(redrawn, "sobol", {{"mode", "m2"}}).empty());
  EXPECT_TRUE(figures(redrawn, "sobol", {{"mode", "m4"}}).empty());
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});

  // Screenshots: the whole page, and the top of it as shown in the README.
  browser.evaluate(
      "(() => { const s = document.getElementById('sobol-mode'); s.value = 'm4'; "
      "s.dispatchEvent(new Event('change')); window.scrollTo(0, 0); return true; })()");
  const int height = browser.evaluate("document.documentElement.scrollHeight").get<int>();
  const std::string full = browser.screenshot_png(1400, height);
  const std::string top = browser.screenshot_png(1400, std::min(height, 2400));
  ASSERT_GT(full.size(), 10000u);
  EXPECT_EQ(full.substr(1, 3), "PNG");
  write_text(out_dir / "biomass-report-full.png", full);
  write_text(out_dir / "biomass-report.png", top);
  std::cout << "screenshots: " << (out_dir / "biomass-report.png").string() << ", "
            << (out_dir / "biomass-report-full.png").string() << "\n";
  if (update_screenshot()) {
    write_text(fs::path(test::SOURCE_DIR) / "docs" / "biomass-report.png", top);
    std::cout << "updated " << test::SOURCE_DIR << "/docs/biomass-report.png\n";
  }
}

TEST_F(BiomassReportInBrowser, PageMakesNoNetworkRequest) {
  const ScratchDir out;
  const fs::path html = out.path() / "report.html";
  (void)write_html_report(all_sources(), html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  // Use the page as a reader would: switch modes, which redraws charts.
  browser.evaluate(
      "(() => { for (const id of ['sobol-mode', 'morris-mode']) { const s = document.getElementById(id); "
      "s.value = s.options[0].value; s.dispatchEvent(new Event('change')); } return true; })()");
  EXPECT_EQ(browser.requests(), std::vector<std::string>{file_url(html)});  // the page itself, nothing else
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
}

TEST_F(BiomassReportInBrowser, NetworkCheckSeesARequestWhenThereIsOne) {
  // The control for the test above: a page that does fetch something is caught.
  const ScratchDir out;
  const fs::path html = out.path() / "fetching.html";
  write_text(html,
             "<!doctype html><title>x</title><img "
             "src=\"http://127.0.0.1:9/pixel.png\"><script>fetch('http://127.0.0.1:9/data.json')"
             ".catch(() => {});</script>");
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html));
  for (int i = 0; i < 40 && browser.requests().size() < 3; ++i)
    browser.evaluate("new Promise((r) => setTimeout(() => r(true), 50))");
  const auto requests = browser.requests();
  EXPECT_NE(std::find(requests.begin(), requests.end(), "http://127.0.0.1:9/pixel.png"), requests.end());
  EXPECT_NE(std::find(requests.begin(), requests.end(), "http://127.0.0.1:9/data.json"), requests.end());
}

TEST_F(BiomassReportInBrowser, PartialReportDrawsItsSectionsOnly) {
  const ScratchDir out;
  const fs::path html = out.path() / "partial.html";
  ReportSources s;
  s.balance_dir = dir("balance").string();
  s.morris_dir = dir("morris").string();
  (void)write_html_report(s, html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  const json page = browser.evaluate(INSPECT);
  EXPECT_EQ(page["state"], "done");
  EXPECT_EQ(page["sections"], json({"summary", "flows", "morris", "provenance"}));
  EXPECT_TRUE(figures(page, "histogram").empty());
  EXPECT_FALSE(figures(page, "sankey").empty());
  EXPECT_FALSE(figures(page, "morris").empty());
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace symbiomc
