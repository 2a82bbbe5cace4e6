#include "symbiomc/report/uncertainty_report.hpp"

#include "report/given_data_format.hpp"
#include "report/provenance_format.hpp"
#include "report/result_file_path.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include <boost/math/distributions/normal.hpp>

#include "symbiomc/base/atomic_file.hpp"

namespace symbiomc {

namespace {

nlohmann::json json_number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string quantile_key(double p) {
  const int percent = static_cast<int>(std::lround(p * 100));
  return "p" + std::to_string(percent);
}

/// Header lines every CSV carries, as comments, so a file on its own says how it was made.
std::string provenance_comment(const UncertaintyResult& r, const Provenance& prov) {
  std::ostringstream out;
  out << "# symbiomc " << prov.tool_version << " uncertainty: " << prov.case_name << "; runs " << r.runs << "; seed "
      << r.config.seed << "; method " << to_string(r.config.method) << "; block size " << r.config.block_size << "\n";
  out << detail::provenance_comment_lines(prov);
  return out.str();
}

double moment_or_nan(const Moments& m, double (Moments::*f)() const, std::uint64_t min_count) {
  return m.count() >= min_count ? (m.*f)() : NAN;
}

}  // namespace

QuantileReport report_quantile(const Histogram& histogram, double p, double conf_level) {
  QuantileReport q;
  q.p = p;
  if (histogram.count() == 0) {
    q.value = q.error_bound = q.ci_low = q.ci_high = NAN;
    return q;
  }
  const auto estimate = histogram.quantile_estimate(p);
  q.value = estimate.value;
  q.error_bound = estimate.error_bound;
  // Distribution-free interval from the binomial distribution of the number of values below
  // the quantile (order statistics; Conover, Practical Nonparametric Statistics, 3.2),
  // widened by the histogram's binning bound.
  const double n = static_cast<double>(histogram.count());
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + conf_level / 2);
  const double half = z * std::sqrt(p * (1 - p) / n) + 1.0 / n;
  const auto lo = histogram.quantile_estimate(std::max(0.0, p - half));
  const auto hi = histogram.quantile_estimate(std::min(1.0, p + half));
  q.ci_low = lo.value - lo.error_bound;
  q.ci_high = hi.value + hi.error_bound;
  return q;
}

namespace {

/// The result files under construction: every file is built in memory first and written only
/// when all are complete, so a failure while formatting leaves no file behind.
struct UncertaintyFiles {
  std::ostringstream summary, quantiles, histograms, thresholds, comparisons, failures;
  nlohmann::json json;
};

nlohmann::json study_json(const UncertaintyResult& r, const Provenance& prov) {
  nlohmann::json json;  // an object with sorted keys: the order of the insertions does not matter
  detail::add_uncertainty_provenance(json, r, prov);
  json["replicates"] = r.config.method == SamplingMethod::qmc ? r.config.replicates : 1;
  json["conf_level"] = r.config.conf_level;
  json["failures"] = r.runs_with_failure;
  json["on_failure"] = r.config.on_failure == OnFailure::skip ? "skip" : "abort";
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& in : r.inputs) inputs.push_back({{"name", in.name}, {"unit", in.unit}, {"nominal", in.nominal}});
  json["inputs"] = inputs;
  return json;
}

