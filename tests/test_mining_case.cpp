// The mining-metallurgy case (cases/mining, distributions/mining.csv) through the generic engine:
// every plant's mass balance closes, the data sheet's nominal results (section 7) are reproduced,
// the one formula error of the sheet is corrected, modes are ordered sensibly, each structural
// option changes what it should, and bad copies of the case files are refused with file:line.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <boost/random/uniform_real_distribution.hpp>

#include "support/errors.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/random.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/network.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;

const std::string CASE_DIR = test::MINING_CASE;
const std::string DISTRIBUTIONS = test::MINING_DISTRIBUTIONS;

// The data sheet prints one decimal: a reproduced figure must round to it (half a unit of the last
// digit, plus a little for the sheet's own rounding of inputs).
constexpr double SHEET_TOL = 0.05 + 1e-9;
// Mass closure is exact algebra; only rounding of sums of ~1000 t/h terms remains.
constexpr double CLOSURE_TOL_T_PER_H = 1e-9;

// The case compiled with some options, and its nominal balance (one lane).
class NominalRun {
 public:
  explicit NominalRun(const PlanOptions& options = {})
      : plan_(BalancePlan::compile(read_case(CASE_DIR), options)), workspace_(plan_, 1) {
    evaluate(plan_, workspace_, 1);
  }
  NominalRun(const NominalRun&) = delete;
  NominalRun& operator=(const NominalRun&) = delete;

  const BalancePlan& plan() const { return plan_; }
  const BalanceWorkspace& workspace() const { return workspace_; }
  std::size_t mode(const std::string& id) const { return plan_.mode_index(id); }

  double output(const std::string& mode_id, const std::string& name) const {
    const auto& outputs = plan_.outputs();
    const auto it = std::find_if(outputs.begin(), outputs.end(), [&](const OutputInfo& o) { return o.name == name; });
    EXPECT_NE(it, outputs.end()) << "no output " << name;
    const std::size_t m = mode(mode_id);
    EXPECT_EQ(workspace_.status(m, 0), RunStatus::ok) << mode_id;
    return workspace_.output(plan_, m, static_cast<std::size_t>(it - outputs.begin()), 0);
  }
  double flow(const std::string& mode_id, const std::string& id) const {
    const auto& flows = plan_.network().flows;
    const auto it = std::find_if(flows.begin(), flows.end(), [&](const Flow& f) { return f.id == id; });
    EXPECT_NE(it, flows.end()) << "no flow " << id;
    const PlanFlow& pf = plan_.modes()[mode(mode_id)].flows[static_cast<std::size_t>(it - flows.begin())];
    return pf.active ? workspace_.value(pf.slot, 0) : 0.0;
  }
  double parameter(const std::string& name) const { return plan_.parameters()[plan_.parameter_index(name)].nominal; }

 private:
  BalancePlan plan_;
  BalanceWorkspace workspace_;
};

PlanOptions with_option(const std::string& option, const std::string& choice) {
  PlanOptions o;
  o.choices.emplace_back(option, choice);
  return o;
}

const std::vector<std::string> MODES = {"independent", "m1", "m2", "m3"};

// Every choice of every option of the case, one at a time (plus the defaults).
std::vector<PlanOptions> every_option_choice() {
  std::vector<PlanOptions> out{PlanOptions{}};
  for (const auto& option : read_case(CASE_DIR).options)
    for (const auto& choice : option.choices) out.push_back(with_option(option.name, choice.name));
  return out;
}

std::string describe(const PlanOptions& options) {
  std::string s;
  for (const auto& [o, c] : options.choices) s += o + "=" + c + " ";
  for (const auto& [p, v] : options.overrides) s += p + "=" + std::to_string(v) + " ";
  return s.empty() ? "defaults" : s;
}

