#pragma once
// Built-in analytic test functions (Ishigami, Sobol' G) behind the Model interface, with their
// exact Sobol' indices: the samplers and estimators are checked against known truth, and a user
// can run the whole tool on a function with known answers before trusting it on a symbiosis case.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "symbiomc/model/model.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

/// A model whose inputs are independent uniforms with known bounds. The driver maps unit points
/// to these bounds itself, so evaluate() receives physical x.
class AnalyticModel : public Model {
 public:
  [[nodiscard]] const std::vector<ModelInput>& inputs() const noexcept override { return inputs_; }
  [[nodiscard]] const std::vector<ModelOutput>& outputs() const noexcept override { return outputs_; }
  [[nodiscard]] const std::vector<std::string>& modes() const noexcept override { return modes_; }
  /// No scratch is needed; returns an empty workspace.
  [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace(std::size_t max_block) const override;
  /// [low, high] of the uniform distribution of each input, in inputs() order.
  [[nodiscard]] virtual std::vector<std::pair<double, double>> input_bounds() const = 0;

 protected:
  /// Inputs x1..x<n_inputs> (unit "1", nominal = centre of the bounds), one output "y" of mode "model".
  AnalyticModel(std::size_t n_inputs, double nominal);

 private:
  std::vector<ModelInput> inputs_;
  std::vector<ModelOutput> outputs_;
  std::vector<std::string> modes_;
};

/// Ishigami & Homma 1990: y = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U[-pi, pi].
class IshigamiModel final : public AnalyticModel {
 public:
  /// The usual a = 7, b = 0.1 (SALib's test function and most of the literature). Throws
  /// InputError if a or b is not finite.
  explicit IshigamiModel(double a = 7.0, double b = 0.1);
  [[nodiscard]] double a() const noexcept { return a_; }
  [[nodiscard]] double b() const noexcept { return b_; }
  [[nodiscard]] std::vector<std::pair<double, double>> input_bounds() const override;
  /// Writes y and status ok (non_finite only if x is not finite). Throws ModelError if a span is too short.
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                std::span<RunStatus> status) const override;

 private:
  double a_;
  double b_;
};

/// Sobol' G function (Saltelli & Sobol' 1995): y = prod_i (|4 x_i - 2| + a_i) / (1 + a_i),
/// x_i ~ U[0, 1]; small a_i = important factor, a_i >= 99 = practically inert.
class SobolGModel final : public AnalyticModel {
 public:
  /// Throws InputError if `a` is empty or some a_i is not a finite number >= 0.
  explicit SobolGModel(std::vector<double> a);
  [[nodiscard]] const std::vector<double>& a() const noexcept { return a_; }
  [[nodiscard]] std::vector<std::pair<double, double>> input_bounds() const override;
  /// Writes y and status ok (non_finite only if x is not finite). Throws ModelError if a span is too short.
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                std::span<RunStatus> status) const override;

 private:
  std::vector<double> a_;
};

/// Exact moments and Sobol' indices of an analytic model.
struct AnalyticIndices {
  double mean = 0.0;
  double variance = 0.0;
  std::vector<double> first;   ///< S1 per input
  std::vector<double> total;   ///< ST per input
  std::vector<double> second;  ///< S2 per pair_index(j, l) of base/pair_index.hpp: (0,1), (0,2), ..., (1,2), ...
};

/// Ishigami: V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0, V13 = b^2 pi^8 (1/18 - 1/50),
/// V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 (Homma & Saltelli 1996; Sobol' & Levitan 1999).
[[nodiscard]] AnalyticIndices ishigami_indices(double a = 7.0, double b = 0.1);

/// Sobol' G: V_i = 1/(3(1+a_i)^2), V = prod(1 + V_i) - 1, S1_i = V_i/V,
/// ST_i = V_i prod_{j != i}(1 + V_j)/V, S2_ij = V_i V_j / V (Saltelli & Sobol' 1995).
[[nodiscard]] AnalyticIndices sobol_g_indices(const std::vector<double>& a);

/// Builds a model from a command-line spec: "ishigami", "ishigami:a=7,b=0.1" (keys optional) or
/// "sobol-g:a=0,1,4.5,9,99". Throws InputError saying what was expected.
[[nodiscard]] std::unique_ptr<AnalyticModel> parse_model_spec(std::string_view spec);

/// The problem `--model SPEC` studies: every input independent and uniform on the model's
/// bounds, each in a Sobol' group of its own unless `groups` gives one group name per input.
/// Throws ModelError when `groups` is neither empty nor one name per input.
[[nodiscard]] Problem uniform_problem(const AnalyticModel& model, std::string_view spec,
                                      const std::vector<std::string>& groups = {});

}  // namespace symbiomc
