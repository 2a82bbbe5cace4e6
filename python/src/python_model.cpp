#include "python_model.hpp"

#include <pybind11/numpy.h>

#include <cmath>
#include <cstring>

namespace symbiomc::python {

namespace py = pybind11;

namespace {

class EmptyWorkspace final : public ModelWorkspace {};

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// f's result as a C-contiguous float64 array of n rows, or a ModelError saying what came back.
DoubleArray checked_result(const py::object& result, std::size_t n, std::size_t k, bool one_dimensional) {
  DoubleArray out = DoubleArray::ensure(result);
  if (!out) throw ModelError("func: expected a numpy array of numbers, got " + std::string(py::str(result.get_type())));
  const bool shape_ok = one_dimensional ? out.ndim() == 1 && static_cast<std::size_t>(out.shape(0)) == n
                                        : out.ndim() == 2 && static_cast<std::size_t>(out.shape(0)) == n &&
                                              static_cast<std::size_t>(out.shape(1)) == k;
  if (!shape_ok) {
    std::string shape;
    for (py::ssize_t i = 0; i < out.ndim(); ++i) shape += (i ? ", " : "") + std::to_string(out.shape(i));
    throw ModelError(message("func: called on ", n, " rows, returned shape (", shape, "); expected (", n,
                             one_dimensional ? ",)" : message(", ", k, ")"), " as on the first call"));
  }
  return out;
}

}  // namespace

PythonModel::PythonModel(py::function function, const std::vector<std::string>& input_names, std::size_t output_count,
                         bool one_dimensional)
    : function_(std::move(function)), one_dimensional_(one_dimensional) {
  for (const auto& name : input_names) inputs_.push_back(ModelInput{name, "1", 0.0});
  for (std::size_t k = 0; k < output_count; ++k)
    outputs_.push_back(ModelOutput{"model", one_dimensional ? "y" : message("y", k), "1", 0});
}

std::unique_ptr<ModelWorkspace> PythonModel::make_workspace(std::size_t /*max_block*/) const {
  return std::make_unique<EmptyWorkspace>();
}

void PythonModel::record_failure(py::error_already_set&& error) const {
  const std::lock_guard lock(failure_mutex_);
  if (!failure_) failure_.emplace(std::move(error));
  failed_.store(true);
}

void PythonModel::evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& /*workspace*/, std::span<double> y,
                           std::span<RunStatus> status) const {
  const std::size_t d = inputs_.size(), k = outputs_.size();
  if (failed_.load()) throw ModelError("func raised an exception");
  py::gil_scoped_acquire gil;
  try {
    // Ctrl-C reaches Python's handler only through the main thread: check it there.
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    DoubleArray in({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(d)});
    std::memcpy(in.mutable_data(), x.data(), n * d * sizeof(double));
    const DoubleArray out = checked_result(function_(in), n, k, one_dimensional_);
    std::memcpy(y.data(), out.data(), n * k * sizeof(double));
  } catch (py::error_already_set& e) {
    record_failure(std::move(e));
    throw ModelError("func raised an exception");
  }
  for (std::size_t r = 0; r < n; ++r) {
    bool finite = true;
    for (std::size_t j = 0; j < k; ++j) finite = finite && std::isfinite(y[r * k + j]);
    status[r] = finite ? RunStatus::ok : RunStatus::non_finite;
  }
}

void PythonModel::rethrow_if_failed() const {
  const std::lock_guard lock(failure_mutex_);
  if (failure_) throw *failure_;
}

OutputShape probe_output_shape(const py::function& function, const std::vector<double>& row) {
  DoubleArray in({py::ssize_t{1}, static_cast<py::ssize_t>(row.size())});
  std::memcpy(in.mutable_data(), row.data(), row.size() * sizeof(double));
  const DoubleArray out = DoubleArray::ensure(function(in));
  if (!out) throw InputError("func: expected it to return a numpy array of numbers");
  if (out.ndim() == 1 && out.shape(0) == 1) return OutputShape{1, true};
  if (out.ndim() == 2 && out.shape(0) == 1 && out.shape(1) >= 1)
    return OutputShape{static_cast<std::size_t>(out.shape(1)), false};
  std::string shape;
  for (py::ssize_t i = 0; i < out.ndim(); ++i) shape += (i ? ", " : "") + std::to_string(out.shape(i));
  throw InputError("func: called on an array of shape (1, " + std::to_string(row.size()) + "), returned shape (" +
                   shape + "); expected (n,) or (n, k) for an input of n rows");
}

}  // namespace symbiomc::python