// Checks what the engine leaves to the case: each non-external process balances its mass, and an
// active flow never starts or ends at a process that is off in that mode (it would escape every
// balance).
void expect_closed(const BalancePlan& plan, const BalanceWorkspace& ws, std::size_t lane, const std::string& context) {
  const Network& network = plan.network();
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    const PlanMode& mode = plan.modes()[m];
    ASSERT_EQ(ws.status(m, lane), RunStatus::ok) << context << " mode " << mode.id;
    for (const ProcessBalance& b : process_balances(plan, ws, m, lane)) {
      EXPECT_NEAR(b.mass_in_t_per_h, b.mass_out_t_per_h, CLOSURE_TOL_T_PER_H * std::max(1.0, b.mass_in_t_per_h))
          << context << " mode " << mode.id << " process " << b.process;
    }
    for (std::size_t f = 0; f < network.flows.size(); ++f) {
      if (!mode.flows[f].active) continue;
      for (const std::string& end : {network.flows[f].from, network.flows[f].to}) {
        const auto p = std::find_if(network.processes.begin(), network.processes.end(),
                                    [&](const Process& x) { return x.id == end; });
        EXPECT_TRUE(mode.active_processes[static_cast<std::size_t>(p - network.processes.begin())])
            << context << " mode " << mode.id << ": flow " << network.flows[f].id << " touches inactive " << end;
      }
    }
  }
}

// ---- The case reads, and its balances close.

TEST(MiningCase, ReadsFourModesWithIndependentOperationAsBaseline) {
  const NominalRun run;
  ASSERT_EQ(run.plan().modes().size(), 4u);
  for (std::size_t m = 0; m < MODES.size(); ++m) EXPECT_EQ(run.plan().modes()[m].id, MODES[m]);
  for (const auto* name :
       {"waste_to_disposal_t_per_h", "waste_reduction_t_per_h", "waste_reduction_pct", "extra_power_MW",
        "waste_utilisation_pct", "co2_avoided_kt_per_yr", "savings_and_revenue_million_yuan_per_yr"})
    EXPECT_NO_FATAL_FAILURE((void)run.output("m1", name));
}

TEST(MiningCase, EveryParameterHasAFlaggedSource) {
  for (const Parameter& p : read_case(CASE_DIR).parameters) {
    ASSERT_FALSE(p.source.empty()) << p.name;
    EXPECT_EQ(p.source.front(), '[') << p.name << ": source should start with the data-sheet flag, got " << p.source;
    const char flag = p.source.size() > 1 ? p.source[1] : ' ';
    EXPECT_TRUE(flag == 'V' || flag == 'D' || flag == 'T' || flag == 'J') << p.name << ": " << p.source;
  }
}

TEST(MiningCase, EveryProcessMassBalanceClosesUnderEveryOption) {
  for (const PlanOptions& options : every_option_choice()) {
    const NominalRun run(options);
    expect_closed(run.plan(), run.workspace(), 0, describe(options));
  }
  PlanOptions realistic;
  realistic.overrides.emplace_back("f_ext", 2.5);
  const NominalRun run(realistic);
  expect_closed(run.plan(), run.workspace(), 0, describe(realistic));
}

