// The decision section of the HTML report (report/report.js renderDecision,
// src/report/sections/decision_section.cpp) and the escaping of every input string in the page.
//   - Without a browser: the page data has a "decision" member exactly when the uncertainty run
//     has decision.json, and it carries the file's numbers (modes, EVPI, EVPPI, tornado).
//   - In headless Chromium (support/headless_chromium.hpp): the decision section is the first of
//     the page and draws P(best), EVPPI, tornado, first-order/delta and Shapley bars with as
//     many bars as the result files have entries, with the output's unit on the axes.
//   - Script injection: a case whose every display name, unit, title, description, source and
//     group carries markup (tests/data/report/hostile) runs through balance, uncertainty with a
//     decision and a threshold, Sobol', Morris and Shapley; its page must contain no injected
//     element, run no injected script, and show the markup as text.
// The browser tests skip with a message when no Chromium is installed and fail instead when
// CI=true, like tests/test_html_report.cpp.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/headless_chromium.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/report/html_report.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::read_json;
using test::run_symbiomc;
using test::ScratchDir;
using test::succeeded;

const std::string CHOICE_CASE = test::TEST_DATA + "/decision/choice";
const std::string CHOICE_DIST = test::TEST_DATA + "/decision/choice.csv";
const std::string HOSTILE_CASE = test::TEST_DATA + "/report/hostile";
const std::string HOSTILE_DIST = test::TEST_DATA + "/report/hostile.csv";

/// What the hostile fixture puts into every free text.
const std::string MARKUP = "<img src=x onerror=window.__pwned=1></script><script>window.__pwned=1</script>\"'&";

/// Every kind of result for one case: balance, uncertainty with two decisions (gain_MW:max and
/// gain_MW:min) and a --threshold,
/// Sobol' (with groups), Morris and Shapley, each in its subdirectory of `root`.
void run_every_study(const fs::path& root, const std::string& case_dir, const std::string& dist) {
  const std::vector<std::string> common = {"--case", case_dir, "--distributions", dist, "--quiet"};
  auto run = [&](std::vector<std::string> args, const char* out) {
    args.insert(args.end(), common.begin(), common.end());
    args.insert(args.end(), {"--out", (root / out).string()});
    EXPECT_TRUE(succeeded(run_symbiomc(args))) << out;
  };
  EXPECT_TRUE(succeeded(run_symbiomc({"balance", "--case", case_dir, "--out", (root / "balance").string()})));
  run({"uncertainty", "--runs", "20000", "--decision", "gain_MW", "--decision", "gain_MW:min", "--threshold",
       "gain_MW=0.5"},
      "uncertainty");
  run({"sensitivity", "--base-runs", "256", "--groups"}, "sensitivity");
  run({"sensitivity", "--method", "morris", "--trajectories", "10"}, "morris");
  run({"sensitivity", "--method", "shapley", "--permutations", "40"}, "shapley");
}

ReportSources sources_in(const fs::path& root) { return find_report_sources({root.string()}); }

std::string file_url(const fs::path& p) { return "file://" + fs::absolute(p).string(); }

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override { test::require_chromium(chromium_); }
  std::string chromium_;
};

// ---- without a browser

