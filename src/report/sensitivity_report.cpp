#include "symbiomc/report/sensitivity_report.hpp"

#include "report/provenance_format.hpp"
#include "report/result_file_path.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <sstream>

#include "symbiomc/base/atomic_file.hpp"

namespace symbiomc {

namespace {

std::string header_comment(const Provenance& prov, const std::string& what) {
  std::ostringstream out;
  out << "# symbiomc " << prov.tool_version << " " << what << ": " << prov.case_name << "\n";
  out << detail::provenance_comment_lines(prov);
  return out.str();
}

nlohmann::json provenance_json(const Provenance& prov) {
  nlohmann::json json = {{"tool", "symbiomc"}, {"version", prov.tool_version}, {"case", prov.case_name}};
  detail::add_provenance_json(json, prov);
  return json;
}

}  // namespace

namespace {

/// The Sobol' result files under construction, written only when all are complete.
struct SobolFiles {
  std::ostringstream indices, summary, convergence, second;
  nlohmann::json all = nlohmann::json::array(), outputs = nlohmann::json::array(),
                 second_json = nlohmann::json::array();
};

std::string sobol_header(const SobolResult& r, const Provenance& prov, bool correlation_ignored) {
  const auto& cfg = r.config;
  std::ostringstream head;
  head << header_comment(prov, "sensitivity (Sobol')") << "# base runs " << r.base_runs << "; model runs "
       << r.model_runs << "; seed " << cfg.seed << "; base samples " << to_string(cfg.method) << "; intervals "
       << (cfg.method == SamplingMethod::qmc
               ? "Student t over " + std::to_string(cfg.replicates) + " randomised-QMC replicates"
               : std::string("delta method (asymptotic normal)"))
       << " at " << cfg.conf_level << "; S1 Saltelli et al. 2010, ST Jansen 1999"
       << (cfg.second_order ? ", S2 Saltelli 2002" : "") << "\n";
  if (correlation_ignored) head << "# WARNING: the inputs' rank correlations were ignored (--ignore-correlation)\n";
  return head.str();
}

nlohmann::json sobol_study_json(const SobolResult& r, const Provenance& prov, bool correlation_ignored) {
  const auto& cfg = r.config;
  nlohmann::json json = provenance_json(prov);
  json["base_runs"] = r.base_runs;
  json["model_runs"] = r.model_runs;
  json["seed"] = cfg.seed;
  json["method"] = "sobol";
  json["base_sampling"] = std::string(to_string(cfg.method));
  json["conf_level"] = cfg.conf_level;
  json["interval_method"] = cfg.method == SamplingMethod::qmc ? "replicate_t" : "delta_method";
  json["estimators"] = {{"S1", "Saltelli et al. 2010"}, {"ST", "Jansen 1999"}, {"S2", "Saltelli 2002"}};
  json["second_order"] = cfg.second_order;
  json["groups"] = cfg.groups;
  json["correlation_ignored"] = correlation_ignored;
  if (cfg.target_ci_width > 0) {
    json["target_ci_width"] = cfg.target_ci_width;
    json["target_reached"] = r.target_reached;
    json["widest_total_ci"] = r.widest_total_ci;
  }
  return json;
}

/// sobol_outputs.csv's row and sobol.json's "outputs" entry of one (mode, output).
void add_output_summary(const SobolResult& r, std::size_t m, std::size_t o, const std::string& prefix,
                        SobolFiles& files) {
  const SobolEstimates& e = r.estimates[m];
  const ModelOutput& label = r.outputs[m][o];
  if (e.outputs.empty()) {
    files.summary << prefix << e.n_base << "," << r.dropped_base_samples[m] << ",,,,,fewer than 2 valid base samples\n";
    files.outputs.push_back({{"mode", r.modes[m]},
                             {"output", label.output},
                             {"base_samples_used", e.n_base},
                             {"warning", "fewer than 2 valid base samples"}});
    return;
  }
  const SobolOutputEstimates& est = e.outputs[o];
  std::string warning;
  if (est.zero_variance)
    warning = "output does not vary: indices are 0 by definition";
  else if (est.sum_first < LOW_FIRST_ORDER_SHARE)
    warning = "first-order effects explain only " + csv_number(std::round(est.sum_first * 1000) / 10) +
              " % of the variance: interactions dominate";
  files.summary << prefix << e.n_base << "," << r.dropped_base_samples[m] << "," << csv_number(est.mean) << ","
                << csv_number(est.variance) << "," << (est.zero_variance ? "yes" : "no") << ","
                << csv_number(est.sum_first) << "," << warning << "\n";
  files.outputs.push_back({{"mode", r.modes[m]},
                           {"output", label.output},
                           {"unit", label.unit},
                           {"base_samples_used", e.n_base},
                           {"dropped_base_samples", r.dropped_base_samples[m]},
                           {"mean", est.mean},
                           {"variance", est.variance},
                           {"zero_variance", est.zero_variance},
                           {"sum_S1", est.sum_first},
                           {"warning", warning}});
}

/// sobol.csv's rows and sobol.json's "indices" of one (mode, output): S1 and ST per factor.
void add_output_indices(const SobolResult& r, std::size_t m, std::size_t o, const std::string& prefix,
                        SobolFiles& files) {
  const SobolOutputEstimates& est = r.estimates[m].outputs[o];
  const ModelOutput& label = r.outputs[m][o];
  for (std::size_t f = 0; f < r.factors.size(); ++f) {
    const IndexEstimate& s1 = est.first[f];
    const IndexEstimate& st = est.total[f];
    const std::size_t rank = est.rank_by_total[f];
    const bool overlaps = est.total_overlaps_next[f];
    files.indices << prefix << csv_text(r.factors[f].name) << "," << (r.factors[f].is_group ? "group" : "parameter")
                  << "," << csv_number(s1.value) << "," << csv_number(s1.low) << "," << csv_number(s1.high) << ","
                  << csv_number(st.value) << "," << csv_number(st.low) << "," << csv_number(st.high) << "," << rank
                  << "," << (s1.indistinguishable_from_zero ? "yes" : "no") << ","
                  << (st.indistinguishable_from_zero ? "yes" : "no") << "," << (overlaps ? "yes" : "no") << "\n";
    files.all.push_back({{"mode", r.modes[m]},
                         {"output", label.output},
                         {"unit", label.unit},
                         {"parameter", r.factors[f].name},
                         {"kind", r.factors[f].is_group ? "group" : "parameter"},
                         {"S1", s1.value},
                         {"S1_low", s1.low},
                         {"S1_high", s1.high},
                         {"ST", st.value},
                         {"ST_low", st.low},
                         {"ST_high", st.high},
                         {"rank", rank},
                         {"S1_indistinguishable_from_zero", s1.indistinguishable_from_zero},
                         {"ST_indistinguishable_from_zero", st.indistinguishable_from_zero},
                         {"rank_overlaps_next", overlaps}});
  }
}

/// sobol_second_order.csv's rows and sobol.json's "second_order_indices" of one (mode, output).
void add_second_order(const SobolResult& r, std::size_t m, std::size_t o, SobolFiles& files) {
  const SobolOutputEstimates& est = r.estimates[m].outputs[o];
  const ModelOutput& label = r.outputs[m][o];
  for (std::size_t a = 0; a < r.factors.size(); ++a)
    for (std::size_t b = a + 1; b < r.factors.size(); ++b) {
      const IndexEstimate& s2 = est.second[pair_index(a, b, r.factors.size())];
      files.second << csv_text(r.modes[m]) << "," << csv_text(label.output) << "," << csv_text(r.factors[a].name) << ","
                   << csv_text(r.factors[b].name) << "," << csv_number(s2.value) << "," << csv_number(s2.low) << ","
                   << csv_number(s2.high) << "\n";
      files.second_json.push_back({{"mode", r.modes[m]},
                                   {"output", label.output},
                                   {"parameter_a", r.factors[a].name},
                                   {"parameter_b", r.factors[b].name},
                                   {"S2", s2.value},
                                   {"S2_low", s2.low},
                                   {"S2_high", s2.high}});
    }
}

/// sobol_convergence.csv and sobol.json's "convergence": the indices at each snapshot.
nlohmann::json add_convergence(const SobolResult& r, SobolFiles& files) {
  nlohmann::json conv = nlohmann::json::array();
  for (const auto& snap : r.convergence)
    for (std::size_t m = 0; m < r.modes.size(); ++m) {
      const SobolEstimates& e = snap.modes[m];
      for (std::size_t o = 0; o < e.outputs.size(); ++o)
        for (std::size_t f = 0; f < r.factors.size(); ++f) {
          const auto& s1 = e.outputs[o].first[f];
          const auto& st = e.outputs[o].total[f];
          files.convergence << csv_text(r.modes[m]) << "," << csv_text(r.outputs[m][o].output) << ","
                            << csv_text(r.factors[f].name) << "," << snap.base_runs << "," << csv_number(s1.value)
                            << "," << csv_number(s1.low) << "," << csv_number(s1.high) << "," << csv_number(st.value)
                            << "," << csv_number(st.low) << "," << csv_number(st.high) << "\n";
          conv.push_back({{"mode", r.modes[m]},
                          {"output", r.outputs[m][o].output},
                          {"parameter", r.factors[f].name},
                          {"base_runs", snap.base_runs},
                          {"S1", s1.value},
                          {"ST", st.value},
                          {"ST_low", st.low},
                          {"ST_high", st.high}});
        }
    }
  return conv;
}

/// sobol.json's "failures": dropped base samples and failed runs per mode and reason.
nlohmann::json sobol_failures(const SobolResult& r) {
  nlohmann::json dropped = nlohmann::json::object();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    nlohmann::json reasons = nlohmann::json::object();
    for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s)
      reasons[std::string(to_string(static_cast<RunStatus>(s)))] = r.failed_rows[m][s];
    dropped[r.modes[m]] = {{"dropped_base_samples", r.dropped_base_samples[m]}, {"failed_runs", reasons}};
  }
  return dropped;
}

}  // namespace