// Sampled parameter vectors reach corners of the data sheet's ranges where the smelter's closing
// item changes sign (a low-grade concentrate with little slag) and slag caps bind: the balances
// must still close and no run may fail.
TEST(MiningCase, SampledRunsCloseAndDoNotFail) {
  const BalancePlan plan = BalancePlan::compile(read_case(CASE_DIR));
  const Problem problem = read_distributions(DISTRIBUTIONS, plan.parameters());
  constexpr std::size_t LANES = 512;
  BalanceWorkspace ws(plan, LANES);
  test::TestEngine engine(20240611);  // fixed seed: the test is deterministic
  boost::random::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> u(problem.dimension()), x(problem.dimension()), scratch(problem.scratch_size());
  for (std::size_t lane = 0; lane < LANES; ++lane) {
    // Every 4th lane sits near the corners of the cube, the rest anywhere inside.
    for (auto& v : u)
      v = lane % 4 == 0 ? (uniform(engine) < 0.5 ? 1e-6 : 1.0 - 1e-6) : std::max(1e-12, uniform(engine));
    problem.to_physical(u, x, scratch);
    for (std::size_t i = 0; i < problem.dimension(); ++i)
      ws.set_parameter(problem.parameters()[i].case_index, lane, x[i]);
  }
  evaluate(plan, ws, LANES);
  const auto& outputs = plan.outputs();
  const auto waste =
      static_cast<std::size_t>(std::find_if(outputs.begin(), outputs.end(),
                                            [](const OutputInfo& o) { return o.name == "waste_to_disposal_t_per_h"; }) -
                               outputs.begin());
  const auto& flows = plan.network().flows;
  const auto slag_sec_dump = static_cast<std::size_t>(
      std::find_if(flows.begin(), flows.end(), [](const Flow& f) { return f.id == "slag_sec_to_dump"; }) -
      flows.begin());
  for (std::size_t lane = 0; lane < LANES; ++lane) {
    expect_closed(plan, ws, lane, "lane " + std::to_string(lane));
    const double w0 = ws.output(plan, 0, waste, lane), w1 = ws.output(plan, 1, waste, lane);
    const double w2 = ws.output(plan, 2, waste, lane), w3 = ws.output(plan, 3, waste, lane);
    EXPECT_LE(w1, w0 + 1e-9) << "lane " << lane;
    EXPECT_LE(w2, w1 + 1e-9) << "lane " << lane;
    // Mode 3 can only add waste through scrap slag the cement plant has no room for.
    EXPECT_LE(w3 - w2, ws.value(plan.modes()[3].flows[slag_sec_dump].slot, lane) + 1e-9) << "lane " << lane;
  }
}

// ---- The data sheet's section 7, nominal parameters, f_ext = 0, baseline A0.

struct SheetRow {
  const char* mode;
  double waste_t_per_h, reduction_t_per_h, reduction_pct, power_MW, utilisation_pct, co2_kt_per_yr, savings_m_yuan,
      savings_m_usd;
};

// Section 7's table. Its savings of mode 3 use the sheet's scrap margin, see the next test.
constexpr SheetRow SHEET_SECTION_7[] = {
    {"m1", 291.3, 175.5, 37.6, 0.0, 38.6, 5.6, 72.4, 10.1},
    {"m2", 244.0, 222.8, 47.7, 0.88, 46.4, 84.8, 125.2, 17.4},
    {"m3", 243.8, 223.0, 47.8, 0.88, 46.4, 88.3, 141.6, 19.7},
};

TEST(MiningCase, ReproducesDataSheetSection7WithItsScrapMargin) {
  const NominalRun run(with_option("scrap_pricing", "recovered_cu"));
  EXPECT_NEAR(run.output("independent", "waste_to_disposal_t_per_h"), 466.8, SHEET_TOL);
  EXPECT_NEAR(run.output("independent", "fresh_water_m3_per_h"), 302.0, 0.5);  // printed as an integer
  for (const SheetRow& row : SHEET_SECTION_7) {
    SCOPED_TRACE(row.mode);
    EXPECT_NEAR(run.output(row.mode, "waste_to_disposal_t_per_h"), row.waste_t_per_h, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "waste_reduction_t_per_h"), row.reduction_t_per_h, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "waste_reduction_pct"), row.reduction_pct, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "extra_power_MW"), row.power_MW, 0.005 + 1e-9);  // printed with 2 decimals
    EXPECT_NEAR(run.output(row.mode, "waste_utilisation_pct"), row.utilisation_pct, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "co2_avoided_kt_per_yr"), row.co2_kt_per_yr, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "savings_and_revenue_million_yuan_per_yr"), row.savings_m_yuan, SHEET_TOL);
    EXPECT_NEAR(run.output(row.mode, "savings_and_revenue_million_usd_per_yr"), row.savings_m_usd, SHEET_TOL);
  }
  // Section 7's details: slag to cement, sand, aggregate, acid, gypsum avoided, self-supply, scrap.
  EXPECT_NEAR(run.flow("m2", "slag_to_cement_plant"), 8.1, SHEET_TOL);
  EXPECT_NEAR(run.flow("m2", "sand_to_market"), 10.1, SHEET_TOL);
  EXPECT_NEAR(run.flow("m2", "aggregate_to_market"), 5.0, SHEET_TOL);
  EXPECT_NEAR(run.flow("m2", "acid_to_chem_partner"), 13.2, SHEET_TOL);
  EXPECT_NEAR(run.flow("independent", "gypsum_to_landfill"), 11.6, SHEET_TOL);
  EXPECT_NEAR(run.output("m2", "power_self_supply_pct"), 3.9, SHEET_TOL);
  EXPECT_NEAR(run.flow("m3", "scrap_to_smelter"), 0.65, 0.005 + 1e-9);
  EXPECT_NEAR(run.flow("m3", "cathode_secondary_to_market"), 0.54, 0.005 + 1e-9);
  EXPECT_NEAR(run.output("m1", "mine_water_discharged_m3_per_h"), 71.0, 0.5);
  EXPECT_NEAR(run.output("m1", "fresh_water_m3_per_h"), 0.0, 1e-12);
}