/// Output `o`'s rows of summary.csv, quantiles.csv, histograms.csv and thresholds.csv, and its
/// entry in summary.json.
nlohmann::json add_output(const UncertaintyResult& r, std::size_t o, UncertaintyFiles& files) {
  const double level = r.config.conf_level;
  const OutputResult& out = r.outputs[o];
  const Moments& mom = out.stats.moments();
  const Histogram& hist = out.stats.histogram();
  const auto ci = r.mean_ci(o, level);
  const double mean = moment_or_nan(mom, &Moments::mean, 1);
  const double sd = moment_or_nan(mom, &Moments::sd, 2);
  const double se = moment_or_nan(mom, &Moments::standard_error, 2);
  const double min = hist.count() ? hist.min() : NAN;
  const double max = hist.count() ? hist.max() : NAN;
  const auto& exceed = out.stats.exceedance();
  const double p_pos = exceed.count() ? exceed.prob_positive() : NAN;
  const auto p_pos_ci = exceed.count() ? exceed.prob_positive_ci(level) : std::pair<double, double>{NAN, NAN};
  std::vector<QuantileReport> qs;
  for (double p : REPORTED_QUANTILES) qs.push_back(report_quantile(hist, p, level));
  const auto q_at = [&](double p) -> double {
    for (const auto& q : qs)
      if (std::abs(q.p - p) < 1e-12) return q.value;
    return NAN;
  };
  const std::string prefix =
      csv_text(r.modes[out.label.mode_index]) + "," + csv_text(out.label.output) + "," + csv_text(out.label.unit) + ",";
  files.summary << prefix << mom.count() << "," << csv_number(mean) << "," << csv_number(sd) << "," << csv_number(se)
                << "," << csv_number(ci.first) << "," << csv_number(ci.second) << "," << csv_number(level) << ","
                << csv_number(min) << "," << csv_number(q_at(0.05)) << "," << csv_number(q_at(0.5)) << ","
                << csv_number(q_at(0.95)) << "," << csv_number(max) << "," << csv_number(p_pos) << ","
                << csv_number(p_pos_ci.first) << "," << csv_number(p_pos_ci.second) << "\n";
  nlohmann::json qjson = nlohmann::json::object(), qerr = nlohmann::json::object();
  for (const auto& q : qs) {
    files.quantiles << prefix << csv_number(q.p) << "," << csv_number(q.value) << "," << csv_number(q.error_bound)
                    << "," << csv_number(q.ci_low) << "," << csv_number(q.ci_high) << "\n";
    qjson[quantile_key(q.p)] = json_number(q.value);
    qerr[quantile_key(q.p)] = json_number(q.error_bound);
  }
  const auto edges = hist.bin_edges();
  const auto counts = hist.bin_counts();
  auto& histograms = files.histograms;
  if (hist.underflow())
    histograms << prefix << csv_number(hist.min()) << "," << csv_number(edges.front()) << "," << hist.underflow()
               << "\n";
  for (std::size_t b = 0; b < counts.size(); ++b)
    if (counts[b])
      histograms << prefix << csv_number(edges[b]) << "," << csv_number(edges[b + 1]) << "," << counts[b] << "\n";
  if (hist.overflow())
    histograms << prefix << csv_number(edges.back()) << "," << csv_number(hist.max()) << "," << hist.overflow() << "\n";
  nlohmann::json tjson = nlohmann::json::array();
  for (std::size_t t = 0; t < exceed.thresholds().size(); ++t) {
    const double prob = exceed.count() ? exceed.prob_above(t) : NAN;
    const auto pci = exceed.count() ? exceed.prob_above_ci(t, level) : std::pair<double, double>{NAN, NAN};
    files.thresholds << prefix << csv_number(exceed.thresholds()[t]) << "," << csv_number(prob) << ","
                     << csv_number(pci.first) << "," << csv_number(pci.second) << "\n";
    tjson.push_back({{"threshold", exceed.thresholds()[t]},
                     {"prob_above", json_number(prob)},
                     {"ci", {json_number(pci.first), json_number(pci.second)}}});
  }
  const auto ci95 = r.mean_ci(o, 0.95);
  return {{"name", out.label.output},
          {"unit", out.label.unit},
          {"runs_ok", mom.count()},
          {"mean", json_number(mean)},
          {"sd", json_number(sd)},
          {"standard_error", json_number(se)},
          {"ci95", {json_number(ci95.first), json_number(ci95.second)}},
          {"ci", {json_number(ci.first), json_number(ci.second)}},
          {"min", json_number(min)},
          {"max", json_number(max)},
          {"quantiles", qjson},
          {"quantile_error_bounds", qerr},
          {"prob_positive", json_number(p_pos)},
          {"prob_positive_ci", {json_number(p_pos_ci.first), json_number(p_pos_ci.second)}},
          {"thresholds", tjson}};
}

