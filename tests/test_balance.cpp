#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/random/uniform_real_distribution.hpp>

#include "support/paths.hpp"
#include "support/random.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"

// The balance engine on hand-balanced networks in tests/data/networks/ whose every number is
// worked out below: a linear chain with three modes (chain), a linear recycle loop with a
// closed form (recycle), two non-affine loops with closed forms (nonlinear_loop); then the
// run statuses, the lane independence of a workspace, and per-process mass/energy sums.
//
// Tolerances: a linear chain or an LU solve of a well-conditioned 2x2 system accumulates a
// few roundings of decimal inputs, so results are within 1e-12 relative of the hand value.
// Fixed-point loops stop when a step falls below the case's tolerance (1e-12 relative in
// nonlinear_loop); with contraction rate q the remaining error is at most q/(1-q) times that
// step (q <= 0.8 here, so at most 4 steps), hence 1e-10 relative leaves a wide margin.

namespace symbiomc {
namespace {

constexpr double LINEAR_REL = 1e-12;
constexpr double FIXED_POINT_REL = 1e-10;

std::string network_dir(std::string_view name) { return test::TEST_DATA + "/networks/" + std::string(name); }

void expect_rel(double actual, double expected, double rel, const std::string& what) {
  EXPECT_NEAR(actual, expected, rel * std::abs(expected)) << what;
}

/// A compiled case and one workspace over it (not movable: the workspace points at the plan).
class CompiledCase {
 public:
  explicit CompiledCase(const std::string& directory, const PlanOptions& options = {}, std::size_t width = 1)
      : plan_(BalancePlan::compile(read_case(directory), options)), workspace_(plan_, width) {}
  CompiledCase(const CompiledCase&) = delete;
  CompiledCase& operator=(const CompiledCase&) = delete;

  [[nodiscard]] const BalancePlan& plan() const { return plan_; }
  [[nodiscard]] BalanceWorkspace& workspace() { return workspace_; }
  [[nodiscard]] std::size_t mode(std::string_view id) const { return plan_.mode_index(id); }

  void set(std::string_view parameter, std::size_t lane, double value) {
    workspace_.set_parameter(plan_.parameter_index(parameter), lane, value);
  }
  void run(std::size_t lanes = 1) { evaluate(plan_, workspace_, lanes); }
  [[nodiscard]] RunStatus status(std::string_view mode_id, std::size_t lane = 0) const {
    return workspace_.status(mode(mode_id), lane);
  }
  /// Value of a flow, variable or output of a mode.
  [[nodiscard]] double value(std::string_view mode_id, std::string_view name, std::size_t lane = 0) const {
    const PlanMode& m = plan_.modes()[mode(mode_id)];
    for (const PlanQuantity& q : m.outputs)
      if (q.name == name) return workspace_.value(q.slot, lane);
    for (const PlanQuantity& q : m.variables)
      if (q.name == name) return workspace_.value(q.slot, lane);
    for (const PlanFlow& f : m.flows)
      if (plan_.network().flows[f.flow].id == name) return workspace_.value(f.slot, lane);
    ADD_FAILURE() << "mode '" << mode_id << "' has no quantity '" << name << "'";
    return NAN;
  }
  [[nodiscard]] bool flow_active(std::string_view mode_id, std::string_view flow) const {
    for (const PlanFlow& f : plan_.modes()[mode(mode_id)].flows)
      if (plan_.network().flows[f.flow].id == flow) return f.active;
    ADD_FAILURE() << "no flow '" << flow << "'";
    return false;
  }
  [[nodiscard]] bool process_active(std::string_view mode_id, std::string_view process) const {
    const auto& processes = plan_.network().processes;
    for (std::size_t p = 0; p < processes.size(); ++p)
      if (processes[p].id == process) return plan_.modes()[mode(mode_id)].active_processes[p];
    ADD_FAILURE() << "no process '" << process << "'";
    return false;
  }