// Data-sheet error: O5's scrap term Cu_sec (d_scrap P_Cu - c_sec) charges the scrap on the Cu that
// is recovered, but d_scrap is a discount on the scrap's contained Cu, of which (1 - R_sec) is lost
// in smelting. Paid on contained Cu, the margin per t Cu_sec falls by P_Cu (1 - d)(1 - R_sec)/R_sec
// (1 878 yuan/t at nominal): mode 3 saves 133.5, not 141.6, million yuan/yr.
TEST(MiningCase, CorrectsTheDataSheetScrapMarginToContainedCopper) {
  const NominalRun sheet(with_option("scrap_pricing", "recovered_cu"));
  const NominalRun corrected;  // default: contained_cu
  const double cu_sec = corrected.flow("m3", "cathode_secondary_to_market");
  const double p_cu = corrected.parameter("P_Cu_yuan_per_t"), d = corrected.parameter("d_scrap");
  const double r_sec = corrected.parameter("R_sec"), hours = corrected.parameter("H_h_per_yr");
  const double lost_value_m_yuan = cu_sec * p_cu * (1 - d) * (1 - r_sec) / r_sec * hours / 1e6;
  EXPECT_NEAR(lost_value_m_yuan, 8.06, 0.005);
  const std::string s = "savings_and_revenue_million_yuan_per_yr";
  EXPECT_NEAR(sheet.output("m3", s) - corrected.output("m3", s), lost_value_m_yuan, 1e-9);
  EXPECT_NEAR(corrected.output("m3", s), 133.5, SHEET_TOL);
  for (const char* m : {"m1", "m2"}) EXPECT_DOUBLE_EQ(sheet.output(m, s), corrected.output(m, s)) << m;
  EXPECT_DOUBLE_EQ(sheet.output("m3", "co2_avoided_kt_per_yr"), corrected.output("m3", "co2_avoided_kt_per_yr"));
}

TEST(MiningCase, RealisticSmelterScaleMatchesDataSheetScenario) {
  PlanOptions options = with_option("scrap_pricing", "recovered_cu");
  options.overrides.emplace_back("f_ext", 2.5);
  const NominalRun run(options);
  EXPECT_NEAR(run.output("m1", "copper_cathode_kt_per_yr"), 103.0, 0.5);  // "~103 kt/a cathode"
  EXPECT_NEAR(run.output("m2", "extra_power_MW"), 3.1, SHEET_TOL);
  const double co2[] = {5.6, 221.0, 231.0}, savings[] = {74.7, 221.0, 277.0};  // sheet section 7 scenario table
  const double tol[] = {SHEET_TOL, 0.5, 0.5};                                  // 221, 231, 277 are printed as integers
  for (int i = 0; i < 3; ++i) {
    const std::string m = MODES[static_cast<std::size_t>(i + 1)];
    EXPECT_NEAR(run.output(m, "co2_avoided_kt_per_yr"), co2[i], tol[i]) << m;
    EXPECT_NEAR(run.output(m, "savings_and_revenue_million_yuan_per_yr"), savings[i], tol[i]) << m;
  }
}

// ---- Mode ordering.

