#pragma once
// What `symbiomc check` warns about in a case that reads without errors: parts that are
// legal but most likely a slip of a half-written case (a parameter nothing uses, a flow no mode
// switches on, a process with no flows, a source left as a placeholder). Warnings, not errors:
// every run still works, it just does not mean what the author probably meant.

#include <string>
#include <vector>

#include "symbiomc/case/network.hpp"

namespace symbiomc {

/// One warning, "file:line: what is odd; what was expected".
struct CaseWarning {
  SourceLocation where;
  std::string text;
};

/// The warnings of a validated network, in file order (parameters, processes, flows):
/// parameters no expression or curve point names (an option may still set them: they change
/// nothing), parameters whose source is a placeholder ("TODO", "?", "-", "n/a", "tbd",
/// "unknown", "none"), processes no flow goes from or to, flows no mode switches on.
/// O(size of the case).
[[nodiscard]] std::vector<CaseWarning> lint_case(const Network& network);

/// True when a source text says only that there is no source yet (see lint_case).
[[nodiscard]] bool is_placeholder_source(const std::string& source);

}  // namespace symbiomc
