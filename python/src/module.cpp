// The extension module symbiomc._core. Two kinds of entry point, both with the GIL released
// while C++ works:
//  * run_cli: the CLI itself, in-process (src/cli), for symbiomc.balance/uncertainty/sensitivity
//    on cases: the same parsing, checks, studies and result files as the command line;
//  * sobol/morris/shapley: the library's studies over a Python callable (PythonModel) and
//    SALib's problem dict, writing the same result files as `symbiomc sensitivity`.
// The Python package (python/symbiomc/) reads the JSON files back into dicts, so there is one
// serialiser: the report stage's.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "python_model.hpp"
#include "salib_problem.hpp"
#include "symbiomc/report/sensitivity_report.hpp"
#include "symbiomc/report/shapley_report.hpp"
#include "symbiomc/studies/morris_study.hpp"
#include "symbiomc/studies/shapley_study.hpp"
#include "symbiomc/studies/sobol_study.hpp"

namespace py = pybind11;
using namespace symbiomc;
using symbiomc::python::PythonModel;

namespace {

struct CliOutcome {
  int exit_code;
  std::string out, err;
};

CliOutcome run_cli_captured(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = 0;
  {
    py::gil_scoped_release release;
    code = cli::run_cli(args, out, err);
  }
  return {code, out.str(), err.str()};
}

std::size_t thread_count(int threads) {
  if (threads < 0) throw InputError(message("threads: expected 0 (all cores) or more, got ", threads));
  return threads > 0 ? static_cast<std::size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
}

/// The problem, a model around `func` whose output shape is known (from one call at the inputs'
/// medians), and the provenance recorded in the result files.
struct OwnModel {
  Problem problem;
  std::unique_ptr<PythonModel> model;
  Provenance provenance;
};

OwnModel own_model(const py::function& func, const py::dict& problem_dict) {
  Problem problem = python::salib_problem(problem_dict);
  std::vector<double> medians;
  std::vector<std::string> names;
  for (const auto& p : problem.parameters()) {
    medians.push_back(quantile(p.dist, 0.5));
    names.push_back(p.name);
  }
  const auto shape = python::probe_output_shape(func, medians);
  auto model = std::make_unique<PythonModel>(func, names, shape.count, shape.one_dimensional);
  Provenance provenance;
  provenance.tool_version = SYMBIOMC_VERSION;
  provenance.case_name = "python:" + py::str(py::getattr(func, "__qualname__", py::str("func"))).cast<std::string>();
  return {std::move(problem), std::move(model), std::move(provenance)};
}

/// Runs `study` with the GIL released on `threads` threads; re-raises func's exception if it
/// stopped the study.
template <class Run>
void run_released(const PythonModel& model, int threads, Run&& study) {
  const std::size_t thread_limit = thread_count(threads);
  {
    py::gil_scoped_release release;
    const tbb::global_control control(tbb::global_control::max_allowed_parallelism, thread_limit);
    try {
      study();
    } catch (const ModelError&) {
      if (!model.failed()->load()) throw;
    } catch (const RunInterrupted&) {
      if (!model.failed()->load()) throw;
    }
  }
  model.rethrow_if_failed();
}

SamplingMethod sampling_method(const std::string& sampling) {
  if (sampling == "mc") return SamplingMethod::mc;
  if (sampling == "qmc") return SamplingMethod::qmc;
  throw InputError(message("sampling: expected 'mc' or 'qmc', got '", sampling, "'"));
}

void sobol(const py::function& func, const py::dict& problem_dict, std::uint64_t base_runs, std::uint64_t seed,
           const std::string& sampling, int threads, bool second_order, double conf_level, std::size_t replicates,
           std::size_t block_size, const std::string& out_dir) {
  OwnModel own = own_model(func, problem_dict);
  SobolConfig config;
  config.base_runs = base_runs;
  config.seed = seed;
  config.method = sampling_method(sampling);
  config.second_order = second_order;
  config.groups = own.problem.groups().size() < own.problem.dimension();
  config.conf_level = conf_level;
  config.replicates = replicates;
  config.base_block = block_size;
  config.cancel = own.model->failed();
  run_released(*own.model, threads, [&] {
    const SobolResult result = run_sobol(*own.model, own.problem, config);
    write_sobol_report(result, own.provenance, false, out_dir);
  });
}

void morris(const py::function& func, const py::dict& problem_dict, std::uint64_t trajectories, std::size_t levels,
            std::uint64_t seed, int threads, const std::string& out_dir) {
  OwnModel own = own_model(func, problem_dict);
  MorrisConfig config;
  config.trajectories = trajectories;
  config.levels = levels;
  config.seed = seed;
  config.cancel = own.model->failed();
  std::vector<std::string> names;
  for (const auto& p : own.problem.parameters()) names.push_back(p.name);
  run_released(*own.model, threads, [&] {
    const MorrisResult result = run_morris(*own.model, own.problem, config);
    write_morris_report(result, own.provenance, names, out_dir);
  });
}

void shapley(const py::function& func, const py::dict& problem_dict, std::uint64_t permutations, std::size_t outer,
             std::size_t inner, std::uint64_t variance_runs, std::uint64_t seed, double conf_level, int threads,
             const std::string& out_dir) {
  OwnModel own = own_model(func, problem_dict);
  ShapleyConfig config;
  config.permutations = permutations;
  config.outer = outer;
  config.inner = inner;
  config.variance_runs = variance_runs;
  config.seed = seed;
  config.conf_level = conf_level;
  config.cancel = own.model->failed();
  run_released(*own.model, threads, [&] {
    const ShapleyResult result = run_shapley(*own.model, own.problem, config);
    write_shapley_report(result, own.provenance, out_dir);
  });
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "symbiomc's C++ core; use the package symbiomc (python/symbiomc/__init__.py), not this module";
  m.attr("__version__") = SYMBIOMC_VERSION;
  // Bad input (file:line, key or option named) is a ValueError, an impossible request a
  // RuntimeError, so plain `except ValueError` code works too.
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<ModelError> model_error(m, "ModelError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const ModelError& e) {
      PyErr_SetString(model_error.ptr(), e.what());
    } catch (const RunInterrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
  py::class_<CliOutcome>(m, "CliOutcome")
      .def_readonly("exit_code", &CliOutcome::exit_code)
      .def_readonly("out", &CliOutcome::out)
      .def_readonly("err", &CliOutcome::err);
  m.def("run_cli", &run_cli_captured, py::arg("args"),
        "Runs `symbiomc ARGS...` in this process (GIL released); returns exit code, stdout and stderr.");
  m.def("sobol", &sobol, py::arg("func"), py::arg("problem"), py::arg("base_runs"), py::arg("seed"),
        py::arg("sampling"), py::arg("threads"), py::arg("second_order"), py::arg("conf_level"), py::arg("replicates"),
        py::arg("block_size"), py::arg("out_dir"));
  m.def("morris", &morris, py::arg("func"), py::arg("problem"), py::arg("trajectories"), py::arg("levels"),
        py::arg("seed"), py::arg("threads"), py::arg("out_dir"));
  m.def("shapley", &shapley, py::arg("func"), py::arg("problem"), py::arg("permutations"), py::arg("outer"),
        py::arg("inner"), py::arg("variance_runs"), py::arg("seed"), py::arg("conf_level"), py::arg("threads"),
        py::arg("out_dir"));
}