TEST(DecisionReportData, DecisionMemberHoldsTheFilesNumbersAndIsAbsentWithoutDecisionJson) {
  const ScratchDir dir;
  run_every_study(dir.path(), CHOICE_CASE, CHOICE_DIST);
  const ReportSources sources = sources_in(dir.path());
  EXPECT_EQ(sources.decision_dir, (dir.path() / "uncertainty").string());
  EXPECT_EQ(sources.shapley_dir, (dir.path() / "shapley").string());
  const json data = json::parse(report_data_json(sources, {}));
  ASSERT_TRUE(data.contains("decision"));
  const json file = read_json(dir.path() / "uncertainty" / "decision.json").at("decisions")[0];
  ASSERT_EQ(data["decision"]["decisions"].size(), 2u);
  EXPECT_EQ(data["decision"]["decisions"][1]["direction"], "min");
  const json& d = data["decision"]["decisions"][0];
  EXPECT_EQ(d["output"], "gain_MW");
  EXPECT_EQ(d["unit"], "MW");
  EXPECT_EQ(d["best_mode"], file["best_mode"]);
  EXPECT_EQ(d["modes"].size(), file["modes"].size());
  EXPECT_EQ(d["evppi"].size(), file["evppi"].size());
  EXPECT_EQ(d["tornado"].size(), file["tornado"].size());
  EXPECT_NEAR(d["evpi"]["value"].get<double>(), file["evpi"]["value"].get<double>(),
              1e-5 * file["evpi"]["value"].get<double>());
  // First-order and delta of the decision output for every (mode, parameter); Shapley effects
  // of the decision output only.
  EXPECT_EQ(d["importance"].size(), 3u * 2u);
  for (const json& x : d["importance"]) EXPECT_TRUE(x.contains("first_order") && x.contains("delta")) << x;
  ASSERT_TRUE(data.contains("shapley"));
  EXPECT_EQ(data["shapley"]["results"].size(), 3u);
  for (const json& r : data["shapley"]["results"]) EXPECT_EQ(r["output"], "gain_MW");

  // The same folder without decision.json: no decision member, so no section.
  fs::remove(dir.path() / "uncertainty" / "decision.json");
  fs::remove(dir.path() / "uncertainty" / "manifest.csv");  // else report refuses the folder as changed
  const json without = json::parse(report_data_json(sources_in(dir.path()), {}));
  EXPECT_FALSE(without.contains("decision"));
}

// ---- in the browser

const char* INSPECT_DECISION = R"JS((() => {
  const n = (el, sel) => el.querySelectorAll(sel).length;
  const figs = [...document.querySelectorAll('#decision figure.chart')].map((f) => ({
    kind: f.dataset.chart, output: f.dataset.output || '', mode: f.dataset.mode || '',
    bars: n(f, 'rect.bar'), factors: n(f, 'g.factor'), low: n(f, 'rect.bar-low'), high: n(f, 'rect.bar-high'),
    axis: [...f.querySelectorAll('.axis-label')].map((t) => t.textContent)}));
  return {state: document.documentElement.dataset.renderState || '',
          sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
          blocks: n(document, '#decision .decision-block'),
          lead: (document.querySelector('#decision .decision-lead') || {textContent: ''}).textContent,
          headers: [...document.querySelectorAll('#decision table.decision-table th')].map((t) => t.textContent),
          figs};
})())JS";

