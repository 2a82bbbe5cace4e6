#pragma once
// Input distributions of uncertain parameters. The set is closed and held in a std::variant, so
// mapping a design point's uniform to a value is a jump-table dispatch with no heap and no
// virtual call in the hot loop; every distribution is validated when built and then immutable.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "symbiomc/base/number_format.hpp"

namespace symbiomc {

/// A parameter held at one value. Support {value}.
class Fixed {
 public:
  static constexpr std::string_view KIND = "fixed";
  /// Fixed at 0 (so that a Distribution is default-constructible).
  Fixed() noexcept = default;
  /// Throws std::invalid_argument unless `value` is finite.
  explicit Fixed(double value);
  [[nodiscard]] double value() const noexcept { return value_; }

 private:
  double value_ = 0.0;
};

/// Uniform on [low, high].
class Uniform {
 public:
  static constexpr std::string_view KIND = "unif";
  /// Throws std::invalid_argument unless both are finite and low < high.
  Uniform(double low, double high);
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double high() const noexcept { return high_; }

 private:
  double low_, high_;
};

/// Normal (Gaussian) with the given mean and standard deviation. Support (-inf, inf).
class Normal {
 public:
  static constexpr std::string_view KIND = "norm";
  /// Throws std::invalid_argument unless both are finite and sd > 0.
  Normal(double mean, double sd);
  [[nodiscard]] double mean() const noexcept { return mean_; }
  [[nodiscard]] double sd() const noexcept { return sd_; }

 private:
  double mean_, sd_;
};

/// Normal(mean, sd) conditioned on [low, high]; mean and sd are those of the parent normal,
/// not of the truncated one. low may be -inf and high +inf (one-sided truncation).
class TruncNormal {
 public:
  static constexpr std::string_view KIND = "truncnorm";
  /// Throws std::invalid_argument unless mean, sd are finite, sd > 0, low < high (not NaN),
  /// and the interval carries probability mass representable in double.
  TruncNormal(double mean, double sd, double low, double high);
  [[nodiscard]] double mean() const noexcept { return mean_; }
  [[nodiscard]] double sd() const noexcept { return sd_; }
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double high() const noexcept { return high_; }
  /// True when the interval lies in the parent's upper tail and probabilities are kept as
  /// survival values (Q = 1 - Phi) so that they do not round to 1.
  [[nodiscard]] bool upper_tail() const noexcept { return upper_tail_; }
  /// Phi(alpha), Phi(beta) of the standardised bounds, or Q(alpha), Q(beta) when upper_tail().
  [[nodiscard]] double p_low() const noexcept { return p_low_; }
  [[nodiscard]] double p_high() const noexcept { return p_high_; }

 private:
  double mean_, sd_, low_, high_;
  bool upper_tail_;
  double p_low_, p_high_;
};

/// Lognormal: ln X ~ Normal(mu_ln, sigma_ln). Support (0, inf). Build it from what a data source
/// gives: the arithmetic mean and sd of X, or its median and geometric standard deviation.
class LogNormal {
 public:
  static constexpr std::string_view KIND = "lognorm";
  /// From the arithmetic mean and sd of X: sigma_ln^2 = ln(1 + sd^2/mean^2),
  /// mu_ln = ln(mean) - sigma_ln^2 / 2. Throws std::invalid_argument unless mean > 0, sd > 0.
  [[nodiscard]] static LogNormal from_mean_sd(double mean, double sd);
  /// From the median (= exp(mu_ln)) and geometric sd (= exp(sigma_ln)) of X. Throws
  /// std::invalid_argument unless median > 0 and gsd > 1.
  [[nodiscard]] static LogNormal from_median_gsd(double median, double gsd);
  /// From the parameters of ln X. Throws std::invalid_argument unless finite and sigma_ln > 0.
  [[nodiscard]] static LogNormal from_log_parameters(double mu_ln, double sigma_ln);
  [[nodiscard]] double mu_ln() const noexcept { return mu_ln_; }
  [[nodiscard]] double sigma_ln() const noexcept { return sigma_ln_; }

  /// How the distribution was given, kept so that reports echo the user's numbers unrounded.
  enum class Form { mean_sd, median_gsd, log_parameters };
  [[nodiscard]] Form form() const noexcept { return form_; }
  /// The two numbers as given: (mean, sd), (median, gsd) or (mu_ln, sigma_ln).
  [[nodiscard]] std::pair<double, double> given() const noexcept { return {given_first_, given_second_}; }

 private:
  LogNormal(double mu_ln, double sigma_ln, Form form, double given_first, double given_second) noexcept
      : mu_ln_(mu_ln), sigma_ln_(sigma_ln), form_(form), given_first_(given_first), given_second_(given_second) {}
  double mu_ln_, sigma_ln_;
  Form form_;
  double given_first_, given_second_;
};

/// Triangular on [low, high] with peak at mode.
class Triangular {
 public:
  static constexpr std::string_view KIND = "triang";
  /// Throws std::invalid_argument unless finite, low < high and low <= mode <= high.
  Triangular(double low, double mode, double high);
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double mode() const noexcept { return mode_; }
  [[nodiscard]] double high() const noexcept { return high_; }

