#pragma once
// A Python callable seen as a symbiomc Model, so the Sobol', Morris and Shapley studies drive a
// user's own function exactly as they drive a case: f maps an (n, d) float64 array of physical
// inputs to (n,) or (n, k) outputs, called once per block of runs. The studies run on TBB threads
// with the GIL released; evaluate() takes the GIL for the call alone. A non-finite output is a
// failed run (counted, never averaged in); an exception in f stops the study and is re-raised
// in Python by rethrow_if_failed().

#include <pybind11/pybind11.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "symbiomc/model/model.hpp"

namespace symbiomc::python {

class PythonModel final : public Model {
 public:
  /// `input_names` name the columns of the array f receives; `output_count` is k (1 for (n,)).
  PythonModel(pybind11::function function, const std::vector<std::string>& input_names, std::size_t output_count,
              bool one_dimensional);

  [[nodiscard]] const std::vector<ModelInput>& inputs() const noexcept override { return inputs_; }
  [[nodiscard]] const std::vector<ModelOutput>& outputs() const noexcept override { return outputs_; }
  [[nodiscard]] const std::vector<std::string>& modes() const noexcept override { return modes_; }
  [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace(std::size_t max_block) const override;
  /// Takes the GIL, calls f on the n rows of x and copies its result into y. Throws ModelError
  /// when f fails or returns the wrong shape (the Python exception is kept for rethrow_if_failed).
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& workspace, std::span<double> y,
                std::span<RunStatus> status) const override;

  /// Re-raises in Python the first exception f raised, if any. Call with the GIL held.
  void rethrow_if_failed() const;
  /// Set once f has failed: the study stops at its next poll instead of calling f again.
  [[nodiscard]] const std::atomic<bool>* failed() const noexcept { return &failed_; }

 private:
  void record_failure(pybind11::error_already_set&& error) const;

  pybind11::function function_;
  std::vector<ModelInput> inputs_;
  std::vector<ModelOutput> outputs_;
  std::vector<std::string> modes_{"model"};
  bool one_dimensional_;
  mutable std::atomic<bool> failed_{false};
  mutable std::mutex failure_mutex_;
  mutable std::optional<pybind11::error_already_set> failure_;
};

/// Calls `function` on one row (the inputs' medians) before a study, so that a function that
/// fails or returns the wrong shape is reported at once; returns k and whether f gave (n,).
struct OutputShape {
  std::size_t count = 1;
  bool one_dimensional = true;
};
[[nodiscard]] OutputShape probe_output_shape(const pybind11::function& function, const std::vector<double>& row);

}  // namespace symbiomc::python