/// comparisons.csv and summary.json's "comparisons": P(mode a > mode b) and a - b, per output.
void add_comparisons(const UncertaintyResult& r, UncertaintyFiles& files) {
  const double level = r.config.conf_level;
  nlohmann::json comps = nlohmann::json::array();
  for (const auto& c : r.comparisons) {
    const auto& pc = c.comparison;
    const double prob = pc.count() ? pc.prob_a_greater() : NAN;
    const auto pci = pc.count() ? pc.prob_a_greater_ci(level) : std::pair<double, double>{NAN, NAN};
    const double mean = moment_or_nan(pc.difference(), &Moments::mean, 1);
    const double sd = moment_or_nan(pc.difference(), &Moments::sd, 2);
    const auto q5 = report_quantile(pc.difference_histogram(), 0.05, level);
    const auto q50 = report_quantile(pc.difference_histogram(), 0.5, level);
    const auto q95 = report_quantile(pc.difference_histogram(), 0.95, level);
    files.comparisons << csv_text(c.output) << "," << csv_text(c.unit) << "," << csv_text(r.modes[c.mode_a]) << ","
                      << csv_text(r.modes[c.mode_b]) << "," << pc.count() << "," << csv_number(prob) << ","
                      << csv_number(pci.first) << "," << csv_number(pci.second) << "," << csv_number(mean) << ","
                      << csv_number(sd) << "," << csv_number(q5.value) << "," << csv_number(q50.value) << ","
                      << csv_number(q95.value) << "\n";
    comps.push_back(
        {{"output", c.output},
         {"unit", c.unit},
         {"mode_a", r.modes[c.mode_a]},
         {"mode_b", r.modes[c.mode_b]},
         {"runs", pc.count()},
         {"prob_a_greater", json_number(prob)},
         {"prob_a_greater_ci", {json_number(pci.first), json_number(pci.second)}},
         {"mean_difference", json_number(mean)},
         {"sd_difference", json_number(sd)},
         {"difference_quantiles",
          {{"p5", json_number(q5.value)}, {"p50", json_number(q50.value)}, {"p95", json_number(q95.value)}}}});
  }
  files.json["comparisons"] = comps;
}

/// failures.csv and summary.json's "failures_by_mode": every failed run, by mode and reason.
void add_failures(const UncertaintyResult& r, UncertaintyFiles& files) {
  nlohmann::json fails = nlohmann::json::object();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    nlohmann::json fm = nlohmann::json::object();
    for (std::size_t s = 1; s < RUN_STATUS_COUNT; ++s) {
      const auto count = r.failures[m][s];
      const std::string reason(to_string(static_cast<RunStatus>(s)));
      const double rate = r.runs ? static_cast<double>(count) / static_cast<double>(r.runs) : 0.0;
      files.failures << csv_text(r.modes[m]) << "," << reason << "," << count << "," << csv_number(rate) << "\n";
      fm[reason] = count;
    }
    fails[r.modes[m]] = fm;
  }
  files.json["failures_by_mode"] = fails;
}

}  // namespace

void write_uncertainty_report(const UncertaintyResult& r, const Provenance& prov, const std::string& directory) {
  const std::string header = provenance_comment(r, prov);
  UncertaintyFiles files;
  files.summary << header
                << "mode,output,unit,runs_ok,mean,sd,standard_error,ci_low,ci_high,conf_level,min,p5,p50,p95,max,"
                   "prob_positive,prob_positive_low,prob_positive_high\n";
  files.quantiles << header << "mode,output,unit,quantile,value,binning_error_bound,ci_low,ci_high\n";
  files.histograms << header << "mode,output,unit,bin_low,bin_high,count\n";
  files.thresholds << header << "mode,output,unit,threshold,prob_above,prob_low,prob_high\n";
  files.comparisons << header
                    << "output,unit,mode_a,mode_b,runs,prob_a_greater,prob_low,prob_high,mean_difference,"
                       "sd_difference,p5_difference,p50_difference,p95_difference\n";
  files.failures << header << "mode,reason,count,rate\n";
  files.json = study_json(r, prov);

  nlohmann::json modes = nlohmann::json::array();
  for (std::size_t m = 0; m < r.modes.size(); ++m) {
    nlohmann::json outputs = nlohmann::json::array();
    for (std::size_t o = 0; o < r.outputs.size(); ++o)
      if (r.outputs[o].label.mode_index == m) outputs.push_back(add_output(r, o, files));
    nlohmann::json mode_json;
    mode_json["name"] = r.modes[m];
    mode_json["failed_runs"] = r.failed_runs(m);
    mode_json["outputs"] = outputs;
    modes.push_back(mode_json);
  }
  files.json["modes"] = modes;
  add_comparisons(r, files);
  add_failures(r, files);

  auto path = [&](const char* name) { return detail::result_file_path(directory, name); };
  write_file_atomically(path("summary.csv"), files.summary.str());
  write_file_atomically(path("quantiles.csv"), files.quantiles.str());
  write_file_atomically(path("histograms.csv"), files.histograms.str());
  write_file_atomically(path("comparisons.csv"), files.comparisons.str());
  write_file_atomically(path("failures.csv"), files.failures.str());
  write_file_atomically(path("thresholds.csv"), files.thresholds.str());
  write_file_atomically(path("summary.json"), files.json.dump(2) + "\n");
}

}  // namespace symbiomc
