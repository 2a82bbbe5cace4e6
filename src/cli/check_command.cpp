#include "check_command.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <vector>

#include "cli.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/balance/mode_contrast.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/case_lint.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/option_conflicts.hpp"

namespace symbiomc::cli {

namespace {

/// What the check found, each list in the order it was found.
struct Findings {
  std::vector<std::string> errors, warnings, skipped;

  /// Runs `step`; an InputError it throws becomes errors (one per message).
  template <typename Step>
  bool attempt(Step&& step) {
    try {
      step();
      return true;
    } catch (const InputErrors& e) {
      errors.insert(errors.end(), e.messages().begin(), e.messages().end());
    } catch (const InputError& e) {
      errors.emplace_back(e.what());
    }
    return false;
  }
};

/// Parameter vectors at which to compare the modes: the nominal case, and with distributions
/// eight points spread over the parameters' ranges (a Kronecker lattice: point j, parameter i at
/// u = frac((j + 0.5) / 8 + i * golden ratio), no random numbers), so that an output that only
/// happens to agree at the nominal values is not reported.
std::vector<std::vector<double>> probe_points(const BalancePlan& plan, const Problem* problem) {
  std::vector<double> nominal;
  for (const auto& p : plan.parameters()) nominal.push_back(p.nominal);
  for (const auto& f : problem ? problem->fixed() : std::vector<FixedParameter>{}) nominal[f.case_index] = f.value;
  std::vector<std::vector<double>> points{nominal};
  if (problem == nullptr || problem->dimension() == 0) return points;
  constexpr std::size_t COUNT = 8;
  constexpr double GOLDEN = 0.6180339887498949;
  const std::size_t d = problem->dimension();
  std::vector<double> u(d), x(d), scratch(problem->scratch_size());
  for (std::size_t j = 0; j < COUNT; ++j) {
    for (std::size_t i = 0; i < d; ++i) {
      const double raw = (static_cast<double>(j) + 0.5) / COUNT + static_cast<double>(i) * GOLDEN;
      u[i] = std::clamp(raw - std::floor(raw), 1e-6, 1.0 - 1e-6);
    }
    problem->to_physical(u, x, scratch);
    std::vector<double> point = nominal;
    for (std::size_t i = 0; i < d; ++i) point[problem->parameters()[i].case_index] = x[i];
    points.push_back(std::move(point));
  }
  return points;
}

std::optional<Problem> check_distributions(const CheckArgs& args, const CaseReading& reading, const BalancePlan* plan,
                                           Findings& found) {
  if (args.distributions.empty()) return std::nullopt;
  if (!reading.parameters_clean) {
    found.skipped.push_back(message(args.distributions, " not checked: parameters.csv has errors"));
    return std::nullopt;
  }
  const auto infos = plan ? plan->parameters() : reading.network.parameter_infos();
  std::optional<Problem> problem;
  found.attempt([&] { problem.emplace(read_distributions(args.distributions, infos)); });
  std::string correlations = args.correlations;
  if (correlations.empty()) {
    const std::filesystem::path d(args.distributions);
    const auto sibling = d.parent_path() / (d.stem().string() + ".corr.csv");
    if (std::filesystem::exists(sibling)) correlations = sibling.string();
  }
  if (correlations.empty()) return problem;
  if (!problem) {
    found.skipped.push_back(message(correlations, " not checked: ", args.distributions, " has errors"));
    return problem;
  }
  found.attempt([&] { problem = problem->with_correlation(read_correlations(correlations, *problem)); });
  return problem;
}

void warn_about_problem(const Network& network, const Problem& problem, Findings& found) {
  for (const auto& p : problem.parameters())
    if (is_placeholder_source(p.source))
      found.warnings.push_back(message(to_string(p.where), "column 'source' (parameter '", p.name,
                                       "'): no source for this distribution (expected where the spread comes from)"));
  const auto choices = non_default_choices(network);
  for (const auto& conflict : option_conflicts(network, problem, choices))
    found.warnings.push_back(describe(conflict, problem) +
                             message(": a run with --option ", conflict.option, "=", conflict.choice,
                                     " is refused unless --override-distributions is given"));
}

void print_list(std::ostream& out, const char* title, const std::vector<std::string>& items) {
  out << title << " (" << items.size() << ")" << (items.empty() ? ": none\n" : ":\n");
  for (const auto& item : items) out << "  " << item << "\n";
}

}  // namespace

void add_check_command(CLI::App& app, CheckArgs& args) {
  auto* cmd =
      app.add_subcommand("check",
                         "Read a case (and its distributions) and list every error and warning at once; exit 0 clean, "
                         "1 warnings only, 2 errors");
  cmd->add_option("--case", args.case_dir, "Case directory")->required();
  cmd->add_option("--distributions", args.distributions, "Distributions file to check against the case");
  cmd->add_option("--correlations", args.correlations,
                  "Rank-correlation file (default: <distributions stem>.corr.csv next to it, when it exists)");
}

int run_check_command(const CheckArgs& args, std::ostream& out) {
  Findings found;
  CaseReading reading = read_case_collecting(args.case_dir);
  found.errors = reading.errors;
  found.skipped = reading.skipped;
  std::optional<BalancePlan> plan;
  if (reading.complete) {
    // The compiler (unresolved definitions per mode, the nominal balance) stops at its first
    // error: it needs every earlier quantity to go on.
    found.attempt([&] { plan.emplace(BalancePlan::compile(reading.network)); });
    for (const auto& w : lint_case(reading.network)) found.warnings.push_back(to_string(w.where) + w.text);
  } else {
    found.skipped.emplace_back("warnings and the balance not checked: the case has errors");
  }
  const auto problem = check_distributions(args, reading, plan ? &*plan : nullptr, found);
  if (problem && reading.complete) warn_about_problem(reading.network, *problem, found);
  if (plan) {
    const auto points = probe_points(*plan, problem ? &*problem : nullptr);
    for (const std::size_t o : outputs_alike_in_every_mode(*plan, points)) {
      const Output& output = reading.network.outputs[o];
      found.warnings.push_back(
          message(to_string(output.where), "output '", output.name, "' has the same value in every mode",
                  points.size() > 1 ? " at the nominal values and 8 points across the distributions" : "",
                  " (expected an output that tells the modes apart)"));
    }
  }

  out << "symbiomc check: case " << args.case_dir;
  if (!args.distributions.empty()) out << ", distributions " << args.distributions;
  out << "\n";
  print_list(out, "errors", found.errors);
  print_list(out, "warnings", found.warnings);
  if (!found.skipped.empty()) print_list(out, "not checked", found.skipped);
  if (!found.errors.empty()) return EXIT_INPUT_ERROR;
  return found.warnings.empty() ? EXIT_SUCCESS : EXIT_CHECK_WARNINGS;
}

}  // namespace symbiomc::cli