 private:
  BalancePlan plan_;
  BalanceWorkspace workspace_;
};

/// Runs `action`, expects an InputError whose what() contains every piece of `expected`.
template <typename Action>
void expect_input_error(Action action, const std::vector<std::string>& expected) {
  try {
    action();
    ADD_FAILURE() << "no InputError thrown";
  } catch (const InputError& e) {
    const std::string what = e.what();
    for (const auto& piece : expected)
      EXPECT_NE(what.find(piece), std::string::npos) << "'" << piece << "' not in:\n" << what;
  }
}

// ---------------------------------------------------------------------------------------
// chain: fuel 2 t/h x 10 MJ/kg = 20 000 MJ/h; boiler 90 % -> 18 000 MJ/h steam (or heat when
// the boiler runs alone); turbine 30 % -> 1.5 MW, 10 % lost, the rest (10 800 MJ/h) to
// users, of which 10 % of the steam (1 800 MJ/h) goes to the dryer when it runs; ash 10 %.
// ---------------------------------------------------------------------------------------

TEST(LinearChain, FlowsAndOutputsMatchTheHandBalance) {
  CompiledCase chain(network_dir("chain"));
  chain.run();
  struct Expected {
    const char* mode;
    const char* name;
    double value;
  };
  const std::vector<Expected> expected = {
      {"alone", "fuel_in", 2.0},
      {"alone", "ash_out", 0.2},
      {"alone", "fuel_energy_MJ_h", 20000.0},
      {"alone", "boiler_heat_direct", 18000.0},
      {"alone", "heat_MJ_per_h", 18000.0},
      {"alone", "specific_heat_MJ_per_t", 9000.0},
      {"cogen", "steam_to_turbine", 18000.0},
      {"cogen", "power_out", 1.5},
      {"cogen", "heat_out", 10800.0},
      {"cogen", "heat_MJ_per_h", 10800.0},
      {"cogen", "power_MW", 1.5},
      {"cogen", "extra_heat_MJ_per_h", -7200.0},
      {"cogen", "extra_power_MW", 1.5},
      {"cogen", "specific_heat_MJ_per_t", 5400.0},
      {"drying", "heat_to_dryer", 1800.0},
      {"drying", "heat_out", 9000.0},
      {"drying", "heat_MJ_per_h", 9000.0},
      {"drying", "extra_heat_MJ_per_h", -9000.0},
      {"drying", "power_MW", 1.5},
      {"drying", "specific_heat_MJ_per_t", 4500.0},
  };
  for (const auto& e : expected) {
    ASSERT_EQ(chain.status(e.mode), RunStatus::ok) << e.mode;
    expect_rel(chain.value(e.mode, e.name), e.value, LINEAR_REL, std::string(e.mode) + "." + e.name);
  }
}

TEST(LinearChain, ProcessBalancesSumMassAndEnergyInAndOut) {
  CompiledCase chain(network_dir("chain"));
  chain.run();
  struct Expected {
    const char* process;
    double mass_in, mass_out, energy_in, energy_out;
  };
  auto check = [&](std::string_view mode, const std::vector<Expected>& expected) {
    const auto balances = process_balances(chain.plan(), chain.workspace(), chain.mode(mode), 0);
    ASSERT_EQ(balances.size(), expected.size()) << "non-external processes running in " << mode;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const std::string where = std::string(mode) + "." + expected[i].process;
      EXPECT_EQ(balances[i].process, expected[i].process);
      expect_rel(balances[i].mass_in_t_per_h, expected[i].mass_in, LINEAR_REL, where + " mass in");
      expect_rel(balances[i].mass_out_t_per_h, expected[i].mass_out, LINEAR_REL, where + " mass out");
      expect_rel(balances[i].energy_in_MJ_per_h, expected[i].energy_in, LINEAR_REL, where + " energy in");
      expect_rel(balances[i].energy_out_MJ_per_h, expected[i].energy_out, LINEAR_REL, where + " energy out");
    }
  };
  // Boiler: fuel in (2 t/h, 20 000 MJ/h); ash out (0.2 t/h, no energy factor) and steam or
  // heat out (18 000 MJ/h, no mass factor). Turbine: 1.5 MW x 3600 + 10 800 = 16 200 MJ/h out.
  check("alone", {{"boiler", 2.0, 0.2, 20000.0, 18000.0}});
  check("cogen", {{"boiler", 2.0, 0.2, 20000.0, 18000.0}, {"turbine", 0.0, 0.0, 18000.0, 16200.0}});
  check("drying", {{"boiler", 2.0, 0.2, 20000.0, 18000.0},
                   {"turbine", 0.0, 0.0, 18000.0, 16200.0},
                   {"dryer", 0.0, 0.0, 1800.0, 0.0}});
  const auto drying = process_balances(chain.plan(), chain.workspace(), chain.mode("drying"), 0);
  expect_rel(drying[1].energy_closure_MJ_per_h(), 1800.0, LINEAR_REL, "turbine loss = 10 % of 18 000 MJ/h");
  expect_rel(drying[0].mass_closure_t_per_h(), 1.8, LINEAR_REL, "boiler: flue gas not listed in the case");
}

TEST(Modes, InactiveFlowsAreExactlyZero) {
  CompiledCase chain(network_dir("chain"));
  chain.run();
  for (const char* flow : {"steam_to_turbine", "power_out", "heat_out", "heat_to_dryer"}) {
    EXPECT_FALSE(chain.flow_active("alone", flow)) << flow;
    EXPECT_EQ(chain.value("alone", flow), 0.0) << flow;
  }
  for (const char* flow : {"boiler_heat_direct", "heat_to_dryer"}) {
    EXPECT_FALSE(chain.flow_active("cogen", flow)) << flow;
    EXPECT_EQ(chain.value("cogen", flow), 0.0) << flow;
  }
  EXPECT_EQ(chain.value("alone", "power_MW"), 0.0);
}

TEST(Modes, ActiveIsOneOrZeroPerMode) {
  CompiledCase chain(network_dir("chain"));
  chain.run();
  EXPECT_EQ(chain.value("alone", "turbine_running"), 0.0);
  EXPECT_EQ(chain.value("cogen", "turbine_running"), 1.0);
  EXPECT_EQ(chain.value("drying", "turbine_running"), 1.0);
  EXPECT_EQ(chain.value("alone", "dryer_running"), 0.0);
  EXPECT_EQ(chain.value("cogen", "dryer_running"), 0.0);
  EXPECT_EQ(chain.value("drying", "dryer_running"), 1.0);
}

TEST(Modes, BaseNameReadsTheBaselineOfTheSameLane) {
  CompiledCase chain(network_dir("chain"), {}, 2);
  chain.set("fuel_t_h", 1, 4.0);  // lane 1 doubles the fuel: its baseline heat doubles too
  chain.run(2);
  for (const char* mode : {"alone", "cogen", "drying"}) {
    expect_rel(chain.value(mode, "base_heat_MJ_per_h", 0), 18000.0, LINEAR_REL, mode);
    expect_rel(chain.value(mode, "base_heat_MJ_per_h", 1), 36000.0, LINEAR_REL, mode);
  }
  // In the baseline itself base.x is x, so an extra is exactly zero.
  EXPECT_EQ(chain.value("alone", "extra_heat_MJ_per_h", 0), 0.0);
  EXPECT_EQ(chain.value("alone", "extra_heat_MJ_per_h", 1), 0.0);
  expect_rel(chain.value("cogen", "extra_heat_MJ_per_h", 1), 21600.0 - 36000.0, LINEAR_REL, "cogen lane 1");
}

TEST(Modes, ExtendsAccumulatesProcessesAndFlows) {
  CompiledCase chain(network_dir("chain"));
  const Network& network = chain.plan().network();
  const Mode* drying = network.find_mode("drying");
  ASSERT_NE(drying, nullptr);
  EXPECT_EQ(drying->processes, std::vector<std::string>{"dryer"});  // its own list only
  const auto processes = network.active_processes(*drying);
  const auto flows = network.active_flows(*drying);
  for (const char* p : {"supply", "boiler", "turbine", "grid", "users", "disposal", "dryer"}) {
    EXPECT_NE(std::find(processes.begin(), processes.end(), p), processes.end()) << p;
    EXPECT_TRUE(chain.process_active("drying", p)) << p;
  }
  for (const char* f : {"fuel_in", "ash_out", "steam_to_turbine", "power_out", "heat_out", "heat_to_dryer"}) {
    EXPECT_NE(std::find(flows.begin(), flows.end(), f), flows.end()) << f;
    EXPECT_TRUE(chain.flow_active("drying", f)) << f;
  }
  EXPECT_FALSE(chain.flow_active("drying", "boiler_heat_direct"));
  EXPECT_FALSE(chain.process_active("cogen", "dryer"));
  EXPECT_FALSE(chain.process_active("alone", "turbine"));
}

// ---------------------------------------------------------------------------------------
// recycle: mix_out = feed + recycle, recycle = r * mix_out (a loop of two flows), so
// recycle = r F / (1 - r), mix_out = F / (1 - r), product = F. F = 10 t/h, r = 0.25.
// ---------------------------------------------------------------------------------------

TEST(RecycleLoop, LinearSolveMatchesTheClosedForm) {
  const std::vector<double> fractions = {0.25, 0.0, 0.1, 0.5, 0.9, 0.99};
  CompiledCase recycle(network_dir("recycle"), {}, fractions.size());
  for (std::size_t lane = 0; lane < fractions.size(); ++lane) recycle.set("recycle_frac", lane, fractions[lane]);
  recycle.run(fractions.size());
  const double feed = 10.0;
  for (std::size_t lane = 0; lane < fractions.size(); ++lane) {
    const double r = fractions[lane];
    const std::string where = "r = " + std::to_string(r);
    ASSERT_EQ(recycle.status("recycling", lane), RunStatus::ok) << where;
    // r = 0.99 would need thousands of fixed-point iterations to reach 1e-12 (rate 0.99):
    // hitting the closed form within the default cap of 200 shows the loop took the LU path.
    expect_rel(recycle.value("recycling", "recycle", lane), r * feed / (1 - r), LINEAR_REL, where);
    expect_rel(recycle.value("recycling", "mix_out", lane), feed / (1 - r), LINEAR_REL, where);
    expect_rel(recycle.value("recycling", "product", lane), feed, LINEAR_REL, where);
    expect_rel(recycle.value("recycling", "extra_throughput_t_per_h", lane), r * feed / (1 - r), LINEAR_REL, where);
    expect_rel(recycle.value("recycling", "recycle_ratio", lane), r / (1 - r), LINEAR_REL, where);
    EXPECT_EQ(recycle.value("once_through", "mix_out", lane), feed) << where;
  }
}

TEST(RecycleLoop, FullRecycleIsSingularNotANumber) {
  CompiledCase recycle(network_dir("recycle"), {}, 2);
  recycle.set("recycle_frac", 1, 1.0);  // in its domain [0, 1], but I - A is singular
  recycle.run(2);
  EXPECT_EQ(recycle.status("recycling", 0), RunStatus::ok);
  EXPECT_EQ(recycle.status("recycling", 1), RunStatus::singular_recycle);
  EXPECT_EQ(recycle.status("once_through", 1), RunStatus::ok);  // the baseline has no loop
  EXPECT_TRUE(std::isnan(recycle.value("recycling", "recycle", 1)));
}

TEST(RecycleLoop, FullRecycleAtCompileTimeIsAnInputError) {
  PlanOptions options;
  options.overrides = {{"recycle_frac", 1.0}};
  expect_input_error([&] { (void)BalancePlan::compile(read_case(network_dir("recycle")), options); },
                     {"mode 'recycling': the recycle loop of ",
                      "has no unique solution at nominal values (its linear system is singular)"});
}

TEST(RecycleLoop, ProcessMassBalancesCloseAroundTheLoop) {
  CompiledCase recycle(network_dir("recycle"));
  recycle.run();
  const double through = 40.0 / 3.0;  // F / (1 - r)
  const auto balances = process_balances(recycle.plan(), recycle.workspace(), recycle.mode("recycling"), 0);
  ASSERT_EQ(balances.size(), 3u);
  for (const auto& b : balances) {
    expect_rel(b.mass_in_t_per_h, through, LINEAR_REL, b.process + " in");
    expect_rel(b.mass_out_t_per_h, through, LINEAR_REL, b.process + " out");
    EXPECT_EQ(b.energy_in_MJ_per_h, 0.0);  // slurry has no energy factor
  }
}

// ---------------------------------------------------------------------------------------
// nonlinear_loop: product = F * e0 / (1 + k * product) (division by a loop quantity):
//   k p^2 + p - F e0 = 0  =>  p = (sqrt(1 + 4 k F e0) - 1) / (2 k);
// steam = E * pwl(curve, steam) with the curve linear from (0, a) to (20 000, b):
//   s = E (a + (b - a) s / 20000)  =>  s = E a / (1 - E (b - a) / 20000).
// F = 10, e0 = 0.5, k = 0.1: p = (sqrt(3) - 1) / 0.2; E = 10 000, a = 0.9, b = 0.7: s = 9000 / 1.1.
// ---------------------------------------------------------------------------------------

double inhibited_product(double feed, double e0, double k) { return (std::sqrt(1 + 4 * k * feed * e0) - 1) / (2 * k); }
double loaded_steam(double energy, double a, double b) { return energy * a / (1 - energy * (b - a) / 20000.0); }

TEST(FixedPointLoop, DivisionByALoopQuantityConvergesToTheClosedForm) {
  // k <= 1 keeps the contraction rate per iteration at or below 0.8, so 200 iterations
  // reach the 1e-12 step (k = 5 would need about 290: see SlowContractionReportsNotConverged).
  const std::vector<double> inhibitions = {0.1, 0.01, 0.5, 1.0};
  CompiledCase loop(network_dir("nonlinear_loop"), {}, inhibitions.size());
  for (std::size_t lane = 0; lane < inhibitions.size(); ++lane) loop.set("inhibition_h_per_t", lane, inhibitions[lane]);
  loop.run(inhibitions.size());
  for (std::size_t lane = 0; lane < inhibitions.size(); ++lane) {
    const std::string where = "k = " + std::to_string(inhibitions[lane]);
    ASSERT_EQ(loop.status("plant", lane), RunStatus::ok) << where;
    const double p = inhibited_product(10.0, 0.5, inhibitions[lane]);
    expect_rel(loop.value("plant", "product_out", lane), p, FIXED_POINT_REL, where);
    expect_rel(loop.value("plant", "yield_frac", lane), p / 10.0, FIXED_POINT_REL, where);
    expect_rel(loop.value("plant", "residue_out", lane), 10.0 - p, FIXED_POINT_REL, where);
  }
  expect_rel(loop.value("plant", "product_out", 0), (std::sqrt(3.0) - 1) / 0.2, FIXED_POINT_REL, "nominal");
}

TEST(FixedPointLoop, PwlOfALoopQuantityConvergesToTheClosedForm) {
  const std::vector<double> fuels = {1.0, 0.5, 1.5, 0.0};
  CompiledCase loop(network_dir("nonlinear_loop"), {}, fuels.size());
  for (std::size_t lane = 0; lane < fuels.size(); ++lane) loop.set("fuel_t_h", lane, fuels[lane]);
  loop.run(fuels.size());
  for (std::size_t lane = 0; lane < fuels.size(); ++lane) {
    const std::string where = "fuel = " + std::to_string(fuels[lane]);
    ASSERT_EQ(loop.status("plant", lane), RunStatus::ok) << where;
    const double s = loaded_steam(fuels[lane] * 10000.0, 0.9, 0.7);  // stays inside the curve's [0, 20 000]
    EXPECT_NEAR(loop.value("plant", "steam_out", lane), s, FIXED_POINT_REL * s) << where;
  }
  expect_rel(loop.value("plant", "steam_MJ_per_h", 0), 9000.0 / 1.1, FIXED_POINT_REL, "nominal");
  expect_rel(loop.value("plant", "eta_boiler", 0), 0.9 / 1.1, FIXED_POINT_REL, "nominal efficiency");
}

TEST(FixedPointLoop, SlowContractionReportsNotConverged) {
  // The two members update together, so the rate per iteration is sqrt(k p / (1 + k p)).
  // k = 5: p = 0.905, rate 0.906: 200 iterations shrink the first step (~5) only to ~1e-8,
  // far above the 1e-12 the case asks for. k = 1e6: p = 2.2e-3, rate 0.99978.
  CompiledCase loop(network_dir("nonlinear_loop"), {}, 4);
  loop.set("inhibition_h_per_t", 1, 1e6);
  loop.set("inhibition_h_per_t", 3, 5.0);
  loop.run(4);
  EXPECT_EQ(loop.status("plant", 0), RunStatus::ok);
  EXPECT_EQ(loop.status("plant", 1), RunStatus::not_converged);
  EXPECT_EQ(loop.status("plant", 2), RunStatus::ok);  // a neighbour's failure does not leak
  EXPECT_EQ(loop.status("plant", 3), RunStatus::not_converged);
}

TEST(FixedPointLoop, NominalNonConvergenceIsAnInputError) {
  PlanOptions options;
  options.overrides = {{"inhibition_h_per_t", 1e6}};
  expect_input_error(
      [&] { (void)BalancePlan::compile(read_case(network_dir("nonlinear_loop")), options); },
      {"mode 'plant': the recycle loop of ", "does not converge within 200 iterations at nominal values"});
}

// ---------------------------------------------------------------------------------------
// Run statuses
// ---------------------------------------------------------------------------------------

TEST(RunStatusOfBalance, NegativeFlowInAPerturbedRun) {
  // eta_turbine = 0.95 leaves 1 - 0.95 - 0.1 = -5 % of the steam for heat_out: -900 MJ/h.
  CompiledCase chain(network_dir("chain"), {}, 2);
  chain.set("eta_turbine", 1, 0.95);
  chain.run(2);
  EXPECT_EQ(chain.status("alone", 1), RunStatus::ok);  // the turbine does not run there
  EXPECT_EQ(chain.status("cogen", 1), RunStatus::negative_flow);
  EXPECT_EQ(chain.status("drying", 1), RunStatus::negative_flow);
  EXPECT_EQ(chain.status("cogen", 0), RunStatus::ok);
  expect_rel(chain.value("cogen", "heat_out", 1), -900.0, LINEAR_REL, "the failed run's flow");
}

TEST(RunStatusOfBalance, NegativeNominalFlowIsAnInputErrorNamingFlowAndMode) {
  PlanOptions options;
  options.overrides = {{"eta_turbine", 0.95}};
  const std::string flows = network_dir("chain") + "/flows.csv:7: column 'quantity': negative nominal flow 'heat_out'";
  const std::vector<std::pair<std::string, double>> expected = {
      {flows + " in mode 'cogen': expected >= 0, got ", -900.0},    // 18 000 x (1 - 0.95 - 0.1)
      {flows + " in mode 'drying': expected >= 0, got ", -2700.0},  // ... - 1 800 to the dryer
  };
  try {
    (void)BalancePlan::compile(read_case(network_dir("chain")), options);
    ADD_FAILURE() << "no InputError thrown";
  } catch (const InputError& e) {
    const std::string what = e.what();
    for (const auto& [prefix, value] : expected) {
      const auto at = what.find(prefix);
      ASSERT_NE(at, std::string::npos) << "'" << prefix << "' not in:\n" << what;
      // The value is printed with 17 digits (-899.99999999999932): compare it as a number.
      expect_rel(std::stod(what.substr(at + prefix.size())), value, LINEAR_REL, prefix);
    }
  }
}

TEST(RunStatusOfBalance, ParameterOutsideItsDomainFailsEveryMode) {
  CompiledCase chain(network_dir("chain"), {}, 4);
  chain.set("eta_turbine", 1, 1.5);  // efficiency: (0, 1]
  chain.set("fuel_t_h", 2, -1.0);    // nonnegative
  chain.set("ash_frac", 3, NAN);     // not finite
  chain.run(4);
  for (const char* mode : {"alone", "cogen", "drying"}) {
    EXPECT_EQ(chain.status(mode, 0), RunStatus::ok) << mode;
    for (std::size_t lane = 1; lane < 4; ++lane)
      EXPECT_EQ(chain.status(mode, lane), RunStatus::out_of_domain) << mode << lane;
  }
}

TEST(RunStatusOfBalance, DivisionByZeroIsNonFinite) {
  // specific_heat = heat / fuel_in: 0 / 0 without fuel, in every mode.
  CompiledCase chain(network_dir("chain"), {}, 2);
  chain.set("fuel_t_h", 1, 0.0);
  chain.run(2);
  for (const char* mode : {"alone", "cogen", "drying"}) {
    EXPECT_EQ(chain.status(mode, 0), RunStatus::ok) << mode;
    EXPECT_EQ(chain.status(mode, 1), RunStatus::non_finite) << mode;
  }
}

TEST(RunStatusOfBalance, ReevaluationStartsFromCleanStatuses) {
  CompiledCase chain(network_dir("chain"));
  chain.set("fuel_t_h", 0, 0.0);
  chain.run();
  ASSERT_EQ(chain.status("cogen"), RunStatus::non_finite);
  chain.workspace().reset_parameters();
  chain.run();
  EXPECT_EQ(chain.status("cogen"), RunStatus::ok);
  expect_rel(chain.value("cogen", "power_MW"), 1.5, LINEAR_REL, "after reset");
}

// ---------------------------------------------------------------------------------------
// Lanes: a lane's result depends on its own parameters only, not on the workspace width or
// on which other runs share the block - bit for bit, failed lanes included.
// ---------------------------------------------------------------------------------------

struct Injection {
  std::size_t lane;
  const char* parameter;
  double value;
  RunStatus expected;  ///< a status at least one mode of that lane must show (ok: a hard but valid run)
};

/// Every flow, variable and output of every mode, and the statuses, of one lane.
std::vector<double> lane_values(const BalancePlan& plan, const BalanceWorkspace& ws, std::size_t lane,
                                std::vector<RunStatus>& statuses) {
  std::vector<double> out;
  statuses.clear();
  for (std::size_t m = 0; m < plan.modes().size(); ++m) {
    const PlanMode& mode = plan.modes()[m];
    statuses.push_back(ws.status(m, lane));
    for (const auto& q : mode.outputs) out.push_back(ws.value(q.slot, lane));
    for (const auto& q : mode.variables) out.push_back(ws.value(q.slot, lane));
    for (const auto& f : mode.flows) out.push_back(ws.value(f.slot, lane));
  }
  return out;
}

void expect_lanes_independent(const std::string& directory, const std::vector<Injection>& injections) {
  SCOPED_TRACE(directory);
  constexpr std::size_t WIDTH = 64, LANES = 37;
  const BalancePlan plan = BalancePlan::compile(read_case(directory));
  const auto& parameters = plan.parameters();
  // 37 parameter vectors: every parameter scaled by a factor in [0.8, 1.2] (kept nominal
  // when that leaves its domain), then the injected failures.
  test::TestEngine engine(20240601);
  boost::random::uniform_real_distribution<double> factor(0.8, 1.2);
  std::vector<std::vector<double>> vectors(LANES, std::vector<double>(parameters.size()));
  for (auto& v : vectors)
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      const double x = parameters[p].nominal * factor(engine);
      v[p] = in_domain(x, parameters[p].domain) ? x : parameters[p].nominal;
    }
  for (const auto& injection : injections)
    vectors.at(injection.lane)[plan.parameter_index(injection.parameter)] = injection.value;

