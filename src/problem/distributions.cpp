#include "symbiomc/problem/distributions.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <type_traits>

#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/policies/policy.hpp>

#include "symbiomc/base/error.hpp"
#include "symbiomc/problem/standard_normal.hpp"

namespace symbiomc {

namespace {

namespace bmp = boost::math::policies;

// quantile() and cdf() are noexcept and run inside the parallel loop, so Boost.Math must never
// throw there: every error policy returns a value instead (an infinite end, or NaN for a broken
// precondition). Parameters are validated when a distribution is built, and design points lie
// in (0, 1), so these fallbacks are only reached on contract violations. promote_double<false>
// keeps the evaluation in double rather than x87 long double: Boost's double-precision
// inverse CDFs are accurate to a few ulp, far below Monte Carlo noise, and several times faster.
using NoThrowPolicy = bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                                  bmp::overflow_error<bmp::ignore_error>, bmp::underflow_error<bmp::ignore_error>,
                                  bmp::denorm_error<bmp::ignore_error>, bmp::evaluation_error<bmp::ignore_error>,
                                  bmp::rounding_error<bmp::ignore_error>,
                                  bmp::indeterminate_result_error<bmp::ignore_error>, bmp::promote_double<false>>;
using BoostNormal = boost::math::normal_distribution<double, NoThrowPolicy>;
using BoostLogNormal = boost::math::lognormal_distribution<double, NoThrowPolicy>;
using BoostBeta = boost::math::beta_distribution<double, NoThrowPolicy>;

[[noreturn]] void invalid(std::string_view kind, const std::string& what) {
  throw std::invalid_argument(message(kind, ": ", what));
}

bool finite(double x) noexcept { return std::isfinite(x); }

// Standard normal density; 0 at the infinite ends of a one-sided truncation.
double std_normal_pdf(double z) noexcept {
  if (std::isinf(z)) return 0.0;
  return std::exp(-0.5 * z * z) * boost::math::constants::one_div_root_two_pi<double>();
}

// z * pdf(z) with the limit 0 at +-inf (the product would be inf * 0 = NaN).
double z_pdf(double z) noexcept { return std::isinf(z) ? 0.0 : z * std_normal_pdf(z); }

double clamp_to(double x, double lo, double hi) noexcept { return std::min(std::max(x, lo), hi); }

// ---- Per-distribution formulas. The normal family inverts through standard_normal_quantile
// (AS 241), the beta family through its table (or Boost.Math); the closed forms (uniform,
// triangular, log-uniform, discrete) need no numerical inversion.

double quantile_of(const Fixed& d, double) noexcept { return d.value(); }
double quantile_of(const Uniform& d, double u) noexcept {
  return clamp_to(d.low() + u * (d.high() - d.low()), d.low(), d.high());
}
double quantile_of(const Normal& d, double u) noexcept { return d.mean() + d.sd() * standard_normal_quantile(u); }
double quantile_of(const TruncNormal& d, double u) noexcept {
  // Inverse CDF of the parent restricted to [Phi(alpha), Phi(beta)]. In the upper tail the
  // same is done on survival probabilities so that Phi(alpha) ~ 1 does not lose all digits.
  const double z = d.upper_tail() ? -standard_normal_quantile(d.p_low() - u * (d.p_low() - d.p_high()))
                                  : standard_normal_quantile(d.p_low() + u * (d.p_high() - d.p_low()));
  return clamp_to(d.mean() + d.sd() * z, d.low(), d.high());
}
double quantile_of(const LogNormal& d, double u) noexcept {
  return std::exp(d.mu_ln() + d.sigma_ln() * standard_normal_quantile(u));
}
double quantile_of(const Triangular& d, double u) noexcept {
  const double a = d.low(), c = d.mode(), b = d.high();
  const double f_mode = (c - a) / (b - a);
  const double x = u < f_mode ? a + std::sqrt(u * (b - a) * (c - a)) : b - std::sqrt((1.0 - u) * (b - a) * (b - c));
  return clamp_to(x, a, b);
}
double quantile_of(const Pert& d, double u) noexcept {
  const double y = detail::beta_quantile(d.table(), d.alpha(), d.beta(), u);
  return clamp_to(d.low() + y * (d.high() - d.low()), d.low(), d.high());
}
double quantile_of(const Beta& d, double u) noexcept {
  const double y = detail::beta_quantile(d.table(), d.alpha(), d.beta(), u);
  return clamp_to(d.low() + y * (d.high() - d.low()), d.low(), d.high());
}
double quantile_of(const LogUniform& d, double u) noexcept {
  return clamp_to(d.low() * std::exp(u * std::log(d.high() / d.low())), d.low(), d.high());
}
double quantile_of(const Discrete& d, double u) noexcept {
  const auto& cum = d.cumulative();
  auto it = std::lower_bound(cum.begin(), cum.end(), u);
  if (it == cum.end()) --it;  // u > 1 would be a contract violation; answer the largest value
  return d.values()[static_cast<std::size_t>(it - cum.begin())];
}

double cdf_of(const Fixed& d, double x) noexcept { return x < d.value() ? 0.0 : 1.0; }
double cdf_of(const Uniform& d, double x) noexcept { return clamp_to((x - d.low()) / (d.high() - d.low()), 0.0, 1.0); }
double cdf_of(const Normal& d, double x) noexcept { return boost::math::cdf(BoostNormal(d.mean(), d.sd()), x); }
double cdf_of(const TruncNormal& d, double x) noexcept {
  if (x <= d.low()) return 0.0;
  if (x >= d.high()) return 1.0;
  const BoostNormal n01;  // standard normal
  const double z = (x - d.mean()) / d.sd();
  const double f = d.upper_tail()
                       ? (d.p_low() - boost::math::cdf(boost::math::complement(n01, z))) / (d.p_low() - d.p_high())
                       : (boost::math::cdf(n01, z) - d.p_low()) / (d.p_high() - d.p_low());
  return clamp_to(f, 0.0, 1.0);
}
double cdf_of(const LogNormal& d, double x) noexcept {
  if (x <= 0.0) return 0.0;
  return boost::math::cdf(BoostLogNormal(d.mu_ln(), d.sigma_ln()), x);
}
double cdf_of(const Triangular& d, double x) noexcept {
  const double a = d.low(), c = d.mode(), b = d.high();
  if (x <= a) return 0.0;
  if (x >= b) return 1.0;
  if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
  return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
}
double scaled_beta_cdf(double alpha, double beta, double low, double high, double x) noexcept {
  if (x <= low) return 0.0;
  if (x >= high) return 1.0;
  return boost::math::cdf(BoostBeta(alpha, beta), (x - low) / (high - low));
}
double cdf_of(const Pert& d, double x) noexcept { return scaled_beta_cdf(d.alpha(), d.beta(), d.low(), d.high(), x); }
double cdf_of(const Beta& d, double x) noexcept { return scaled_beta_cdf(d.alpha(), d.beta(), d.low(), d.high(), x); }
double cdf_of(const LogUniform& d, double x) noexcept {
  if (x <= d.low()) return 0.0;
  if (x >= d.high()) return 1.0;
  return std::log(x / d.low()) / std::log(d.high() / d.low());
}
double cdf_of(const Discrete& d, double x) noexcept {
  const auto& v = d.values();
  const auto it = std::upper_bound(v.begin(), v.end(), x);
  if (it == v.begin()) return 0.0;
  return d.cumulative()[static_cast<std::size_t>(it - v.begin()) - 1];
}

struct MeanVariance {
  double mean, variance;
};

MeanVariance scaled_beta_moments(double a, double b, double low, double high) noexcept {
  const double w = high - low, s = a + b;
  return {low + w * a / s, w * w * a * b / (s * s * (s + 1.0))};
}

MeanVariance moments_of(const Fixed& d) noexcept { return {d.value(), 0.0}; }
MeanVariance moments_of(const Uniform& d) noexcept {
  const double w = d.high() - d.low();
  return {0.5 * (d.low() + d.high()), w * w / 12.0};
}
MeanVariance moments_of(const Normal& d) noexcept { return {d.mean(), d.sd() * d.sd()}; }
MeanVariance moments_of(const TruncNormal& d) noexcept {
  // Moments of the doubly truncated normal (Johnson, Kotz & Balakrishnan, Continuous Univariate
  // Distributions vol. 1, 2nd ed. 1994, ch. 13): with Z the parent's probability of [low, high],
  // E = mu + sd (phi(a) - phi(b))/Z, Var = sd^2 [1 + (a phi(a) - b phi(b))/Z - ((phi(a) - phi(b))/Z)^2].
  const double alpha = (d.low() - d.mean()) / d.sd(), beta = (d.high() - d.mean()) / d.sd();
  const double z = d.upper_tail() ? d.p_low() - d.p_high() : d.p_high() - d.p_low();
  const double shift = (std_normal_pdf(alpha) - std_normal_pdf(beta)) / z;
  const double spread = (z_pdf(alpha) - z_pdf(beta)) / z;
  return {d.mean() + d.sd() * shift, d.sd() * d.sd() * (1.0 + spread - shift * shift)};
}
MeanVariance moments_of(const LogNormal& d) noexcept {
  const double s2 = d.sigma_ln() * d.sigma_ln();
  return {std::exp(d.mu_ln() + 0.5 * s2), std::expm1(s2) * std::exp(2.0 * d.mu_ln() + s2)};
}
MeanVariance moments_of(const Triangular& d) noexcept {
  const double a = d.low(), c = d.mode(), b = d.high();
  return {(a + b + c) / 3.0, (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0};
}
MeanVariance moments_of(const Pert& d) noexcept { return scaled_beta_moments(d.alpha(), d.beta(), d.low(), d.high()); }
MeanVariance moments_of(const Beta& d) noexcept { return scaled_beta_moments(d.alpha(), d.beta(), d.low(), d.high()); }
MeanVariance moments_of(const LogUniform& d) noexcept {
  const double l = d.low(), h = d.high(), r = std::log(h / l);
  const double m = (h - l) / r;
  return {m, (h * h - l * l) / (2.0 * r) - m * m};
}
MeanVariance moments_of(const Discrete& d) noexcept {
  double m = 0.0;
  for (std::size_t i = 0; i < d.values().size(); ++i) m += d.probabilities()[i] * d.values()[i];
  double v = 0.0;
  for (std::size_t i = 0; i < d.values().size(); ++i) {
    const double e = d.values()[i] - m;
    v += d.probabilities()[i] * e * e;
  }
  return {m, v};
}

constexpr double INF = std::numeric_limits<double>::infinity();

std::pair<double, double> support_of(const Fixed& d) noexcept { return {d.value(), d.value()}; }
std::pair<double, double> support_of(const Uniform& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const Normal&) noexcept { return {-INF, INF}; }
std::pair<double, double> support_of(const TruncNormal& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const LogNormal&) noexcept { return {0.0, INF}; }
std::pair<double, double> support_of(const Triangular& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const Pert& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const Beta& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const LogUniform& d) noexcept { return {d.low(), d.high()}; }
std::pair<double, double> support_of(const Discrete& d) noexcept { return {d.values().front(), d.values().back()}; }

std::string describe_of(const Fixed& d) { return message("value=", format_number(d.value())); }
std::string describe_of(const Uniform& d) {
  return message("low=", format_number(d.low()), ", high=", format_number(d.high()));
}
std::string describe_of(const Normal& d) {
  return message("mean=", format_number(d.mean()), ", sd=", format_number(d.sd()));
}
std::string describe_of(const TruncNormal& d) {
  return message("mean=", format_number(d.mean()), ", sd=", format_number(d.sd()), ", low=", format_number(d.low()),
                 ", high=", format_number(d.high()));
}
std::string describe_of(const LogNormal& d) {
  const auto [first, second] = d.given();
  switch (d.form()) {
    case LogNormal::Form::mean_sd:
      return message("mean=", format_number(first), ", sd=", format_number(second));
    case LogNormal::Form::median_gsd:
      return message("median=", format_number(first), ", gsd=", format_number(second));
    case LogNormal::Form::log_parameters:
      return message("mu_ln=", format_number(first), ", sigma_ln=", format_number(second));
  }
  return "";
}
std::string describe_three(const char* middle, double low, double mode, double high) {
  return message("low=", format_number(low), ", ", middle, "=", format_number(mode), ", high=", format_number(high));
}
std::string describe_of(const Triangular& d) { return describe_three("mode", d.low(), d.mode(), d.high()); }
std::string describe_of(const Pert& d) { return describe_three("mode", d.low(), d.mode(), d.high()); }
std::string describe_of(const Beta& d) {
  return message("alpha=", format_number(d.alpha()), ", beta=", format_number(d.beta()),
                 ", low=", format_number(d.low()), ", high=", format_number(d.high()));
}
std::string describe_of(const LogUniform& d) {
  return message("low=", format_number(d.low()), ", high=", format_number(d.high()));
}
std::string describe_of(const Discrete& d) {
  std::string values, probabilities;
  for (std::size_t i = 0; i < d.values().size(); ++i) {
    if (i) {
      values += ";";
      probabilities += ";";
    }
    values += format_number(d.values()[i]);
    probabilities += format_number(d.probabilities()[i]);
  }
  return message("values=", values, ", probabilities=", probabilities);
}

}  // namespace

// ---- Constructors: validate once so that the hot-path functions need no checks.

// ---- Tabulated beta inverse CDF.
// Why: Boost.Math's ibeta_inv costs ~12 microseconds per call here (Halley iterations on the
// incomplete beta; 66 % of a biomass uncertainty run with seven PERT inputs, measured with
// callgrind), against well under a microsecond for a whole balance. The table keeps
// Boost.Math as the source of truth: its nodes are Boost's own quantiles, and between them x is
// a cubic Hermite interpolant whose slopes are Boost's exact derivatives. It is built in
// t = logit(u), where the quantile of a Beta with alpha, beta >= 1 is smooth to the very tails
// (x ~ c e^(t/alpha)), so a uniform grid is accurate everywhere: the interpolation error is
// O(h^4), and tests/test_distributions.cpp measures it against Boost (< 1e-9 of the range).
// For alpha or beta < 1 the density is unbounded at an end and the table is not used.
namespace detail {

struct BetaQuantileTable {
  static constexpr double T_MAX = 37.0;  ///< logit range covered: u in [8.5e-17, 1 - 8.5e-17]
  static constexpr int INTERVALS = 2048;
  double h = 2 * T_MAX / INTERVALS;
  std::vector<double> x;     ///< quantile at node i
  std::vector<double> dxdt;  ///< dx/dt at node i
};

std::shared_ptr<const BetaQuantileTable> make_beta_quantile_table(double alpha, double beta) {
  if (!(alpha >= 1.0 && beta >= 1.0)) return nullptr;
  auto table = std::make_shared<BetaQuantileTable>();
  const BoostBeta dist(alpha, beta);
  const int n = BetaQuantileTable::INTERVALS;
  table->x.resize(static_cast<std::size_t>(n) + 1);
  table->dxdt.resize(static_cast<std::size_t>(n) + 1);
  for (int i = 0; i <= n; ++i) {
    const double t = -BetaQuantileTable::T_MAX + table->h * i;
    const double u = 1.0 / (1.0 + std::exp(-t));
    const double one_minus_u = 1.0 / (1.0 + std::exp(t));  // accurate where u ~ 1
    const double x =
        t < 0 ? boost::math::quantile(dist, u) : boost::math::quantile(boost::math::complement(dist, one_minus_u));
    const double density = boost::math::pdf(dist, x);
    table->x[static_cast<std::size_t>(i)] = x;
    // dx/dt = (du/dt) / pdf(x) = u (1 - u) / pdf(x); 0 where the density is infinite.
    table->dxdt[static_cast<std::size_t>(i)] = density > 0 && std::isfinite(density) ? u * one_minus_u / density : 0.0;
  }
  return table;
}

double beta_quantile(const BetaQuantileTable* table, double alpha, double beta, double u) noexcept {
  if (table == nullptr || !(u > 0.0 && u < 1.0)) return boost::math::quantile(BoostBeta(alpha, beta), u);
  const double t = std::log(u / (1.0 - u));
  const double s = (t + BetaQuantileTable::T_MAX) / table->h;
  if (!(s >= 0.0 && s < BetaQuantileTable::INTERVALS)) return boost::math::quantile(BoostBeta(alpha, beta), u);
  const auto i = static_cast<std::size_t>(s);
  const double w = s - static_cast<double>(i);
  const double w2 = w * w, w3 = w2 * w;
  const double h00 = 2 * w3 - 3 * w2 + 1, h10 = w3 - 2 * w2 + w, h01 = -2 * w3 + 3 * w2, h11 = w3 - w2;
  const double x =
      h00 * table->x[i] + h10 * table->h * table->dxdt[i] + h01 * table->x[i + 1] + h11 * table->h * table->dxdt[i + 1];
  return clamp_to(x, 0.0, 1.0);
}

}  // namespace detail

Fixed::Fixed(double value) : value_(value) {
  if (!finite(value)) invalid(KIND, "value must be finite");
}

Uniform::Uniform(double low, double high) : low_(low), high_(high) {
  if (!finite(low) || !finite(high) || !(low < high)) invalid(KIND, "need finite low < high");
}

Normal::Normal(double mean, double sd) : mean_(mean), sd_(sd) {
  if (!finite(mean) || !finite(sd) || !(sd > 0.0)) invalid(KIND, "need finite mean and sd > 0");
}

TruncNormal::TruncNormal(double mean, double sd, double low, double high)
    : mean_(mean), sd_(sd), low_(low), high_(high), upper_tail_(false), p_low_(0.0), p_high_(1.0) {
  if (!finite(mean) || !finite(sd) || !(sd > 0.0)) invalid(KIND, "need finite mean and sd > 0");
  if (std::isnan(low) || std::isnan(high) || !(low < high)) invalid(KIND, "need low < high");
  const BoostNormal n01;  // standard normal
  const double alpha = (low - mean) / sd, beta = (high - mean) / sd;
  upper_tail_ = alpha > 0.0;
  if (upper_tail_) {
    p_low_ = boost::math::cdf(boost::math::complement(n01, alpha));
    p_high_ = boost::math::cdf(boost::math::complement(n01, beta));
  } else {
    p_low_ = boost::math::cdf(n01, alpha);
    p_high_ = boost::math::cdf(n01, beta);
  }
  const double mass = upper_tail_ ? p_low_ - p_high_ : p_high_ - p_low_;
  if (!(mass > 0.0)) invalid(KIND, "[low, high] carries no probability under the parent normal");
}

LogNormal LogNormal::from_mean_sd(double mean, double sd) {
  if (!finite(mean) || !finite(sd) || !(mean > 0.0) || !(sd > 0.0)) invalid(KIND, "need mean > 0 and sd > 0");
  // Moment matching: E[X] = exp(mu + s^2/2), Var[X] = (exp(s^2) - 1) E[X]^2.
  const double cv = sd / mean;
  const double s2 = std::log1p(cv * cv);
  return LogNormal(std::log(mean) - 0.5 * s2, std::sqrt(s2), Form::mean_sd, mean, sd);
}

LogNormal LogNormal::from_median_gsd(double median, double gsd) {
  if (!finite(median) || !finite(gsd) || !(median > 0.0) || !(gsd > 1.0)) invalid(KIND, "need median > 0 and gsd > 1");
  return LogNormal(std::log(median), std::log(gsd), Form::median_gsd, median, gsd);
}

LogNormal LogNormal::from_log_parameters(double mu_ln, double sigma_ln) {
  if (!finite(mu_ln) || !finite(sigma_ln) || !(sigma_ln > 0.0)) invalid(KIND, "need finite mu_ln and sigma_ln > 0");
  return LogNormal(mu_ln, sigma_ln, Form::log_parameters, mu_ln, sigma_ln);
}

Triangular::Triangular(double low, double mode, double high) : low_(low), mode_(mode), high_(high) {
  if (!finite(low) || !finite(mode) || !finite(high) || !(low < high) || !(low <= mode && mode <= high))
    invalid(KIND, "need finite low < high and low <= mode <= high");
}

Pert::Pert(double low, double mode, double high) : low_(low), mode_(mode), high_(high), alpha_(0.0), beta_(0.0) {
  if (!finite(low) || !finite(mode) || !finite(high) || !(low < high) || !(low <= mode && mode <= high))
    invalid(KIND, "need finite low < high and low <= mode <= high");
  // The PERT beta of Malcolm, Roseboom, Clark & Fazar (Operations Research 7, 1959) in its usual
  // modern form (Vose, Risk Analysis, 3rd ed. 2008): shapes chosen so that the mean is
  // (low + LAMBDA mode + high) / (LAMBDA + 2).
  alpha_ = 1.0 + LAMBDA * (mode - low) / (high - low);
  beta_ = 1.0 + LAMBDA * (high - mode) / (high - low);
  table_ = detail::make_beta_quantile_table(alpha_, beta_);
}

Beta::Beta(double alpha, double beta, double low, double high) : alpha_(alpha), beta_(beta), low_(low), high_(high) {
  if (!finite(alpha) || !finite(beta) || !(alpha > 0.0) || !(beta > 0.0)) invalid(KIND, "need alpha > 0 and beta > 0");
  if (!finite(low) || !finite(high) || !(low < high)) invalid(KIND, "need finite low < high");
  table_ = detail::make_beta_quantile_table(alpha_, beta_);
}

LogUniform::LogUniform(double low, double high) : low_(low), high_(high) {
  if (!finite(low) || !finite(high) || !(low > 0.0) || !(low < high)) invalid(KIND, "need finite 0 < low < high");
}

Discrete::Discrete(std::vector<double> values, std::vector<double> probabilities) {
  if (values.empty() || values.size() != probabilities.size())
    invalid(KIND, "need non-empty value and probability lists of equal length");
  double sum = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!finite(values[i])) invalid(KIND, "values must be finite");
    if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0)) invalid(KIND, "probabilities must be in [0, 1]");
    sum += probabilities[i];
  }
  if (!(std::abs(sum - 1.0) <= SUM_TOLERANCE)) invalid(KIND, "probabilities must sum to 1");
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  values_.reserve(values.size());
  probabilities_.reserve(values.size());
  cumulative_.reserve(values.size());
  double running = 0.0;
  for (const std::size_t i : order) {
    if (!values_.empty() && values_.back() == values[i]) invalid(KIND, "values must be distinct");
    values_.push_back(values[i]);
    probabilities_.push_back(probabilities[i] / sum);
    running += probabilities[i] / sum;
    cumulative_.push_back(std::min(running, 1.0));
  }
  // The last cumulative probability is exactly 1, so every u < 1 finds a value.
  cumulative_.back() = 1.0;
}

