#pragma once
// What the sampling commands load before they run: a case compiled into a plan plus its
// distributions (and optional rank correlations) bound together as a Model, or a built-in
// analytic model; and the provenance that goes into every result file.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "symbiomc/balance/balance.hpp"
#include "symbiomc/case/network.hpp"
#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"
#include "symbiomc/report/provenance.hpp"

namespace symbiomc::cli {

struct StudyInputs {
  std::string case_dir;
  std::string distributions;
  std::string correlations;  ///< explicit file; "" = <distributions stem>.corr.csv when it exists
  bool no_correlations = false;
  std::vector<std::string> sets, options;
  /// --override-distributions: where a chosen option sets a parameter that the distributions
  /// file perturbs or pins, the option's value is used and that row is dropped (else refused).
  bool override_distributions = false;
  std::string model_spec;  ///< --model (built-in analytic model) instead of a case
};

struct Study {
  std::optional<Network> network;
  std::optional<BalancePlan> plan;
  std::optional<Problem> problem;
  std::unique_ptr<Model> model;
  Provenance provenance;
};

/// Loads and validates everything; throws InputError naming the file, line and column.
[[nodiscard]] std::unique_ptr<Study> load_study(const StudyInputs& inputs);

}  // namespace symbiomc::cli
