#pragma once
// Pass 1 of compiling a balance: the parameters' nominal values. A case's options (--option
// name=choice, else each option's default choice) set parameters, and what-if overrides
// (--set name=value) set them last. Every later pass reads the nominal values from here: they
// are what the nominal balance is checked with and what a workspace starts from.

#include <cstddef>
#include <string_view>
#include <vector>

#include "symbiomc/balance/balance.hpp"

namespace symbiomc::detail {

/// Fills plan.parameters (nominal values after options and overrides) and plan.chosen_options
/// (the choices given, then the default choice of every option not given). Throws InputError
/// for an unknown option, choice or parameter and for an override outside its domain.
void apply_options(const Network& network, const PlanOptions& options, PlanData& plan);

/// Index of the parameter called `name`; throws InputError naming the closest names.
[[nodiscard]] std::size_t find_parameter(const std::vector<ParameterInfo>& parameters, std::string_view name);

}  // namespace symbiomc::detail
