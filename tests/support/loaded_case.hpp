#pragma once
// A case read, compiled and bound to its distributions, as the CLI does it: shared by the
// tests that drive the samplers in-process. Not movable: CaseModel keeps references to the
// plan and the problem.

#include <string>

#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/network.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc::test {

struct LoadedCase {
  LoadedCase(const std::string& case_dir, const std::string& distributions)
      : network(read_case(case_dir)),
        plan(BalancePlan::compile(network)),
        problem(read_distributions(distributions, plan.parameters())),
        model(plan, problem) {}
  LoadedCase(const LoadedCase&) = delete;
  LoadedCase& operator=(const LoadedCase&) = delete;

  Network network;
  BalancePlan plan;
  Problem problem;
  CaseModel model;
};

}  // namespace symbiomc::test