TEST(MiningCase, WasteToDisposalNeverRisesFromModeOneToModeThree) {
  for (const PlanOptions& options : every_option_choice()) {
    SCOPED_TRACE(describe(options));
    const NominalRun run(options);
    const std::string w = "waste_to_disposal_t_per_h", u = "waste_utilisation_pct";
    EXPECT_LT(run.output("m1", w), run.output("independent", w));
    EXPECT_LE(run.output("m2", w), run.output("m1", w));
    EXPECT_LE(run.output("m3", w), run.output("m2", w));
    EXPECT_LE(run.output("m1", u), run.output("m2", u));
    EXPECT_LE(run.output("m2", u), run.output("m3", u) + 1e-12);
    EXPECT_EQ(run.output("m1", "extra_power_MW"), 0.0);
    EXPECT_GT(run.output("m2", "extra_power_MW"), 0.0);
    EXPECT_DOUBLE_EQ(run.output("m3", "extra_power_MW"), run.output("m2", "extra_power_MW"));
    for (const auto* out :
         {"waste_reduction_t_per_h", "co2_avoided_kt_per_yr", "savings_and_revenue_million_yuan_per_yr"})
      EXPECT_EQ(run.output("independent", out), 0.0) << out;
  }
}

// ---- Structural options.

TEST(MiningCase, BaselineFillWithoutBackfillMakesTheCoreCircleANetCostAndEmitter) {
  const NominalRun a0, a0_prime(with_option("baseline_fill", "A0_prime"));
  // Sheet section 6 O5: "at nominal, ~ -23 M CNY/a and ~ -80 kt CO2/a" under A0'.
  EXPECT_NEAR(a0_prime.output("m1", "savings_and_revenue_million_yuan_per_yr"), -23.0, 0.5);
  EXPECT_NEAR(a0_prime.output("m1", "co2_avoided_kt_per_yr"), -80.0, 1.0);
  EXPECT_EQ(a0_prime.flow("independent", "binder_to_paste_plant"), 0.0);
  EXPECT_EQ(a0_prime.flow("independent", "aggregate_to_paste_plant"), 0.0);
  EXPECT_GT(a0.flow("independent", "aggregate_to_paste_plant"), 0.0);
  // The switch moves money and CO2 by the same amount in every mode, and no waste.
  const double binder = a0.flow("m1", "binder_to_paste_plant"), hours = a0.parameter("H_h_per_yr");
  for (const char* m : {"m1", "m2", "m3"}) {
    EXPECT_DOUBLE_EQ(a0_prime.output(m, "waste_to_disposal_t_per_h"), a0.output(m, "waste_to_disposal_t_per_h")) << m;
    EXPECT_NEAR(a0.output(m, "co2_avoided_kt_per_yr") - a0_prime.output(m, "co2_avoided_kt_per_yr"),
                (a0.flow("independent", "aggregate_to_paste_plant") + a0.flow("independent", "aggregate_to_stopes")) *
                        a0.parameter("EF_natagg_kg_per_t") / 1000 * hours / 1000 +
                    binder * a0.parameter("EF_binder_t_per_t") * hours / 1000,
                1e-9)
        << m;
  }
}

TEST(MiningCase, BaselineAcidScenariosMatchDataSheet) {
  struct Scenario {
    const char* choice;
    double f_neut, co2[3], savings[3];
  };
  // Sheet section 7, scenario table (savings with its scrap margin).
  const Scenario scenarios[] = {{"sold_anyway", 0.0, {5.6, 61.2, 64.6}, {72.4, 111.1, 127.5}},
                                {"end_of_pipe", 1.0, {5.6, 108.5, 112.0}, {72.4, 139.2, 155.6}}};
  const NominalRun nominal;
  for (const Scenario& s : scenarios) {
    SCOPED_TRACE(s.choice);
    PlanOptions options = with_option("baseline_acid", s.choice);
    options.choices.emplace_back("scrap_pricing", "recovered_cu");
    const NominalRun run(options);
    EXPECT_EQ(run.parameter("f_neut"), s.f_neut);
    for (int i = 0; i < 3; ++i) {
      const std::string m = MODES[static_cast<std::size_t>(i + 1)];
      EXPECT_NEAR(run.output(m, "co2_avoided_kt_per_yr"), s.co2[i], SHEET_TOL) << m;
      EXPECT_NEAR(run.output(m, "savings_and_revenue_million_yuan_per_yr"), s.savings[i], SHEET_TOL) << m;
    }
    // Independent operation's gypsum follows f_neut; modes 2-3 send all acid to the partner.
    EXPECT_NEAR(run.flow("independent", "gypsum_to_landfill"),
                s.f_neut * run.parameter("k_gyp_t_per_t") * run.flow("m2", "acid_to_chem_partner"), 1e-9);
    EXPECT_EQ(run.flow("m2", "gypsum_to_landfill"), 0.0);
    EXPECT_DOUBLE_EQ(run.output("m2", "waste_to_disposal_t_per_h"), nominal.output("m2", "waste_to_disposal_t_per_h"));
  }
}

