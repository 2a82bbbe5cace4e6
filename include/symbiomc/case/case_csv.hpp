#pragma once
// Reads a case directory (cases/<name>/*.csv, format in cases/README.md) into a validated
// Network. Every defect of a file is collected (up to 20) and reported at once with
// "file:line:" and what was expected, so a user fixes a file in one pass.

#include <string>

#include "symbiomc/case/network.hpp"

namespace symbiomc {

/// Reads and validates `directory`. Throws InputError / InputErrors on bad input.
[[nodiscard]] Network read_case(const std::string& directory);

}  // namespace symbiomc
