#pragma once
// The page's assets: report/template.html, report/report.js and the vendored d3 + d3-sankey
// builds with their licences, compiled into the binary by report/CMakeLists.txt (see
// report/embed_assets.cmake), so a report can be written anywhere without the repository.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace symbiomc::detail {

/// Text of report/<name> as it was at build time. Throws ModelError when the build has no
/// such asset (the list in report/CMakeLists.txt and the names used here disagree).
[[nodiscard]] std::string_view report_asset(std::string_view name);

/// The vendored libraries for the page's provenance: [{name, version, licence, homepage}].
[[nodiscard]] nlohmann::json vendored_libraries_json();

/// One <script> element per vendored library: its licence in a leading comment, then its
/// code unmodified.
[[nodiscard]] std::string inlined_libraries();

}  // namespace symbiomc::detail
