// Fuzz target: a whole case folder from one input (files cut at "=== <name>" lines, see
// named_files.hpp), read by read_case(), then compiled into a balance plan and evaluated once
// at its nominal values, so that a case the reader accepts also goes through the compiler's
// passes and the tape runner. The collecting read of `symbiomc check` (read_case_collecting,
// which reads every file whatever the others hold) and the case warnings run on it first. Bad input must end as
// InputError (exit 2 in the program); anything else that escapes, and every sanitizer report, is a crash.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "named_files.hpp"
#include "symbiomc/balance/balance.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/case/case_lint.hpp"

namespace {

constexpr std::array<std::string_view, 10> CASE_FILES = {
    "case.csv",      "parameters.csv", "commodities.csv", "processes.csv", "flows.csv",
    "variables.csv", "modes.csv",      "outputs.csv",     "curves.csv",    "options.csv"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace symbiomc;
  static fuzz::ScratchFolder folder("fuzzcase");
  const auto& dir = folder.fill(fuzz::split_named_files(fuzz::as_text(data, size), CASE_FILES));
  // Never throws InputError: every defect is a finding.
  const CaseReading reading = read_case_collecting(dir.string());
  if (reading.complete) (void)lint_case(reading.network);
  try {
    const Network network = read_case(dir.string());
    const BalancePlan plan = BalancePlan::compile(network);
    BalanceWorkspace workspace(plan, 2);
    evaluate(plan, workspace, 2);
  } catch (const InputError&) {
    // Refused with a message: what bad input should get.
  }
  return 0;
}
