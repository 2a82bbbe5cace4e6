#pragma once
// A compiled case seen as a Model: the uncertain parameters of a Problem are its inputs, and
// every output of every mode (independent operation first) is an output. Lets the same
// samplers drive a symbiosis case and the built-in analytic functions.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "symbiomc/balance/balance.hpp"
#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

class CaseModel final : public Model {
 public:
  /// Lanes evaluated together by the balance tape (structure of arrays).
  static constexpr std::size_t LANES = 64;

  /// `plan` and `problem` must outlive the model. Fixed rows of the problem override the
  /// plan's nominal values; the problem must have been read against plan.parameters().
  CaseModel(const BalancePlan& plan, const Problem& problem);

  [[nodiscard]] const std::vector<ModelInput>& inputs() const noexcept override { return inputs_; }
  [[nodiscard]] const std::vector<ModelOutput>& outputs() const noexcept override { return outputs_; }
  [[nodiscard]] const std::vector<std::string>& modes() const noexcept override { return modes_; }
  [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace(std::size_t max_block) const override;
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                std::span<RunStatus> status) const override;

  [[nodiscard]] const BalancePlan& plan() const noexcept { return plan_; }

 private:
  const BalancePlan& plan_;
  std::vector<ModelInput> inputs_;
  std::vector<ModelOutput> outputs_;
  std::vector<std::string> modes_;
  std::vector<std::size_t> input_parameter_;  ///< plan parameter index of input i
  std::vector<std::uint32_t> output_slot_;    ///< balance slot of output j (mode-major, as outputs_)
  std::vector<std::pair<std::size_t, double>> fixed_;
};

}  // namespace symbiomc