  BalanceWorkspace wide(plan, WIDTH);
  for (std::size_t lane = 0; lane < LANES; ++lane)
    for (std::size_t p = 0; p < parameters.size(); ++p) wide.set_parameter(p, lane, vectors[lane][p]);
  evaluate(plan, wide, LANES);

  std::size_t failed = 0;
  for (std::size_t lane = 0; lane < LANES; ++lane) {
    BalanceWorkspace alone(plan, 1);
    for (std::size_t p = 0; p < parameters.size(); ++p) alone.set_parameter(p, 0, vectors[lane][p]);
    evaluate(plan, alone, 1);
    std::vector<RunStatus> wide_status, alone_status;
    const auto a = lane_values(plan, wide, lane, wide_status);
    const auto b = lane_values(plan, alone, 0, alone_status);
    EXPECT_EQ(wide_status, alone_status) << "lane " << lane;
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << "lane " << lane << " differs";
    for (RunStatus s : wide_status) failed += s != RunStatus::ok ? 1 : 0;
  }
  for (const auto& injection : injections) {
    std::vector<RunStatus> statuses;
    (void)lane_values(plan, wide, injection.lane, statuses);
    EXPECT_NE(std::find(statuses.begin(), statuses.end(), injection.expected), statuses.end())
        << "lane " << injection.lane << " (" << injection.parameter << ") should fail as "
        << to_string(injection.expected);
  }
  EXPECT_GT(failed, 0u);
}

