#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"

// Large cases (issue 15, item 14): a long chain of variables is read and compiled in about
// linear time, and a linear recycle loop is solved up to 256 quantities and refused past that
// with a message, instead of taking minutes (a dense LU per run grows as the cube of the size)
// or running out of memory. The cases are written by the tests: one flow f = p, and
// variables v0 ... v(n-1) in a chain or a ring.

namespace symbiomc {
namespace {

enum class Shape { chain, ring };

/// chain: v0 = p, v(i) = v(i-1) + 1. ring: v(i) = 0.5 * v(i+1 mod n) + p, so every v(i) = 2p.
void write_case(const std::filesystem::path& dir, Shape shape, std::size_t n) {
  using test::write_text;
  write_text(dir / "case.csv", "key,value,description\ntitle,Scale,\nsource,symbiomc tests,\n");
  write_text(dir / "processes.csv", "id,kind,name,description\na,external,,\nb,external,,\n");
  write_text(dir / "commodities.csv", "id,unit,energy_MJ_per_unit,mass_t_per_unit,description\nthing,t/h,,1,\n");
  write_text(dir / "flows.csv", "id,from,to,commodity,unit,quantity,description\nf,a,b,thing,t/h,p,\n");
  write_text(dir / "modes.csv", "id,name,baseline,extends,processes,flows,description\nonly,Only,yes,,a b,f,\n");
  write_text(dir / "parameters.csv", "name,value,unit,kind,source,description\np,1.5,1,any,test,\n");
  std::string variables = "name,unit,modes,expression,description\n";
  for (std::size_t i = 0; i < n; ++i) {
    const std::string expression = shape == Shape::chain
                                       ? (i == 0 ? std::string("p") : "v" + std::to_string(i - 1) + " + 1")
                                       : "0.5 * v" + std::to_string((i + 1) % n) + " + p";
    variables += "v" + std::to_string(i) + ",1,," + expression + ",\n";
  }
  write_text(dir / "variables.csv", variables);
  write_text(dir / "outputs.csv", "name,unit,expression,description\ny,1,v" + std::to_string(n - 1) + ",\n");
}

double nominal_output(const std::filesystem::path& dir) {
  const BalancePlan plan = BalancePlan::compile(read_case(dir.string()));
  BalanceWorkspace workspace(plan, 1);
  evaluate(plan, workspace, 1);
  EXPECT_EQ(workspace.status(0, 0), RunStatus::ok);
  return workspace.output(plan, 0, 0, 0);
}

TEST(LargeCases, ChainOfAHundredThousandVariablesIsReadAndCompiledInSeconds) {
  test::ScratchDir dir;
  constexpr std::size_t N = 100000;
  write_case(dir.path(), Shape::chain, N);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(nominal_output(dir.path()), 1.5 + static_cast<double>(N - 1));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // About 1 s here; comparing every pair of variable definitions took about 90 s. The bound
  // leaves room for a loaded machine or a sanitizer build.
  EXPECT_LT(seconds, 45.0);
}

TEST(LargeCases, LinearLoopOfTheLargestSizeIsSolved) {
  test::ScratchDir dir;
  write_case(dir.path(), Shape::ring, 256);
  EXPECT_NEAR(nominal_output(dir.path()), 3.0, 1e-12);
}

TEST(LargeCases, LargerLinearLoopIsRefusedWithExitTwoNamingItsFirstRow) {
  test::ScratchDir dir;
  for (const std::size_t n : {257, 10000}) {
    write_case(dir.path(), Shape::ring, n);
    const auto start = std::chrono::steady_clock::now();
    const test::CliRun r = test::run_symbiomc({"balance", "--case", dir.path().string()});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.code, 2) << n;
    const std::string expected = "variables.csv:2: column 'expression': mode 'only': the recycle loop of v0, v";
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is linear in " + std::to_string(n) + " quantities; at most 256 can be solved together"),
              std::string::npos)
        << r.err;
    EXPECT_LT(r.err.size(), 600u) << "the message lists a few names, not all " << n;
    EXPECT_LT(seconds, 30.0) << n << ": refused before any long computation";
  }
}

TEST(LargeCases, LargeNonLinearLoopNeedsNoLinearSystemBuffers) {
  // A fixed-point loop of 2000 quantities: the ring with v0 = 0.5 * v1 * v1 / 3 + p has the
  // same fixed point (all 2p = 3) and still contracts, but is not affine, so it iterates.
  // Before the workspaces were sized by the largest affine loop, each took (n + 1) * n
  // doubles per lane (2 GB at 64 lanes) for a linear system it never solves.
  test::ScratchDir dir;
  constexpr std::size_t N = 2000;
  write_case(dir.path(), Shape::ring, N);
  std::string variables = test::read_text(dir.path() / "variables.csv");
  const std::string first = "v0,1,,0.5 * v1 + p,";
  variables.replace(variables.find(first), first.size(), "v0,1,,0.5 * v1 * v1 / 3 + p,");
  test::write_text(dir.path() / "variables.csv", variables);
  const BalancePlan plan = BalancePlan::compile(read_case(dir.path().string()));
  EXPECT_EQ(plan.data().max_affine_loop_size, 0u);
  BalanceWorkspace workspace(plan, 64);
  evaluate(plan, workspace, 64);
  EXPECT_EQ(workspace.status(0, 0), RunStatus::ok);
  EXPECT_NEAR(workspace.output(plan, 0, 0, 0), 3.0, 1e-8);
}

}  // namespace
}  // namespace symbiomc