TEST_F(ReportInBrowser, DecisionSectionComesFirstWithEveryChartAndUnit) {
  const ScratchDir dir;
  run_every_study(dir.path(), CHOICE_CASE, CHOICE_DIST);
  const fs::path html = dir.path() / "report.html";
  (void)write_html_report(sources_in(dir.path()), html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  const json page = browser.evaluate(INSPECT_DECISION);
  EXPECT_EQ(page["state"], "done");
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
  ASSERT_FALSE(page["sections"].empty());
  EXPECT_EQ(page["sections"][0], "decision");
  EXPECT_EQ(page["blocks"], 2);  // one per decision; the charts checked below are the first's
  const json file = read_json(dir.path() / "uncertainty" / "decision.json").at("decisions")[0];
  const std::string best = file["best_mode"];
  const std::string lead = page["lead"];
  EXPECT_NE(lead.find("Expected value of perfect information (EVPI)"), std::string::npos) << lead;
  EXPECT_NE(lead.find("MW"), std::string::npos) << lead;
  // Units in the column labels of the table.
  EXPECT_EQ(page["headers"][1], "Mean [MW]");
  EXPECT_EQ(page["headers"][2], "95 % CI [MW]");
  auto figure = [&](const std::string& kind) {
    for (const json& f : page["figs"])
      if (f["kind"] == kind) return f;
    ADD_FAILURE() << "no " << kind << " chart";
    return json::object();
  };
  const json pbest = figure("pbest");
  EXPECT_EQ(pbest["bars"], file["modes"].size());
  const json evppi = figure("evppi");
  EXPECT_EQ(evppi["bars"], file["evppi"].size());  // two parameters and the group, under the page's 15
  EXPECT_EQ(evppi["axis"], json({"EVPPI [MW]"}));
  // The tornado of the best mode: one bar from each end per parameter with a non-zero swing.
  const json tornado = figure("tornado");
  EXPECT_EQ(tornado["mode"], best);
  EXPECT_EQ(tornado["factors"], 2);
  EXPECT_EQ(tornado["low"], 2);
  EXPECT_EQ(tornado["high"], 2);
  EXPECT_EQ(tornado["axis"], json({"mean of gain [MW]"}));
  const json importance = figure("importance");
  EXPECT_EQ(importance["factors"], 2);
  EXPECT_EQ(importance["bars"], 2 * 2);  // first-order and delta per parameter
  const json shapley = figure("shapley");
  EXPECT_EQ(shapley["mode"], best);
  EXPECT_EQ(shapley["factors"], 2);
}

TEST_F(ReportInBrowser, WithoutDecisionJsonThereIsNoDecisionSection) {
  const ScratchDir dir;
  run_every_study(dir.path(), CHOICE_CASE, CHOICE_DIST);
  fs::remove(dir.path() / "uncertainty" / "decision.json");
  fs::remove(dir.path() / "uncertainty" / "manifest.csv");  // else report refuses the folder as changed
  const fs::path html = dir.path() / "report.html";
  (void)write_html_report(sources_in(dir.path()), html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  const json page = browser.evaluate(INSPECT_DECISION);
  EXPECT_EQ(page["state"], "done");
  EXPECT_EQ(page["sections"][0], "summary");
  EXPECT_EQ(std::count(page["sections"].begin(), page["sections"].end(), "decision"), 0);
  EXPECT_TRUE(page["figs"].empty());
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
}

// Issue 15 item 11: a unit such as `yuan<img src=x onerror=...>` ran in the browser.
TEST_F(ReportInBrowser, MarkupInEveryInputStringStaysText) {
  const ScratchDir dir;
  run_every_study(dir.path(), HOSTILE_CASE, HOSTILE_DIST);
  const fs::path html = dir.path() / "hostile.html";
  (void)write_html_report(sources_in(dir.path()), html.string(), {});
  test::HeadlessChromium browser(chromium_);
  browser.open(file_url(html), "document.documentElement.dataset.renderState");
  // Let an injected image fail to load and its handler run before looking.
  browser.evaluate("new Promise((r) => setTimeout(() => r(true), 300))");
  const json page = browser.evaluate(R"JS((() => ({
    state: document.documentElement.dataset.renderState || '',
    pwned: typeof window.__pwned,
    images: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    inBody: document.querySelectorAll('body script').length,
    sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
    text: document.body.innerText,
    title: document.title}))())JS");
  EXPECT_EQ(page["state"], "done");
  EXPECT_EQ(page["pwned"], "undefined");
  EXPECT_EQ(page["images"], 0);
  // The page's own scripts only: d3, d3-sankey, the data blob and the page script.
  EXPECT_EQ(page["scripts"], 4);
  EXPECT_EQ(page["sections"][0], "decision");
  const std::string text = page["text"];
  // The markup shows as text: in the title, a mode name, a unit (the decision's lead and the
  // summary), a description.
  for (const std::string& shown : {"Hostile title " + MARKUP, "Mode A " + MARKUP, "MW" + MARKUP}) {
    EXPECT_NE(text.find(shown), std::string::npos) << shown;
  }
  EXPECT_EQ(page["title"], "Hostile title " + MARKUP);
  EXPECT_EQ(browser.errors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace symbiomc
