#include "salib_problem.hpp"

#include <cmath>
#include <stdexcept>

namespace symbiomc::python {

namespace py = pybind11;

namespace {

std::vector<std::string> string_list(const py::dict& problem, const char* key) {
  std::vector<std::string> out;
  const py::object value = problem[key];
  if (py::isinstance<py::str>(value)) throw InputError(message("problem['", key, "']: expected a list of names"));
  std::size_t i = 0;
  for (const py::handle item : py::iter(value)) {
    if (!py::isinstance<py::str>(item))
      throw InputError(
          message("problem['", key, "'][", i, "]: expected a name (str), got ", std::string(py::str(item.get_type()))));
    out.push_back(item.cast<std::string>());
    ++i;
  }
  return out;
}

std::vector<double> numbers(const py::handle row, std::size_t i) {
  std::vector<double> out;
  try {
    for (const py::handle item : py::iter(row)) out.push_back(item.cast<double>());
  } catch (const py::error_already_set&) {
    throw InputError(message("problem['bounds'][", i, "]: expected a list of numbers"));
  } catch (const py::cast_error&) {
    throw InputError(message("problem['bounds'][", i, "]: expected a list of numbers"));
  }
  for (const double v : out)
    if (!std::isfinite(v)) throw InputError(message("problem['bounds'][", i, "]: expected finite numbers"));
  return out;
}

Distribution salib_distribution(const std::string& kind, const std::vector<double>& b, std::size_t i) {
  const auto expect = [&](std::size_t count, const char* form) {
    if (b.size() != count)
      throw InputError(
          message("problem['bounds'][", i, "]: '", kind, "' expects ", form, ", got ", b.size(), " numbers"));
  };
  if (kind == "unif") {
    expect(2, "[low, high]");
    return Uniform(b[0], b[1]);
  }
  if (kind == "logunif") {
    expect(2, "[low, high]");
    return LogUniform(b[0], b[1]);
  }
  if (kind == "triang") {
    if (b.size() == 2) return Triangular(0.0, b[1] * b[0], b[0]);  // SALib's older [high, peak fraction]
    expect(3, "[low, high, peak as a fraction of the width]");
    if (!(b[2] >= 0.0 && b[2] < 1.0))
      throw InputError(message("problem['bounds'][", i, "]: 'triang' peak fraction must be in [0, 1), got ", b[2]));
    return Triangular(b[0], b[0] + b[2] * (b[1] - b[0]), b[1]);
  }
  if (kind == "norm") {
    expect(2, "[mean, sd]");
    return Normal(b[0], b[1]);
  }
  if (kind == "truncnorm") {
    expect(4, "[low, high, mean, sd]");
    return TruncNormal(b[2], b[3], b[0], b[1]);
  }
  if (kind == "lognorm") {
    expect(2, "[mean of ln x, sd of ln x]");
    return LogNormal::from_log_parameters(b[0], b[1]);
  }
  throw InputError(message("problem['dists'][", i, "]: unknown distribution '", kind,
                           "'; expected unif, logunif, triang, norm, truncnorm or lognorm"));
}

}  // namespace

Problem salib_problem(const py::dict& problem) {
  for (const char* key : {"names", "bounds"})
    if (!problem.contains(key)) throw InputError(message("problem: expected the key '", key, "' (SALib's layout)"));
  const std::vector<std::string> names = string_list(problem, "names");
  if (names.empty()) throw InputError("problem['names']: expected at least one name");
  std::vector<std::vector<double>> bounds;
  for (const py::handle row : py::iter(problem["bounds"])) bounds.push_back(numbers(row, bounds.size()));
  if (bounds.size() != names.size())
    throw InputError(
        message("problem['bounds']: expected one entry per name (", names.size(), "), got ", bounds.size()));
  if (problem.contains("num_vars") && py::cast<py::ssize_t>(problem["num_vars"]) != py::ssize_t(names.size()))
    throw InputError(message("problem['num_vars']: is ", py::cast<py::ssize_t>(problem["num_vars"]), " but ",
                             names.size(), " names are given"));
  std::vector<std::string> dists(names.size(), "unif");
  if (problem.contains("dists") && !problem["dists"].is_none()) {
    dists = string_list(problem, "dists");
    if (dists.size() != names.size())
      throw InputError(
          message("problem['dists']: expected one entry per name (", names.size(), "), got ", dists.size()));
  }
  std::vector<std::string> groups;
  if (problem.contains("groups") && !problem["groups"].is_none()) {
    groups = string_list(problem, "groups");
    if (groups.size() != names.size())
      throw InputError(
          message("problem['groups']: expected one entry per name (", names.size(), "), got ", groups.size()));
  }
  std::vector<UncertainParameter> parameters;
  for (std::size_t i = 0; i < names.size(); ++i) {
    UncertainParameter p;
    p.name = names[i];
    p.unit = "1";
    try {
      p.dist = salib_distribution(dists[i], bounds[i], i);
    } catch (const std::invalid_argument& e) {
      throw InputError(message("problem['bounds'][", i, "] (", names[i], "): ", e.what()));
    }
    p.group = groups.empty() ? p.name : groups[i];
    p.source = "Python problem dict";
    p.case_index = i;
    parameters.push_back(std::move(p));
  }
  try {
    return Problem("python:problem", 0, std::move(parameters), {});
  } catch (const std::invalid_argument& e) {
    throw InputError(message("problem['names']: ", e.what()));
  }
}

}  // namespace symbiomc::python
