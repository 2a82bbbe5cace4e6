#pragma once
// Reads a case directory (cases/<name>/*.csv, format in cases/README.md) into a validated
// Network. Every defect of a file is collected (up to 20) and reported at once with
// "file:line:" and what was expected, so a user fixes a file in one pass.

#include <string>
#include <vector>

#include "symbiomc/case/network.hpp"

namespace symbiomc {

/// Reads and validates `directory`. Throws InputError / InputErrors on bad input.
[[nodiscard]] Network read_case(const std::string& directory);

/// What a collecting read of a case found: every file read in full whatever the others hold.
struct CaseReading {
  Network network;                   ///< what parsed; a valid network only when `complete`
  bool complete = false;             ///< every file read without a defect (errors is empty)
  bool parameters_clean = false;     ///< parameters.csv read without a defect: its parameters can be trusted
  std::vector<std::string> errors;   ///< "file:line: ..." for every defect found, up to 20 per file
  std::vector<std::string> skipped;  ///< cross-file checks left out because a file they read has errors
};

/// Reads `directory` like read_case but never stops early: every file is read and its rows are
/// checked in full (each file's errors capped at 20), a file that cannot be read at all (missing,
/// bad header, no rows) is one error, and names are checked only against files that read cleanly
/// (what was left out is listed in `skipped`). For `symbiomc check`. Never throws InputError.
[[nodiscard]] CaseReading read_case_collecting(const std::string& directory);

}  // namespace symbiomc