TEST(Lanes, ThirtySevenVectorsInWidthSixtyFourEqualSingleRunsBitForBit) {
  expect_lanes_independent(network_dir("chain"), {{5, "eta_turbine", 0.95, RunStatus::negative_flow},
                                                  {11, "fuel_t_h", 0.0, RunStatus::non_finite},
                                                  {36, "eta_boiler", 2.0, RunStatus::out_of_domain}});
  expect_lanes_independent(network_dir("recycle"), {{3, "recycle_frac", 1.0, RunStatus::singular_recycle},
                                                    {20, "recycle_frac", 0.999, RunStatus::ok}});
  expect_lanes_independent(network_dir("nonlinear_loop"), {{0, "inhibition_h_per_t", 1e6, RunStatus::not_converged},
                                                           {17, "inhibition_h_per_t", 5.0, RunStatus::not_converged},
                                                           {30, "fuel_t_h", 2.0, RunStatus::ok}});
  // The biomass case: pwl curves, per-mode variables, base.x and many modes at once.
  // Lane 8: no straw in the CHP makes its standalone efficiency 0 / 0.
  expect_lanes_independent(test::BIOMASS_CASE, {{7, "pyro_char_yield", 0.05, RunStatus::negative_flow},
                                                {8, "chp_straw_t_h", 0.0, RunStatus::non_finite},
                                                {19, "eta_e_solid_full", 1.5, RunStatus::out_of_domain}});
}

