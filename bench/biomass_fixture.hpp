#pragma once
// The bundled biomass case compiled and bound to distributions/biomass.csv, shared by the
// benchmark programs (bench_balance, bench_distributions, bench_uncertainty, bench_sobol).

#include <cstddef>
#include <string>

#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/distributions_csv.hpp"

namespace symbiomc::bench {

inline const std::string BIOMASS_CASE_DIR = std::string(SYMBIOMC_SOURCE_DIR) + "/cases/biomass";
inline const std::string BIOMASS_DISTRIBUTIONS = std::string(SYMBIOMC_SOURCE_DIR) + "/distributions/biomass.csv";

/// The biomass case with its first `modes` modes (0 = all five): independent operation, then
/// m1..m4, each extending the previous one, so dropping trailing modes leaves a valid case.
inline Network biomass_network(std::size_t modes = 0) {
  Network network = read_case(BIOMASS_CASE_DIR);
  if (modes > 0 && modes < network.modes.size()) network.modes.resize(modes);
  return network;
}

/// Plan, problem and model together (CaseModel keeps references: not movable).
struct Biomass {
  explicit Biomass(std::size_t modes = 0)
      : plan(BalancePlan::compile(biomass_network(modes))),
        problem(read_distributions(BIOMASS_DISTRIBUTIONS, plan.parameters())),
        model(plan, problem) {}
  Biomass(const Biomass&) = delete;
  Biomass& operator=(const Biomass&) = delete;
  BalancePlan plan;
  Problem problem;
  CaseModel model;
};

}  // namespace symbiomc::bench
