#pragma once
// Every file and folder a command will write, checked (and the result folder claimed) before
// the long computation starts, so that a misspelt or unwritable destination costs seconds, not
// the whole run, and so that no option can overwrite a result, a checkpoint or a user's file.

#include <memory>
#include <string>

#include "long_run.hpp"
#include "symbiomc/base/result_folder.hpp"

namespace symbiomc::cli {

struct Destinations {
  std::string out_dir;                    ///< --out DIR (required)
  std::string report;                     ///< --report FILE ("" = none)
  std::string dump_runs;                  ///< --dump-runs FILE ("" = none)
  const LongRunArgs* long_run = nullptr;  ///< --checkpoint / --resume (null = none)
};

/// Checks every destination of `d` and claims --out (ResultFolder: lock, new sibling folder).
/// Throws InputError naming the option and the path: an empty or unwritable path, a directory
/// where a file is expected, a file inside --out (replaced as a whole), two options naming one
/// file, a --checkpoint that would overwrite an existing checkpoint other than the --resume
/// one, a --report that would overwrite a file other than an HTML report.
[[nodiscard]] std::unique_ptr<ResultFolder> claim_destinations(const Destinations& d);

/// `report --out FILE` and `--report FILE`: a writable file name that is not a directory and
/// not an existing file other than a symbiomc HTML report.
void check_report_destination(const std::string& path, std::string_view option);

}  // namespace symbiomc::cli
