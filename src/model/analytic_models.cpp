#include "symbiomc/model/analytic_models.hpp"

#include <charconv>
#include <cmath>
#include <numbers>
#include <optional>

#include "symbiomc/base/error.hpp"
#include "symbiomc/base/pair_index.hpp"

namespace symbiomc {

namespace {

constexpr std::string_view SPEC_FORMS = "expected 'ishigami' or 'sobol-g:a=<a1>,<a2>,...'";

std::string_view strip_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The whole token must be a finite number (std::from_chars: locale-independent, no partial parse).
std::optional<double> parse_finite(std::string_view token) {
  double value = 0.0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    parts.push_back(
        strip_blanks(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

class EmptyWorkspace final : public ModelWorkspace {};

void check_spans(const char* model, std::size_t n_inputs, std::span<const double> x, std::size_t n, std::span<double> y,
                 std::span<RunStatus> status) {
  if (x.size() < n * n_inputs || y.size() < n || status.size() < n) {
    throw ModelError(message(model, ": evaluate of ", n, " runs needs ", n * n_inputs, " inputs, ", n, " outputs and ",
                             n, " statuses, got ", x.size(), ", ", y.size(), ", ", status.size()));
  }
}

}  // namespace

AnalyticModel::AnalyticModel(std::size_t n_inputs, double nominal) : modes_{"model"} {
  inputs_.reserve(n_inputs);
  for (std::size_t i = 0; i < n_inputs; ++i) inputs_.push_back(ModelInput{message("x", i + 1), "1", nominal});
  outputs_.push_back(ModelOutput{"model", "y", "1", 0});
}

std::unique_ptr<ModelWorkspace> AnalyticModel::make_workspace(std::size_t /*max_block*/) const {
  return std::make_unique<EmptyWorkspace>();
}

IshigamiModel::IshigamiModel(double a, double b) : AnalyticModel(3, 0.0), a_(a), b_(b) {
  if (!std::isfinite(a_) || !std::isfinite(b_)) {
    throw InputError(message("Ishigami function: expected finite a and b, got a=", a_, ", b=", b_));
  }
}

std::vector<std::pair<double, double>> IshigamiModel::input_bounds() const {
  return std::vector<std::pair<double, double>>(3, {-std::numbers::pi, std::numbers::pi});
}

void IshigamiModel::evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& /*workspace*/,
                             std::span<double> y, std::span<RunStatus> status) const {
  check_spans("Ishigami function", 3, x, n, y, status);
  for (std::size_t r = 0; r < n; ++r) {
    const double x1 = x[3 * r], x2 = x[3 * r + 1], x3 = x[3 * r + 2];
    const double s1 = std::sin(x1);
    const double s2 = std::sin(x2);
    const double x3_2 = x3 * x3;
    y[r] = s1 + a_ * s2 * s2 + b_ * x3_2 * x3_2 * s1;
    status[r] = std::isfinite(y[r]) ? RunStatus::ok : RunStatus::non_finite;
  }
}

SobolGModel::SobolGModel(std::vector<double> a) : AnalyticModel(a.size(), 0.5), a_(std::move(a)) {
  if (a_.empty()) throw InputError("Sobol' G function: expected at least one coefficient a_i");
  for (std::size_t i = 0; i < a_.size(); ++i) {
    if (!std::isfinite(a_[i]) || a_[i] < 0.0) {
      throw InputError(
          message("Sobol' G function: coefficient ", i + 1, ": expected a finite number >= 0, got ", a_[i]));
    }
  }
}

std::vector<std::pair<double, double>> SobolGModel::input_bounds() const {
  return std::vector<std::pair<double, double>>(a_.size(), {0.0, 1.0});
}

void SobolGModel::evaluate(std::span<const double> x, std::size_t n, ModelWorkspace& /*workspace*/, std::span<double> y,
                           std::span<RunStatus> status) const {
  const std::size_t d = a_.size();
  check_spans("Sobol' G function", d, x, n, y, status);
  for (std::size_t r = 0; r < n; ++r) {
    double product = 1.0;
    for (std::size_t i = 0; i < d; ++i) product *= (std::abs(4.0 * x[r * d + i] - 2.0) + a_[i]) / (1.0 + a_[i]);
    y[r] = product;
    status[r] = std::isfinite(product) ? RunStatus::ok : RunStatus::non_finite;
  }
}

AnalyticIndices ishigami_indices(double a, double b) {
  // Partial variances: Homma & Saltelli 1996, Sobol' & Levitan 1999. E[sin^2] = 1/2,
  // E[x^4] = pi^4/5 and E[x^8] = pi^8/9 for x ~ U[-pi, pi] give all terms below.
  const double pi4 = std::pow(std::numbers::pi, 4);
  const double pi8 = pi4 * pi4;
  const double v1 = 0.5 * (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0);
  const double v2 = a * a / 8.0;
  const double v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
  const double v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
  AnalyticIndices out;
  out.mean = a / 2.0;
  out.variance = v;
  out.first = {v1 / v, v2 / v, 0.0};
  out.total = {(v1 + v13) / v, v2 / v, v13 / v};
  out.second.assign(pair_count(3), 0.0);
  out.second[pair_index(0, 2, 3)] = v13 / v;
  return out;
}

AnalyticIndices sobol_g_indices(const std::vector<double>& a) {
  // Each factor's term has mean 1 and variance V_i = 1/(3(1+a_i)^2); the product of independent
  // mean-1 terms has V = prod(1 + V_i) - 1 and the ANOVA term of a set u is prod_{i in u} V_i.
  const std::size_t d = a.size();
  std::vector<double> vi(d);
  double product = 1.0;
  for (std::size_t i = 0; i < d; ++i) {
    vi[i] = 1.0 / (3.0 * (1.0 + a[i]) * (1.0 + a[i]));
    product *= 1.0 + vi[i];
  }
  const double v = product - 1.0;
  AnalyticIndices out;
  out.mean = 1.0;
  out.variance = v;
  out.first.resize(d);
  out.total.resize(d);
  out.second.assign(pair_count(d), 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    out.first[i] = vi[i] / v;
    double others = 1.0;
    for (std::size_t j = 0; j < d; ++j) {
      if (j != i) others *= 1.0 + vi[j];
    }
    out.total[i] = vi[i] * others / v;
    for (std::size_t l = i + 1; l < d; ++l) out.second[pair_index(i, l, d)] = vi[i] * vi[l] / v;
  }
  return out;
}

std::unique_ptr<AnalyticModel> parse_model_spec(std::string_view spec) {
  const std::string quoted = message("model spec '", spec, "': ");
  const std::string_view text = strip_blanks(spec);
  const auto colon = text.find(':');
  const std::string_view name = strip_blanks(text.substr(0, colon));
  const bool has_parameters = colon != std::string_view::npos;
  const std::string_view rest = has_parameters ? strip_blanks(text.substr(colon + 1)) : std::string_view{};

  if (name.empty()) throw InputError(quoted + std::string(SPEC_FORMS));

  if (name == "ishigami") {
    std::optional<double> a, b;
    if (has_parameters) {
      for (const std::string_view item : split(rest, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
          throw InputError(message(quoted, "expected key=value with key 'a' or 'b', got '", item, "'"));
        }
        const std::string_view key = strip_blanks(item.substr(0, eq));
        const std::string_view value = strip_blanks(item.substr(eq + 1));
        if (key != "a" && key != "b") throw InputError(message(quoted, "unknown key '", key, "'; expected 'a' or 'b'"));
        std::optional<double>& slot = key == "a" ? a : b;
        if (slot) throw InputError(message(quoted, "key '", key, "' given twice"));
        slot = parse_finite(value);
        if (!slot) throw InputError(message(quoted, "key '", key, "': expected a finite number, got '", value, "'"));
      }
    }
    return std::make_unique<IshigamiModel>(a.value_or(7.0), b.value_or(0.1));
  }

  if (name == "sobol-g") {
    if (rest.empty()) {
      throw InputError(quoted + "expected 'sobol-g:a=<a1>,<a2>,...' with at least one coefficient");
    }
    if (rest.substr(0, 2) != "a=")
      throw InputError(message(quoted, "expected 'a=' after 'sobol-g:', got '", rest, "'"));
    std::vector<double> coefficients;
    const auto tokens = split(rest.substr(2), ',');
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const auto value = parse_finite(tokens[i]);
      if (!value || *value < 0.0) {
        throw InputError(
            message(quoted, "coefficient ", i + 1, ": expected a finite number >= 0, got '", tokens[i], "'"));
      }
      coefficients.push_back(*value);
    }
    return std::make_unique<SobolGModel>(std::move(coefficients));
  }

  throw InputError(
      message(quoted, "unknown model '", name, "'", did_you_mean(name, {"ishigami", "sobol-g"}), "; ", SPEC_FORMS));
}

}  // namespace symbiomc

namespace symbiomc {

Problem uniform_problem(const AnalyticModel& model, std::string_view spec, const std::vector<std::string>& groups) {
  const auto bounds = model.input_bounds();
  if (!groups.empty() && groups.size() != model.inputs().size())
    throw ModelError(
        message("uniform_problem: ", groups.size(), " group names for ", model.inputs().size(), " inputs"));
  std::vector<UncertainParameter> parameters;
  for (std::size_t i = 0; i < model.inputs().size(); ++i) {
    UncertainParameter p;
    p.name = model.inputs()[i].name;
    p.unit = model.inputs()[i].unit;
    p.dist = Uniform(bounds[i].first, bounds[i].second);
    p.group = groups.empty() ? p.name : groups[i];
    p.source = "built-in model " + std::string(spec);
    p.case_index = i;
    parameters.push_back(std::move(p));
  }
  return Problem("model:" + std::string(spec), 0, std::move(parameters), {});
}

}  // namespace symbiomc