 private:
  double low_, mode_, high_;
};

namespace detail {
/// A tabulated inverse CDF of a standard Beta(alpha, beta) with alpha, beta >= 1 (see
/// distributions.cpp): shared, immutable, built once per distribution.
struct BetaQuantileTable;
/// Standard-beta quantile from the table, or from Boost.Math when there is none.
[[nodiscard]] double beta_quantile(const BetaQuantileTable* table, double alpha, double beta, double u) noexcept;
[[nodiscard]] std::shared_ptr<const BetaQuantileTable> make_beta_quantile_table(double alpha, double beta);
}  // namespace detail

/// PERT: a Beta(alpha, beta) scaled to [low, high] with alpha = 1 + 4 (mode - low)/(high - low),
/// beta = 1 + 4 (high - mode)/(high - low) (the standard lambda = 4), so mean = (low + 4 mode + high)/6.
class Pert {
 public:
  static constexpr std::string_view KIND = "pert";
  static constexpr double LAMBDA = 4.0;
  /// Throws std::invalid_argument unless finite, low < high and low <= mode <= high.
  Pert(double low, double mode, double high);
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double mode() const noexcept { return mode_; }
  [[nodiscard]] double high() const noexcept { return high_; }
  [[nodiscard]] double alpha() const noexcept { return alpha_; }
  [[nodiscard]] double beta() const noexcept { return beta_; }
  [[nodiscard]] const detail::BetaQuantileTable* table() const noexcept { return table_.get(); }

 private:
  double low_, mode_, high_, alpha_, beta_;
  std::shared_ptr<const detail::BetaQuantileTable> table_;
};

/// Beta(alpha, beta) scaled to [low, high].
class Beta {
 public:
  static constexpr std::string_view KIND = "beta";
  /// Throws std::invalid_argument unless finite, alpha > 0, beta > 0 and low < high.
  Beta(double alpha, double beta, double low, double high);
  [[nodiscard]] double alpha() const noexcept { return alpha_; }
  [[nodiscard]] double beta() const noexcept { return beta_; }
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double high() const noexcept { return high_; }
  [[nodiscard]] const detail::BetaQuantileTable* table() const noexcept { return table_.get(); }

 private:
  double alpha_, beta_, low_, high_;
  std::shared_ptr<const detail::BetaQuantileTable> table_;  ///< null when alpha < 1 or beta < 1
};

/// ln X uniform on [ln low, ln high] (scale parameters spanning orders of magnitude).
class LogUniform {
 public:
  static constexpr std::string_view KIND = "logunif";
  /// Throws std::invalid_argument unless finite and 0 < low < high.
  LogUniform(double low, double high);
  [[nodiscard]] double low() const noexcept { return low_; }
  [[nodiscard]] double high() const noexcept { return high_; }

 private:
  double low_, high_;
};

/// Finitely many values with given probabilities. Stored sorted by value with cumulative
/// probabilities (last one exactly 1), so quantile() is a binary search without allocation.
class Discrete {
 public:
  static constexpr std::string_view KIND = "discrete";
  /// Relative tolerance on the sum of the probabilities.
  static constexpr double SUM_TOLERANCE = 1e-9;
  /// Throws std::invalid_argument unless the lists are non-empty and of equal length, values
  /// finite and distinct, probabilities in [0, 1] summing to 1 within SUM_TOLERANCE. The
  /// probabilities are renormalised to sum exactly to 1.
  Discrete(std::vector<double> values, std::vector<double> probabilities);
  /// Values in increasing order, and their probabilities and cumulative probabilities.
  [[nodiscard]] const std::vector<double>& values() const noexcept { return values_; }
  [[nodiscard]] const std::vector<double>& probabilities() const noexcept { return probabilities_; }
  [[nodiscard]] const std::vector<double>& cumulative() const noexcept { return cumulative_; }

 private:
  std::vector<double> values_, probabilities_, cumulative_;
};

using Distribution =
    std::variant<Fixed, Uniform, Normal, TruncNormal, LogNormal, Triangular, Pert, Beta, LogUniform, Discrete>;

/// Inverse CDF: the smallest x with cdf(x) >= u. Precondition: 0 < u < 1 (design points lie in
/// the open cube); 0 or 1 give the support's ends (possibly infinite), never an exception.
/// Hot path: no allocation, thread-safe, O(1) except Discrete, O(log n).
[[nodiscard]] double quantile(const Distribution& dist, double u) noexcept;
/// P(X <= x).
[[nodiscard]] double cdf(const Distribution& dist, double x) noexcept;
[[nodiscard]] double mean(const Distribution& dist) noexcept;
[[nodiscard]] double variance(const Distribution& dist) noexcept;
/// Smallest interval holding all the probability: {lo, hi}, infinite ends for unbounded
/// distributions ({0, inf} for lognorm, whose 0 is never attained).
[[nodiscard]] std::pair<double, double> support(const Distribution& dist) noexcept;
/// True for distributions with a density (all but Fixed and Discrete): the ends of their
/// support have probability 0, so a support starting at 0 still suits a parameter that must be > 0.
[[nodiscard]] bool is_continuous(const Distribution& dist) noexcept;
/// The distributions-file spelling: "fixed", "unif", "norm", "truncnorm", "lognorm", "triang",
/// "pert", "beta", "logunif", "discrete".
[[nodiscard]] std::string_view kind_name(const Distribution& dist) noexcept;
/// Why `dist`, valid by its parameters' signs and order, still cannot be sampled in double
/// precision, or "" when it can: its mean and variance must be finite, a continuous kind's
/// variance positive (sd 1e-200 against a mean of 1 is a point, and a lognormal then has no
/// spread at all), and its quantiles finite over all of (0, 1). Otherwise every run would fail
/// or every statistic be infinite. The reason reads after "the distribution ...".
[[nodiscard]] std::string unrepresentable_reason(const Distribution& dist);
/// All kind names in variant order (for "did you mean" and messages).
[[nodiscard]] std::vector<std::string> kind_names();
/// Short human form for reports, e.g. "norm(mean=1, sd=0.2)", "lognorm(median=3, gsd=1.5)".
[[nodiscard]] std::string to_string(const Distribution& dist);

}  // namespace symbiomc
