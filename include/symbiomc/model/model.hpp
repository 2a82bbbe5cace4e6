#pragma once
// The seam between the samplers and whatever they evaluate: a symbiosis case's compiled
// balance plan or a built-in analytic test function (Ishigami, Sobol' G). Samplers only see
// this interface, so the same Monte Carlo and Sobol' drivers serve both. The virtual call is
// made once per block of runs, never per run.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

/// One uncertain input as the model exposes it.
struct ModelInput {
  std::string name;
  std::string unit;
  double nominal = 0.0;
};

/// One reported quantity: `output` of `mode` (for analytic models mode is "model", output "y").
struct ModelOutput {
  std::string mode;
  std::string output;
  std::string unit;
  std::size_t mode_index = 0;  ///< index into modes(): outputs of one mode share its RunStatus
};

/// Per-thread scratch for a model (slot arrays, solver buffers). Never shared between threads.
class ModelWorkspace {
 public:
  virtual ~ModelWorkspace() = default;
};

class Model {
 public:
  virtual ~Model() = default;
  /// The inputs the samplers set, in order (x[i] of a run is inputs()[i]).
  [[nodiscard]] virtual const std::vector<ModelInput>& inputs() const noexcept = 0;
  /// Flattened (mode, output) list; y[k] of a run is outputs()[k].
  [[nodiscard]] virtual const std::vector<ModelOutput>& outputs() const noexcept = 0;
  /// Mode names ("model" for analytic functions); statuses are reported per mode.
  [[nodiscard]] virtual const std::vector<std::string>& modes() const noexcept = 0;
  /// Scratch for evaluating up to `max_block` runs at once.
  [[nodiscard]] virtual std::unique_ptr<ModelWorkspace> make_workspace(std::size_t max_block) const = 0;
  /// Evaluates `n` runs. Input of run r is x[r * inputs().size() + i]; writes
  /// y[r * outputs().size() + k] and status[r * modes().size() + m]. Outputs of a mode whose
  /// status is not ok are unspecified and must be ignored. Thread-safe for distinct workspaces.
  virtual void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                        std::span<RunStatus> status) const = 0;
};

}  // namespace symbiomc