// ---------------------------------------------------------------------------------------
// Shared sub-expressions: the tape computes once what several modes (or one mode twice)
// compute with the same operation on the same operands. Same bits as the plain per-mode tape,
// for all modes at once and for one mode (only_mode), failed lanes and statuses included.
// ---------------------------------------------------------------------------------------

/// Values and statuses of the baseline and mode `only` (every mode when only = -1), lanes [0, n).
std::vector<double> evaluated(const BalancePlan& plan, const std::vector<std::vector<double>>& vectors,
                              std::size_t only, std::vector<RunStatus>& statuses) {
  BalanceWorkspace ws(plan, 64);
  for (std::size_t lane = 0; lane < vectors.size(); ++lane)
    for (std::size_t p = 0; p < plan.parameters().size(); ++p) ws.set_parameter(p, lane, vectors[lane][p]);
  evaluate(plan, ws, vectors.size(), only);
  std::vector<double> out;
  statuses.clear();
  for (std::size_t lane = 0; lane < vectors.size(); ++lane)
    for (std::size_t m = 0; m < plan.modes().size(); ++m) {
      if (only != static_cast<std::size_t>(-1) && m != 0 && m != only) continue;
      const PlanMode& mode = plan.modes()[m];
      statuses.push_back(ws.status(m, lane));
      for (const auto& q : mode.outputs) out.push_back(ws.value(q.slot, lane));
      for (const auto& q : mode.variables) out.push_back(ws.value(q.slot, lane));
      for (const auto& f : mode.flows) {
        out.push_back(ws.value(f.slot, lane));
        if (f.has_energy) out.push_back(ws.value(f.energy_factor, lane));
        if (f.has_mass) out.push_back(ws.value(f.mass_factor, lane));
      }
    }
  return out;
}

