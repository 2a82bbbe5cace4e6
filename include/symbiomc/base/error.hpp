#pragma once
// Errors of symbiomc: bad input (InputError, exit code 2) and a model that cannot be built or
// run as asked (ModelError, exit code 3). The library throws; only src/cli/main.cpp maps them
// to exit codes. RunStatus is the per-run outcome of a balance: failed runs are data, not
// exceptions, so nothing throws inside the parallel loop.

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "symbiomc/base/number_format.hpp"

namespace symbiomc {

/// Where a piece of input came from: file and 1-based line (0 = whole file), optional column.
struct SourceLocation {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;  ///< 1-based; 0 = not known
};

/// "file:line:column: " (parts that are unknown are left out).
[[nodiscard]] std::string to_string(const SourceLocation& where);

/// Bad user input: a file, a row, a column or a parameter is wrong. what() is the full
/// message, already prefixed with the location, e.g.
/// "cases/x/flows.csv:7: column 'quantity': expression refers to itself (flow 'a')".
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const SourceLocation& where, const std::string& message)
      : std::runtime_error(to_string(where) + message) {}
};

/// Several input errors found in one pass (cap 20), reported together so that a user can fix
/// a file in one go. what() lists them one per line.
class InputErrors : public InputError {
 public:
  explicit InputErrors(std::vector<std::string> messages);
  [[nodiscard]] const std::vector<std::string>& messages() const noexcept { return messages_; }

 private:
  std::vector<std::string> messages_;
};

/// Collects input errors while a file is checked row by row; throw_if_any() raises them all.
class ErrorList {
 public:
  static constexpr std::size_t MAX_ERRORS = 20;
  void add(const SourceLocation& where, const std::string& message);
  void add(const std::string& full_message);
  [[nodiscard]] bool empty() const noexcept { return messages_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return messages_.size(); }
  /// Throws InputError (one message) or InputErrors (several) when anything was added.
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
  std::size_t dropped_ = 0;
};

/// Thrown when a run is cancelled (Ctrl-C, SIGTERM) or aborted on a failed run (--on-failure abort).
class RunInterrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The model cannot do what was asked although the input files are well formed
/// (e.g. Sobol' indices requested with correlated inputs).
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Outcome of one balance evaluation of one mode. Anything but ok means the run's outputs
/// for that mode are not numbers and must not reach a statistic.
enum class RunStatus : std::uint8_t {
  ok = 0,
  not_converged,         ///< a load-dependent loop did not converge within the iteration cap
  singular_recycle,      ///< a recycle loop's linear system has no unique solution
  negative_flow,         ///< a physical flow came out negative
  non_finite,            ///< a NaN or infinity appeared
  out_of_domain,         ///< a sampled parameter lies outside its physical domain (e.g. efficiency > 1)
  curve_not_increasing,  ///< a curve's sampled x points are not strictly increasing
};
inline constexpr std::size_t RUN_STATUS_COUNT = 7;

/// Stable snake_case name used in reports ("not_converged", ...).
[[nodiscard]] std::string_view to_string(RunStatus status) noexcept;

namespace detail {
template <typename T>
void append(std::ostringstream& out, const T& part) {
  if constexpr (std::is_floating_point_v<T>)
    out << plain_number(static_cast<double>(part));
  else
    out << part;
}
}  // namespace detail

/// Builds a message from streamable parts: message("expected > 0, got ", x). GCC 12 has no
/// <format>, so this small helper keeps call sites readable. Doubles print in their shortest
/// round-trip form.
template <typename... Parts>
[[nodiscard]] std::string message(const Parts&... parts) {
  std::ostringstream out;
  (detail::append(out, parts), ...);
  return out.str();
}

/// The names in `candidates` closest to `name` by edit distance (at most `max_count`, only
/// plausible ones), for "did you mean" hints.
[[nodiscard]] std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& candidates,
                                                     std::size_t max_count = 3);

/// " (did you mean 'a', 'b'?)" or "" when nothing is close.
[[nodiscard]] std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace symbiomc
