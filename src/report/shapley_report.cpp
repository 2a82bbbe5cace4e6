#include "symbiomc/report/shapley_report.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

#include "report/provenance_format.hpp"
#include "report/result_file_path.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/csv_format.hpp"

namespace symbiomc {

namespace {

constexpr const char* ESTIMATOR =
    "Song, Nelson & Staum 2016 (SIAM/ASA JUQ 4:1060-1083): random permutations, exact conditional sampling "
    "(Gaussian copula)";
constexpr const char* INTERVALS = "normal, spread over permutations plus delta method for Var(Y)";

/// The warning of one output ("" when there is nothing to say).
std::string output_warning(const ShapleyResult& r, std::size_t m, const ShapleyOutputEstimates* est) {
  if (!est) return "fewer than 2 valid permutations or variance runs";
  if (est->zero_variance) return "output does not vary: effects are 0 by definition";
  if (r.dropped_permutations[m] > 0)
    return message(r.dropped_permutations[m],
                   " permutations dropped for failed runs: the effects describe the runs that succeed, approximately "
                   "when inputs interact or are correlated (the kept permutations are then not uniform)");
  return "";
}

nlohmann::json correlations_json(const ShapleyResult& r) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : r.correlations)
    pairs.push_back({{"parameter_a", r.parameters[p.a]},
                     {"parameter_b", r.parameters[p.b]},
                     {"rank_correlation", p.rank_correlation}});
  return pairs;
}

}  // namespace

void write_shapley_report(const ShapleyResult& r, const Provenance& prov, const std::string& directory) {
  const ShapleyConfig& cfg = r.config;
  std::ostringstream head;
  head << "# symbiomc " << prov.tool_version << " sensitivity (Shapley effects): " << prov.case_name << "\n"
       << detail::provenance_comment_lines(prov) << "# permutations " << cfg.permutations << " (N_o " << cfg.outer
       << ", N_i " << cfg.inner << "); variance runs " << cfg.variance_runs << "; model runs " << r.model_runs
       << "; seed " << cfg.seed << "; intervals " << INTERVALS << " at " << cfg.conf_level << "; " << ESTIMATOR << "\n";
  if (!r.correlations.empty())
    head << "# inputs rank-correlated (" << r.correlations.size() << " pairs): effects share correlated variance\n";
  std::ostringstream effects, outputs;
  effects << head.str()
          << "mode,output,unit,parameter,shapley,shapley_low,shapley_high,std_error,rank,"
             "indistinguishable_from_zero,rank_overlaps_next\n";
  outputs << head.str()
          << "mode,output,unit,permutations_used,dropped_permutations,variance_runs_used,dropped_variance_runs,mean,"
             "variance,variance_std_error,zero_variance,sum_shapley,warning\n";
  nlohmann::json indices = nlohmann::json::array(), outputs_json = nlohmann::json::array();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    const ShapleyEstimates& e = r.estimates[m];
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o) {
      const ModelOutput& label = r.outputs[m][o];
      const std::string prefix = csv_text(r.modes[m]) + "," + csv_text(label.output) + "," + csv_text(label.unit) + ",";
      const ShapleyOutputEstimates* est = e.outputs.empty() ? nullptr : &e.outputs[o];
      const std::string warning = output_warning(r, m, est);
      outputs << prefix << e.permutations << "," << r.dropped_permutations[m] << "," << e.variance_runs << ","
              << r.dropped_variance_runs[m] << ",";
      nlohmann::json out_json = {{"mode", r.modes[m]},
                                 {"output", label.output},
                                 {"unit", label.unit},
                                 {"permutations_used", e.permutations},
                                 {"dropped_permutations", r.dropped_permutations[m]},
                                 {"variance_runs_used", e.variance_runs},
                                 {"dropped_variance_runs", r.dropped_variance_runs[m]},
                                 {"warning", warning}};
      if (!est) {
        outputs << ",,,,," << csv_text(warning) << "\n";
        outputs_json.push_back(out_json);
        continue;
      }
      outputs << csv_number(est->mean) << "," << csv_number(est->variance) << "," << csv_number(est->variance_std_error)
              << "," << (est->zero_variance ? "yes" : "no") << "," << csv_number(est->sum_effects) << ","
              << csv_text(warning) << "\n";
      out_json.update({{"mean", est->mean},
                       {"variance", est->variance},
                       {"variance_std_error", est->variance_std_error},
                       {"zero_variance", est->zero_variance},
                       {"sum_shapley", est->sum_effects}});
      outputs_json.push_back(out_json);
      for (std::size_t i = 0; i < r.parameters.size(); ++i) {
        const IndexEstimate& sh = est->effects[i];
        effects << prefix << csv_text(r.parameters[i]) << "," << csv_number(sh.value) << "," << csv_number(sh.low)
                << "," << csv_number(sh.high) << "," << csv_number(sh.std_error) << "," << est->rank[i] << ","
                << (sh.indistinguishable_from_zero ? "yes" : "no") << "," << (est->overlaps_next[i] ? "yes" : "no")
                << "\n";
        indices.push_back({{"mode", r.modes[m]},
                           {"output", label.output},
                           {"unit", label.unit},
                           {"parameter", r.parameters[i]},
                           {"shapley", sh.value},
                           {"shapley_low", sh.low},
                           {"shapley_high", sh.high},
                           {"std_error", sh.std_error},
                           {"rank", est->rank[i]},
                           {"indistinguishable_from_zero", sh.indistinguishable_from_zero},
                           {"rank_overlaps_next", static_cast<bool>(est->overlaps_next[i])}});
      }
    }
  }
  nlohmann::json json = {{"tool", "symbiomc"}, {"version", prov.tool_version}, {"case", prov.case_name}};
  detail::add_provenance_json(json, prov);
  json["method"] = "shapley";
  json["estimator"] = ESTIMATOR;
  json["permutations"] = cfg.permutations;
  json["outer_samples"] = cfg.outer;
  json["inner_samples"] = cfg.inner;
  json["variance_runs"] = cfg.variance_runs;
  json["runs_per_permutation"] = r.permutation_runs;
  json["model_runs"] = r.model_runs;
  json["seed"] = cfg.seed;
  json["conf_level"] = cfg.conf_level;
  json["interval_method"] = INTERVALS;
  json["correlations"] = correlations_json(r);
  json["indices"] = indices;
  json["outputs"] = outputs_json;
  nlohmann::json failures = nlohmann::json::object();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    nlohmann::json reasons = nlohmann::json::object();
    for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s)
      reasons[std::string(to_string(static_cast<RunStatus>(s)))] = r.failed_runs[m][s];
    failures[r.modes[m]] = {{"dropped_permutations", r.dropped_permutations[m]},
                            {"dropped_variance_runs", r.dropped_variance_runs[m]},
                            {"failed_runs", reasons}};
  }
  json["failures"] = failures;
  write_file_atomically(detail::result_file_path(directory, "shapley.csv"), effects.str());
  write_file_atomically(detail::result_file_path(directory, "shapley_outputs.csv"), outputs.str());
  write_file_atomically(detail::result_file_path(directory, "shapley.json"), json.dump(2) + "\n");
}

}  // namespace symbiomc