TEST(MiningCase, BaselineScrapChangesOnlyTheExtendedCircleCredits) {
  const NominalRun nominal, anyway(with_option("baseline_scrap", "recycled_anyway")),
      landfilled(with_option("baseline_scrap", "mostly_landfilled"));
  const std::string co2 = "co2_avoided_kt_per_yr", w = "waste_to_disposal_t_per_h";
  for (const char* m : {"m1", "m2"}) {
    EXPECT_DOUBLE_EQ(anyway.output(m, co2), nominal.output(m, co2)) << m;
    EXPECT_NEAR(anyway.output(m, "waste_reduction_t_per_h"), nominal.output(m, "waste_reduction_t_per_h"), 1e-9) << m;
  }
  // Without additionality X9 keeps only its scrap-slag clinker credit and removes no waste.
  const double slag_credit = anyway.flow("m3", "slag_sec_to_cement_plant") * anyway.parameter("k_eq_t_per_t") *
                             (anyway.parameter("EF_calc_t_per_t") +
                              anyway.parameter("q_clk_GJ_per_t") * anyway.parameter("EF_coal_kg_per_GJ") / 1000) *
                             anyway.parameter("H_h_per_yr") / 1000;
  const double grinding = anyway.flow("m3", "slag_sec_to_cement_plant") * anyway.parameter("e_grind_kWh_per_t") / 1000 *
                          anyway.parameter("EF_grid_t_per_MWh") * anyway.parameter("H_h_per_yr") / 1000;
  EXPECT_NEAR(anyway.output("m3", co2) - anyway.output("m2", co2), slag_credit - grinding, 1e-9);
  EXPECT_NEAR(anyway.output("m3", w), anyway.output("m2", w), 1e-9);
  EXPECT_GT(landfilled.output("m3", co2) - landfilled.output("m2", co2),
            nominal.output("m3", co2) - nominal.output("m2", co2));
  EXPECT_GT(landfilled.output("m2", w) - landfilled.output("m3", w), nominal.output("m2", w) - nominal.output("m3", w));
  EXPECT_DOUBLE_EQ(landfilled.output("m3", "savings_and_revenue_million_yuan_per_yr"),
                   nominal.output("m3", "savings_and_revenue_million_yuan_per_yr"));
}

TEST(MiningCase, EnvironmentalTaxRaisesSavingsByTheTaxAvoided) {
  const NominalRun exempt, charged(with_option("environmental_tax", "charged"));
  const double hours = exempt.parameter("H_h_per_yr");
  const double tailings_avoided = exempt.flow("independent", "tailings_to_tsf") - exempt.flow("m1", "tailings_to_tsf");
  const std::string s = "savings_and_revenue_million_yuan_per_yr";
  EXPECT_NEAR(charged.output("m1", s) - exempt.output("m1", s),
              tailings_avoided * exempt.parameter("t_tail_yuan_per_t") * hours / 1e6, 1e-9);
  EXPECT_GT(charged.output("m2", s) - exempt.output("m2", s), charged.output("m1", s) - exempt.output("m1", s));
  EXPECT_DOUBLE_EQ(charged.output("m2", "waste_to_disposal_t_per_h"), exempt.output("m2", "waste_to_disposal_t_per_h"));
}

