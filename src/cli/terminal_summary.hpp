#pragma once
// What the sampling commands print on the terminal by default: the case's headline outputs
// (outputs.csv's `headline` column) and, per output and mode, the few parameters whose
// intervals exclude zero, so that a result fits a screen or two; `--all` prints every output
// and the longer tables. The result files are the full record either way: these helpers only
// choose what to print.

#include <cstddef>
#include <set>
#include <string>

#include "study.hpp"

namespace symbiomc::cli {

/// At most this many parameters (and groups) per output and mode in the default summary.
inline constexpr std::size_t SUMMARY_TOP_FACTORS = 5;

/// A variance share below this is floating-point residue, not an effect: a parameter that
/// cancels out of an output (it enters the baseline and the mode alike) gets a total index of
/// about 1e-30 with an interval of the same size that "excludes 0". The summary leaves such
/// parameters out (the result files keep the number); Morris's mu* is compared with this
/// fraction of the output's largest mu*.
inline constexpr double NEGLIGIBLE_SHARE = 1e-12;

class ShownOutputs {
 public:
  /// Every output with `all` (--all) or for a built-in model; else the case's headline outputs
  /// (every output when the case marks none: read_case sets them all).
  ShownOutputs(const Study& study, bool all);

  /// --all: every output and the long tables, as before the summary existed.
  [[nodiscard]] bool all() const noexcept { return all_; }
  [[nodiscard]] bool shows(const std::string& output) const {
    return all_ || every_output_ || headline_.contains(output);
  }
  /// "the 3 headline outputs of 10" (for the closing line), "" when every output is shown.
  [[nodiscard]] std::string hidden_note() const;

 private:
  bool all_ = true;
  bool every_output_ = true;  ///< a built-in model: no headline column, every output shown
  std::set<std::string> headline_;
  std::size_t outputs_ = 0;
};

}  // namespace symbiomc::cli
