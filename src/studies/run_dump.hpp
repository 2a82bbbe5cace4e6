#pragma once
// --dump-runs: every run's inputs, each mode's status and every output, one CSV line per run,
// in run order. Lines are formatted where the run is evaluated (in parallel, per block) and
// reach the file segment by segment as they are folded, so the file is the same bytes for any
// thread or rank count. Numbers are printf "%.17g" (seventeen_digit_number): the file's format
// predates the shortest round-trip form, and changing it would change the file. The file is
// written through a temporary and renamed into place only when the study completes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/model/model.hpp"

namespace symbiomc {

class RunDump {
 public:
  /// Opens the temporary file and writes the header: run, the inputs, status_<mode> per mode,
  /// <mode>.<output> per output. Throws InputError naming the path.
  RunDump(const std::string& path, const Model& model);

  /// Appends lines made by append_run_line.
  void append(std::string_view lines) { file_.write(lines); }
  /// Moves the complete file into place; without it, the destructor removes the temporary.
  void commit() { file_.commit(); }

 private:
  AtomicFileWriter file_;
};

/// Appends the line of run `run` to `lines`: its inputs `x`, each mode's `status`, and each
/// output `y[o]`, left empty when its mode (`output_mode[o]`) failed.
void append_run_line(std::string& lines, std::uint64_t run, std::span<const double> x,
                     std::span<const RunStatus> status, std::span<const double> y,
                     std::span<const std::size_t> output_mode);

}  // namespace symbiomc