void expect_sharing_changes_no_bit(const std::string& directory) {
  SCOPED_TRACE(directory);
  PlanOptions plain_options;
  plain_options.share_subexpressions = false;
  const BalancePlan shared = BalancePlan::compile(read_case(directory));
  const BalancePlan plain = BalancePlan::compile(read_case(directory), plain_options);
  EXPECT_EQ(plain.shared_code_begin(), plain.shared_code_end());
  EXPECT_LE(shared.instruction_count(), plain.instruction_count());
  // 50 vectors: parameters scaled by [0.5, 1.5], some set to 0, negative, NaN or 1.5.
  const auto& parameters = shared.parameters();
  test::TestEngine engine(77);
  boost::random::uniform_real_distribution<double> factor(0.5, 1.5), u(0.0, 1.0);
  std::vector<std::vector<double>> vectors(50, std::vector<double>(parameters.size()));
  for (auto& v : vectors)
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      const double draw = u(engine);
      v[p] = draw < 0.005   ? 0.0
             : draw < 0.007 ? -1.0
             : draw < 0.008 ? NAN
             : draw < 0.01  ? 1.5
                            : parameters[p].nominal * factor(engine);
    }
  for (std::size_t only : {static_cast<std::size_t>(-1), std::size_t{0}, std::size_t{1}, shared.modes().size() - 1}) {
    std::vector<RunStatus> shared_status, plain_status;
    const auto a = evaluated(shared, vectors, only, shared_status);
    const auto b = evaluated(plain, vectors, only, plain_status);
    EXPECT_EQ(shared_status, plain_status) << "only_mode " << static_cast<long long>(only);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0)
        << "only_mode " << static_cast<long long>(only);
    if (only == static_cast<std::size_t>(-1)) {  // failed lanes are compared too
      EXPECT_GT(
          std::count_if(shared_status.begin(), shared_status.end(), [](RunStatus s) { return s != RunStatus::ok; }), 0);
    }
  }
}