// ---- Dispatch.

double quantile(const Distribution& dist, double u) noexcept {
  return std::visit([u](const auto& d) noexcept { return quantile_of(d, u); }, dist);
}

double cdf(const Distribution& dist, double x) noexcept {
  return std::visit([x](const auto& d) noexcept { return cdf_of(d, x); }, dist);
}

double mean(const Distribution& dist) noexcept {
  return std::visit([](const auto& d) noexcept { return moments_of(d).mean; }, dist);
}

double variance(const Distribution& dist) noexcept {
  return std::visit([](const auto& d) noexcept { return moments_of(d).variance; }, dist);
}

std::pair<double, double> support(const Distribution& dist) noexcept {
  return std::visit([](const auto& d) noexcept { return support_of(d); }, dist);
}

bool is_continuous(const Distribution& dist) noexcept {
  return !std::holds_alternative<Fixed>(dist) && !std::holds_alternative<Discrete>(dist);
}

std::string_view kind_name(const Distribution& dist) noexcept {
  return std::visit([](const auto& d) noexcept { return std::decay_t<decltype(d)>::KIND; }, dist);
}

std::string unrepresentable_reason(const Distribution& dist) {
  const double m = mean(dist), v = variance(dist);
  if (!std::isfinite(m)) return "has a mean that is not a finite double";
  if (!std::isfinite(v)) return "has a variance that is not a finite double (it overflows)";
  if (is_continuous(dist) && !(v > 0.0))
    return "has a variance that rounds to 0 in double precision (a single point: use dist 'fixed')";
  // A bounded support keeps every quantile between two finite ends. Otherwise the quantiles
  // are checked at the extreme uniforms of the designs, 2^-53 and 1 - 2^-53 (base/rng.hpp; the
  // largest is also the largest double below 1): quantile functions are monotone, so finite
  // ends mean finite quantiles throughout. (Only the normal-based kinds get here; their
  // quantiles are closed forms, unlike Boost's iterative beta inverse, which can fail at
  // extreme u.)
  if (const auto [low, high] = support(dist); std::isfinite(low) && std::isfinite(high)) return {};
  const double u_min = std::ldexp(1.0, -53);
  for (const double u : {u_min, 1.0 - u_min}) {
    const double x = quantile(dist, u);
    if (!std::isfinite(x)) return message("has a quantile at u = ", format_number(u), " that is not a finite double");
  }
  return {};
}

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (names.emplace_back(std::variant_alternative_t<I, Distribution>::KIND), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Distribution>>{});
  return names;
}

std::string to_string(const Distribution& dist) {
  return std::visit([](const auto& d) { return message(std::decay_t<decltype(d)>::KIND, "(", describe_of(d), ")"); },
                    dist);
}

}  // namespace symbiomc