void write_sobol_report(const SobolResult& r, const Provenance& prov, bool correlation_ignored,
                        const std::string& directory) {
  const bool second_order = r.config.second_order;
  const std::string head = sobol_header(r, prov, correlation_ignored);
  SobolFiles files;
  files.indices << head
                << "mode,output,unit,parameter,kind,S1,S1_low,S1_high,ST,ST_low,ST_high,rank,"
                   "S1_indistinguishable_from_zero,ST_indistinguishable_from_zero,rank_overlaps_next\n";
  files.summary << head
                << "mode,output,unit,base_samples_used,dropped_base_samples,mean,variance,zero_variance,sum_S1,"
                   "warning\n";
  files.convergence << head << "mode,output,parameter,base_runs,S1,S1_low,S1_high,ST,ST_low,ST_high\n";
  files.second << head << "mode,output,parameter_a,parameter_b,S2,S2_low,S2_high\n";

  for (std::size_t m = 0; m < r.modes.size(); ++m)
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o) {
      const ModelOutput& label = r.outputs[m][o];
      const std::string prefix = csv_text(r.modes[m]) + "," + csv_text(label.output) + "," + csv_text(label.unit) + ",";
      add_output_summary(r, m, o, prefix, files);
      if (r.estimates[m].outputs.empty()) continue;
      add_output_indices(r, m, o, prefix, files);
      if (second_order) add_second_order(r, m, o, files);
    }
  nlohmann::json json = sobol_study_json(r, prov, correlation_ignored);
  json["indices"] = files.all;
  json["outputs"] = files.outputs;
  json["convergence"] = add_convergence(r, files);
  if (second_order) json["second_order_indices"] = files.second_json;
  json["failures"] = sobol_failures(r);

  write_file_atomically(detail::result_file_path(directory, "sobol.csv"), files.indices.str());
  write_file_atomically(detail::result_file_path(directory, "sobol_outputs.csv"), files.summary.str());
  write_file_atomically(detail::result_file_path(directory, "sobol_convergence.csv"), files.convergence.str());
  if (second_order)
    write_file_atomically(detail::result_file_path(directory, "sobol_second_order.csv"), files.second.str());
  write_file_atomically(detail::result_file_path(directory, "sobol.json"), json.dump(2) + "\n");
}

