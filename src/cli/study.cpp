#include "study.hpp"

#include <algorithm>
#include <filesystem>

#include "case_args.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/distributions_csv.hpp"
#include "symbiomc/problem/option_conflicts.hpp"

namespace symbiomc::cli {

namespace {

/// A model owned together with the plan it points into (CaseModel keeps references).
class OwningCaseModel final : public Model {
 public:
  OwningCaseModel(const BalancePlan& plan, const Problem& problem) : inner_(plan, problem) {}
  [[nodiscard]] const std::vector<ModelInput>& inputs() const noexcept override { return inner_.inputs(); }
  [[nodiscard]] const std::vector<ModelOutput>& outputs() const noexcept override { return inner_.outputs(); }
  [[nodiscard]] const std::vector<std::string>& modes() const noexcept override { return inner_.modes(); }
  [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace(std::size_t max_block) const override {
    return inner_.make_workspace(max_block);
  }
  void evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& ws, std::span<double> y,
                std::span<RunStatus> status) const override {
    inner_.evaluate(x, n, ws, y, status);
  }

 private:
  CaseModel inner_;
};

/// The case's parameters as the distributions file describes them: the plan's nominal values,
/// except that a parameter a chosen option sets (and no --set) keeps its parameters.csv value,
/// so that a row perturbing it is reported below as a conflict with the option, and not as a
/// nominal value outside the row's support. Without --option this is plan.parameters().
std::vector<ParameterInfo> described_parameters(const Network& network, const BalancePlan& plan,
                                                const PlanOptions& options) {
  std::vector<ParameterInfo> out = plan.parameters();
  for (const auto& case_option : network.options)
    for (const auto& choice : case_option.choices) {
      const bool chosen = std::any_of(options.choices.begin(), options.choices.end(), [&](const auto& c) {
        return c.first == case_option.name && c.second == choice.name;
      });
      if (!chosen) continue;
      for (const auto& [parameter, value] : choice.settings) {
        const bool set = std::any_of(options.overrides.begin(), options.overrides.end(),
                                     [&](const auto& o) { return o.first == parameter; });
        const Parameter* original = network.find_parameter(parameter);
        if (set || original == nullptr) continue;
        for (auto& info : out)
          if (info.name == parameter) info.nominal = original->value;
      }
    }
  return out;
}

/// Refuses a chosen option that sets a parameter the distributions file perturbs or pins
/// (InputErrors naming both rows), or with --override-distributions drops those rows from
/// `problem` so that the option's value holds in every run. Returns the dropped names.
std::vector<std::string> settle_option_conflicts(const Network& network, const PlanOptions& options,
                                                 bool override_distributions, Problem& problem) {
  const auto conflicts = option_conflicts(network, problem, options.choices);
  if (conflicts.empty()) return {};
  const auto names = conflicting_parameters(conflicts);
  if (override_distributions) {
    problem = problem.without(names);
    return names;
  }
  std::vector<std::string> lines;
  for (const auto& c : conflicts) lines.push_back(describe(c, problem));
  lines.push_back(message("a run cannot honour both: drop the --option, remove those rows from ", problem.path(),
                          ", or give --override-distributions (the option's value holds and those rows are dropped)"));
  throw InputErrors(std::move(lines));
}

}  // namespace

std::unique_ptr<Study> load_study(const StudyInputs& in) {
  auto study = std::make_unique<Study>();
  study->provenance.tool_version = SYMBIOMC_VERSION;
  if (!in.model_spec.empty()) {
    if (!in.case_dir.empty() || !in.distributions.empty())
      throw InputError("--model replaces --case and --distributions: give one or the other");
    auto analytic = parse_model_spec(in.model_spec);
    study->problem.emplace(uniform_problem(*analytic, in.model_spec));
    study->model = std::move(analytic);
    study->provenance.case_name = "model:" + in.model_spec;
    return study;
  }
  if (in.case_dir.empty()) throw InputError("give --case DIR (with --distributions FILE) or --model NAME");
  if (in.distributions.empty()) throw InputError("--case needs --distributions FILE (see distributions/README.md)");
  study->network.emplace(read_case(in.case_dir));
  const PlanOptions options = plan_options(in.sets, in.options);
  study->plan.emplace(BalancePlan::compile(*study->network, options));
  Problem problem = read_distributions(in.distributions, described_parameters(*study->network, *study->plan, options));
  std::string correlations = in.correlations;
  if (correlations.empty() && !in.no_correlations) {
    const std::filesystem::path d(in.distributions);
    const auto sibling = d.parent_path() / (d.stem().string() + ".corr.csv");
    if (std::filesystem::exists(sibling)) correlations = sibling.string();
  }
  if (!correlations.empty() && !in.no_correlations)
    problem = problem.with_correlation(read_correlations(correlations, problem));
  const auto dropped = settle_option_conflicts(*study->network, options, in.override_distributions, problem);
  study->problem.emplace(std::move(problem));
  study->model = std::make_unique<OwningCaseModel>(*study->plan, *study->problem);

  Provenance& prov = study->provenance;
  prov.case_name = study->network->name;
  prov.options = study->plan->chosen_options();
  for (const auto& s : in.sets) prov.options.emplace_back("set", s);
  // The run's inputs differ from the files' by these rows: a resume must agree on them.
  if (!dropped.empty()) {
    std::string names;
    for (const auto& name : dropped) names += (names.empty() ? "" : " ") + name;
    prov.options.emplace_back("override-distributions", names);
  }
  for (const auto& f : study->network->files) prov.files.push_back({"case", f.path, checksum_hex(f.checksum)});
  prov.files.push_back({"distributions", study->problem->path(), checksum_hex(study->problem->checksum())});
  if (study->problem->correlation())
    prov.files.push_back({"correlations", study->problem->correlation()->path(),
                          checksum_hex(study->problem->correlation()->checksum())});
  return study;
}

}  // namespace symbiomc::cli
