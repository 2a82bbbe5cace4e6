#pragma once
// Turning --set NAME=VALUE and --option NAME=CHOICE strings into PlanOptions, with input
// errors that name the argument; shared by every command that reads a case.

#include <string>
#include <vector>

#include "symbiomc/balance/balance.hpp"

namespace symbiomc::cli {

[[nodiscard]] PlanOptions plan_options(const std::vector<std::string>& sets, const std::vector<std::string>& options);

/// Splits "NAME=VALUE" or throws InputError naming `flag`.
[[nodiscard]] std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& flag);

}  // namespace symbiomc::cli
