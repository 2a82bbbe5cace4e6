#include "study.hpp"

#include <filesystem>

#include "case_args.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/model/case_model.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/distributions_csv.hpp"

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
  study->plan.emplace(BalancePlan::compile(*study->network, plan_options(in.sets, in.options)));
  Problem problem = read_distributions(in.distributions, study->plan->parameters());
  std::string correlations = in.correlations;
  if (correlations.empty() && !in.no_correlations) {
    const std::filesystem::path d(in.distributions);
    const auto sibling = d.parent_path() / (d.stem().string() + ".corr.csv");
    if (std::filesystem::exists(sibling)) correlations = sibling.string();
  }
  if (!correlations.empty() && !in.no_correlations)
    problem = problem.with_correlation(read_correlations(correlations, problem));
  study->problem.emplace(std::move(problem));
  study->model = std::make_unique<OwningCaseModel>(*study->plan, *study->problem);

  Provenance& prov = study->provenance;
  prov.case_name = study->network->name;
  prov.options = study->plan->chosen_options();
  for (const auto& s : in.sets) prov.options.emplace_back("set", s);
  for (const auto& f : study->network->files) prov.files.push_back({"case", f.path, checksum_hex(f.checksum)});
  prov.files.push_back({"distributions", study->problem->path(), checksum_hex(study->problem->checksum())});
  if (study->problem->correlation())
    prov.files.push_back({"correlations", study->problem->correlation()->path(),
                          checksum_hex(study->problem->correlation()->checksum())});
  return study;
}

}  // namespace symbiomc::cli