TEST(MiningCase, AcidHeatRecoveryAddsLowPressureSteamPower) {
  const NominalRun none, hrs(with_option("acid_heat_recovery", "hrs"));
  const double expected_MW = none.flow("m2", "acid_to_chem_partner") * none.parameter("s_hrs_t_per_t") *
                             none.parameter("e_lp_kWh_per_t") / 1000;  // sheet O2: Q_acid s_hrs e_lp / 1000
  EXPECT_NEAR(expected_MW, 0.415, 0.001);
  for (const char* m : {"m2", "m3"})
    EXPECT_NEAR(hrs.output(m, "extra_power_MW") - none.output(m, "extra_power_MW"), expected_MW, 1e-12) << m;
  EXPECT_EQ(hrs.output("m1", "extra_power_MW"), 0.0);
}

// ---- The distributions file.

TEST(MiningCase, DistributionsFileReadsAgainstTheCase) {
  const BalancePlan plan = BalancePlan::compile(read_case(CASE_DIR));
  const Problem problem = read_distributions(DISTRIBUTIONS, plan.parameters());
  EXPECT_EQ(problem.dimension(), 74u);
  EXPECT_TRUE(problem.fixed().empty());
  for (const auto& p : problem.parameters()) {
    ASSERT_FALSE(p.source.empty()) << p.name;
    EXPECT_EQ(p.source.front(), '[') << p.name;
    EXPECT_NE(p.group, p.name) << p.name << " has no group";
    EXPECT_NE(p.name, "f_neut");  // structural: option baseline_acid, not a distribution (sheet section 8 item 1)
    EXPECT_NE(p.name, "f_add");   // structural: option baseline_scrap
  }
}

// ---- Bad input: a corrupted copy of one file is refused with its file and line.

class CorruptedCopy {
 public:
  CorruptedCopy() {
    fs::copy(CASE_DIR, scratch_.path() / "mining", fs::copy_options::recursive);
    fs::copy(DISTRIBUTIONS, scratch_.path() / "mining.csv");
  }

  std::string case_dir() const { return scratch_.sub("mining"); }
  std::string distributions() const { return scratch_.sub("mining.csv"); }

  /// Replaces `from` by `to` on the line of `file` that starts with `row_prefix`; returns
  /// "path:line:" of that line.
  std::string corrupt(const std::string& path, const std::string& row_prefix, const std::string& from,
                      const std::string& to) {
    auto lines = test::lines_of(test::read_text(path));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind(row_prefix, 0) != 0) continue;
      const auto at = lines[i].find(from);
      if (at == std::string::npos) break;
      lines[i].replace(at, from.size(), to);
      test::write_text(path, test::join_lines(lines));
      return path + ":" + std::to_string(i + 1) + ":";
    }
    ADD_FAILURE() << "no row " << row_prefix << " with '" << from << "' in " << path;
    return "";
  }
  std::string case_file(const std::string& name) const { return (scratch_.path() / "mining" / name).string(); }

 private:
  test::ScratchDir scratch_;
};

using test::input_error_of;

std::string read_error(const std::string& dir, const PlanOptions& options = {}) {
  return input_error_of([&] { (void)BalancePlan::compile(read_case(dir), options); });
}

TEST(MiningCaseBadInput, UntouchedCopyReads) {
  const CorruptedCopy copy;
  EXPECT_EQ(read_error(copy.case_dir()), "<no InputError>");
}

TEST(MiningCaseBadInput, UnknownCommodityInFlowsNamesFileAndLine) {
  CorruptedCopy copy;
  const std::string where = copy.corrupt(copy.case_file("flows.csv"), "slag_to_dump,", ",slag,", ",slagg,");
  EXPECT_EQ(read_error(copy.case_dir()),
            where + " column 'commodity': unknown commodity 'slagg' (did you mean 'slag'?)");
}

TEST(MiningCaseBadInput, FlowUnitMismatchNamesFileAndLine) {
  CorruptedCopy copy;
  const std::string where = copy.corrupt(copy.case_file("flows.csv"), "mine_water_discharged,", ",m3/h,", ",t/h,");
  EXPECT_EQ(read_error(copy.case_dir()).rfind(where + " column 'unit': unit mismatch: flow 'mine_water_discharged'", 0),
            0u)
      << read_error(copy.case_dir());
}