TEST(SharedSubexpressions, SameBitsAsThePlainTapeForAllModesAndForOneMode) {
  expect_sharing_changes_no_bit(network_dir("chain"));
  expect_sharing_changes_no_bit(network_dir("recycle"));
  expect_sharing_changes_no_bit(network_dir("nonlinear_loop"));
  expect_sharing_changes_no_bit(test::BIOMASS_CASE);
  expect_sharing_changes_no_bit(test::MINING_CASE);
}

TEST(SharedSubexpressions, BiomassModesShareWhatTheyComputeAlike) {
  PlanOptions plain_options;
  plain_options.share_subexpressions = false;
  const BalancePlan shared = BalancePlan::compile(read_case(test::BIOMASS_CASE));
  const BalancePlan plain = BalancePlan::compile(read_case(test::BIOMASS_CASE), plain_options);
  // The four synergy modes extend each other: most of their tape is the same arithmetic.
  EXPECT_LT(shared.instruction_count() * 3, plain.instruction_count() * 2)
      << shared.instruction_count() << " vs " << plain.instruction_count();
  EXPECT_GT(shared.shared_code_end(), shared.shared_code_begin());
  EXPECT_EQ(shared.shared_code_begin(), shared.modes()[0].code_end);
  EXPECT_EQ(shared.shared_code_end(), shared.modes()[1].code_begin);
}

TEST(ParameterDomains, InlineCheckMatchesTheDefinitionAtTheEdges) {
  const double max = std::numeric_limits<double>::max(), tiny = std::numeric_limits<double>::denorm_min();
  const std::vector<double> values = {
      0.0, -0.0, tiny,     -tiny,     1.0, std::nextafter(1.0, 2.0), std::nextafter(1.0, 0.0), -1.0, 2.0,
      max, -max, INFINITY, -INFINITY, NAN};
  for (const double x : values) {
    const bool finite = std::isfinite(x);
    EXPECT_EQ(in_domain(x, ParameterDomain::any), finite) << x;
    EXPECT_EQ(in_domain(x, ParameterDomain::nonnegative), finite && x >= 0.0) << x;
    EXPECT_EQ(in_domain(x, ParameterDomain::positive), finite && x > 0.0) << x;
    EXPECT_EQ(in_domain(x, ParameterDomain::fraction), finite && x >= 0.0 && x <= 1.0) << x;
    EXPECT_EQ(in_domain(x, ParameterDomain::efficiency), finite && x > 0.0 && x <= 1.0) << x;
  }
}

}  // namespace
}  // namespace symbiomc