void write_morris_report(const MorrisResult& r, const Provenance& prov, const std::vector<std::string>& factor_names,
                         const std::string& directory) {
  std::ostringstream csv;
  csv << header_comment(prov, "sensitivity (Morris)") << "# trajectories " << r.config.trajectories << "; levels "
      << r.config.levels << "; seed " << r.config.seed << "; model runs " << r.model_runs
      << "; effects per unit of each parameter's quantile coordinate (Morris 1991, mu* Campolongo et al. 2007)\n"
      << "mode,output,unit,parameter,mu,mu_star,sigma,mu_star_standard_error,rank,trajectories_used\n";
  nlohmann::json json = provenance_json(prov);
  json["method"] = "morris";
  json["trajectories"] = r.config.trajectories;
  json["levels"] = r.config.levels;
  json["seed"] = r.config.seed;
  json["model_runs"] = r.model_runs;
  nlohmann::json effects = nlohmann::json::array();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    const MorrisEstimates& e = r.estimates[m];
    for (std::size_t o = 0; o < r.outputs[m].size(); ++o)
      for (std::size_t f = 0; f < factor_names.size(); ++f) {
        const MorrisEffect& eff = e.at(f, o);
        const std::size_t rank = e.rank_by_mu_star[o][f];
        csv << csv_text(r.modes[m]) << "," << csv_text(r.outputs[m][o].output) << "," << csv_text(r.outputs[m][o].unit)
            << "," << csv_text(factor_names[f]) << "," << csv_number(eff.mu) << "," << csv_number(eff.mu_star) << ","
            << csv_number(eff.sigma) << "," << csv_number(eff.mu_star_std_error) << "," << rank << "," << eff.count
            << "\n";
        effects.push_back({{"mode", r.modes[m]},
                           {"output", r.outputs[m][o].output},
                           {"parameter", factor_names[f]},
                           {"mu", eff.mu},
                           {"mu_star", eff.mu_star},
                           {"sigma", eff.sigma},
                           {"mu_star_standard_error", eff.mu_star_std_error},
                           {"rank", rank}});
      }
  }
  json["effects"] = effects;
  write_file_atomically(detail::result_file_path(directory, "morris.csv"), csv.str());
  write_file_atomically(detail::result_file_path(directory, "morris.json"), json.dump(2) + "\n");
}

}  // namespace symbiomc
