// Fuzz target: a distributions file and the rank-correlation file beside it ("=== <name>"
// sections, see named_files.hpp), read against the biomass case's parameters, as
// `symbiomc uncertainty cases/biomass --distributions F` reads them. A Problem the readers
// accept is also sampled once (a few runs), so that parameters a reader lets through reach
// the distributions' quantile functions. Bad input must end as InputError; anything else that
// escapes, and every sanitizer report, is a crash.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "named_files.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/case/case_csv.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/distributions_csv.hpp"

namespace {

constexpr std::array<std::string_view, 2> FILES = {"fuzz.csv", "fuzz.corr.csv"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace symbiomc;
  static const std::vector<ParameterInfo> case_parameters =
      read_case(SYMBIOMC_SOURCE_DIR "/cases/biomass").parameter_infos();
  static fuzz::ScratchFolder folder("distributions");
  const auto files = fuzz::split_named_files(fuzz::as_text(data, size), FILES);
  const auto& dir = folder.fill(files);
  try {
    Problem problem = read_distributions((dir / FILES[0]).string(), case_parameters);
    bool has_correlations = false;
    for (const auto& file : files) has_correlations |= file.name == FILES[1];
    if (has_correlations) problem = problem.with_correlation(read_correlations((dir / FILES[1]).string(), problem));
    // The centre and both far ends of the unit cube, where quantile functions misbehave first.
    std::vector<double> u(problem.dimension()), x(problem.dimension()), scratch(problem.scratch_size());
    for (const double coordinate : {0.5, 1e-12, 1 - 1e-12}) {
      std::fill(u.begin(), u.end(), coordinate);
      problem.to_physical(u, x, scratch);
    }
  } catch (const InputError&) {
    // Refused with a message: what bad input should get.
  }
  return 0;
}