TEST(MiningCaseBadInput, GradeOutsideItsDomainNamesFileAndLine) {
  CorruptedCopy copy;
  const std::string where = copy.corrupt(copy.case_file("parameters.csv"), "g_ore,", "0.010", "1.5");
  EXPECT_EQ(read_error(copy.case_dir()).rfind(where + " column 'value': parameter 'g_ore' (kind fraction)", 0), 0u)
      << read_error(copy.case_dir());
}

TEST(MiningCaseBadInput, MisspeltNameInExpressionNamesFileAndLine) {
  CorruptedCopy copy;
  const std::string where =
      copy.corrupt(copy.case_file("variables.csv"), "slag_t_per_h,", "k_slag_t_per_t", "k_slag_t_per_tt");
  EXPECT_NE(read_error(copy.case_dir()).find(where + " column 'expression': unknown name 'k_slag_t_per_tt'"),
            std::string::npos)
      << read_error(copy.case_dir());
}

TEST(MiningCaseBadInput, UnknownFlowInModesNamesFileAndLine) {
  CorruptedCopy copy;
  const std::string where = copy.corrupt(copy.case_file("modes.csv"), "m3,", "scrap_to_smelter", "scrap_to_smelterr");
  EXPECT_EQ(
      read_error(copy.case_dir()).rfind(where + " column 'flows': mode 'm3' names unknown flow 'scrap_to_smelterr'", 0),
      0u)
      << read_error(copy.case_dir());
}

TEST(MiningCaseBadInput, OptionDefaultDisagreeingWithParametersIsRefused) {
  CorruptedCopy copy;
  (void)copy.corrupt(copy.case_file("options.csv"), "baseline_acid,half_neutralised,", ",0.5,", ",0.6,");
  const std::string error = read_error(copy.case_dir());
  EXPECT_NE(
      error.find(
          "options.csv:5: column 'value': option 'baseline_acid': default choice 'half_neutralised' sets 'f_neut'"),
      std::string::npos)
      << error;
}

TEST(MiningCaseBadInput, NegativeNominalFlowNamesFlowModeAndLine) {
  // y_sand + y_fines > 1 leaves a negative coarse-aggregate yield.
  const std::string error = read_error(CASE_DIR, [] {
    PlanOptions o;
    o.overrides.emplace_back("y_sand", 0.95);
    return o;
  }());
  EXPECT_NE(error.find("flows.csv:"), std::string::npos) << error;
  EXPECT_NE(error.find("negative nominal flow 'aggregate_to_market' in mode 'm2'"), std::string::npos) << error;
}

TEST(MiningCaseBadInput, DistributionsUnitMismatchNamesFileLineAndParameter) {
  CorruptedCopy copy;
  const std::string where = copy.corrupt(copy.distributions(), "Q_ore_t_per_h,", ",t/h,", ",kg/h,");
  const BalancePlan plan = BalancePlan::compile(read_case(CASE_DIR));
  const std::string error = input_error_of([&] { (void)read_distributions(copy.distributions(), plan.parameters()); });
  EXPECT_EQ(error.rfind(where + " column 'unit' (parameter 'Q_ore_t_per_h')", 0), 0u) << error;
}

TEST(MiningCaseBadInput, DistributionsNominalOutsideSupportIsRefused) {
  CorruptedCopy copy;
  // g_ore's nominal 0.010 falls outside a triangle on [0.011, 0.015].
  const std::string where = copy.corrupt(copy.distributions(), "g_ore,", ",0.006,", ",0.011,");
  const BalancePlan plan = BalancePlan::compile(read_case(CASE_DIR));
  const std::string error = input_error_of([&] { (void)read_distributions(copy.distributions(), plan.parameters()); });
  EXPECT_EQ(error.rfind(where, 0), 0u) << error;
  EXPECT_NE(error.find("g_ore"), std::string::npos) << error;
}

}  // namespace
}  // namespace symbiomc
