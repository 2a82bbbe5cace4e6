#pragma once
// A structural option of the case and a row of the distributions file that both set one
// parameter: a run cannot honour both (the sampler would overwrite the option's value, or the
// option would move the nominal value out of the distribution's support). Runs refuse such a
// pair, naming both rows, unless told which one wins (--override-distributions: the option).

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "symbiomc/case/network.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {

struct OptionConflict {
  std::string option, choice;  ///< the choice that sets the parameter (options.csv)
  std::string parameter;
  SourceLocation setting;       ///< its row in options.csv
  SourceLocation distribution;  ///< the row of the distributions file that perturbs (or pins) it
};

/// The conflicts of `choices` (option name -> choice name; names the case does not have are
/// ignored: compiling the plan refuses them) with the rows of `problem`, uncertain or 'fixed'.
/// A default choice sets the case's nominal values, which the distributions file describes the
/// uncertainty of, so it never conflicts; only the other choices do.
[[nodiscard]] std::vector<OptionConflict> option_conflicts(
    const Network& network, const Problem& problem, std::span<const std::pair<std::string, std::string>> choices);

/// Every choice of every option that is not its option's default, for `symbiomc check`.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> non_default_choices(const Network& network);

/// "options.csv:7: option whb_split=table1 sets 'whb_power_frac', which biomass.csv:45 also
/// perturbs" (or "pins", for a 'fixed' row).
[[nodiscard]] std::string describe(const OptionConflict& conflict, const Problem& problem);

/// The names of the conflicting parameters, each once, in order of first appearance.
[[nodiscard]] std::vector<std::string> conflicting_parameters(const std::vector<OptionConflict>& conflicts);

}  // namespace symbiomc
