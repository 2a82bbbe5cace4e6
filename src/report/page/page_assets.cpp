#include "report/page/page_assets.hpp"

#include <cctype>

#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

/// Text of report/<name> as it was at build time; "" when there is no such asset. Defined in
/// the source file report/embed_assets.cmake generates.
[[nodiscard]] std::string_view embedded_report_asset(std::string_view name) noexcept;

namespace {

/// Why d3 (+ d3-sankey) draws the charts: the page needs a Sankey diagram, ridgeline
/// histograms with quantile marks, interval plots, CI whiskers on ranked bars and a log-N
/// convergence plot, all in one offline file. d3 gives scales, axes, shapes and a maintained
/// Sankey layout (d3-sankey, the reference implementation of that layout) in ~290 kB with
/// permissive licences (ISC, BSD-3-Clause) and plain SVG output a test can count; the
/// charting libraries we weighed either lack a Sankey (Vega-Lite, Chart.js) or are 1-3.5 MB
/// (ECharts, Plotly). The files are the npm packages' own dist builds, unmodified.
struct VendoredLibrary {
  std::string_view name;
  std::string_view licence;
  std::string_view homepage;
  std::string_view script_asset;
  std::string_view licence_asset;
};
constexpr VendoredLibrary LIBRARIES[] = {
    {"d3", "ISC", "https://d3js.org", "vendor/d3.min.js", "vendor/LICENSE.d3"},
    {"d3-sankey", "BSD-3-Clause", "https://github.com/d3/d3-sankey", "vendor/d3-sankey.min.js",
     "vendor/LICENSE.d3-sankey"},
};

/// "7.9.0" from the banner the d3 builds start with ("// https://d3js.org v7.9.0 Copyright ...").
std::string banner_version(std::string_view script) {
  const std::string_view first_line = script.substr(0, script.find('\n'));
  for (std::size_t i = first_line.find(" v"); i != std::string_view::npos; i = first_line.find(" v", i + 1)) {
    if (i + 2 < first_line.size() && std::isdigit(static_cast<unsigned char>(first_line[i + 2]))) {
      const auto end = first_line.find(' ', i + 2);
      return std::string(
          first_line.substr(i + 2, end == std::string_view::npos ? std::string_view::npos : end - i - 2));
    }
  }
  return "";
}

}  // namespace

std::string_view report_asset(std::string_view name) {
  const std::string_view text = embedded_report_asset(name);
  if (text.empty()) throw ModelError(message("the report asset '", name, "' is missing from this build of symbiomc"));
  return text;
}

nlohmann::json vendored_libraries_json() {
  nlohmann::json libraries = nlohmann::json::array();
  for (const auto& lib : LIBRARIES)
    libraries.push_back(nlohmann::json{{"name", lib.name},
                                       {"version", banner_version(report_asset(lib.script_asset))},
                                       {"licence", lib.licence},
                                       {"homepage", lib.homepage}});
  return libraries;
}

std::string inlined_libraries() {
  std::string libraries;
  for (const auto& lib : LIBRARIES) {
    const std::string_view script = report_asset(lib.script_asset);
    // The licence goes into a /* */ comment; embed_assets.cmake refuses a licence holding
    // "*/", and this keeps the comment closed should one slip through.
    std::string licence(report_asset(lib.licence_asset));
    for (auto p = licence.find("*/"); p != std::string::npos; p = licence.find("*/", p)) licence.replace(p, 2, "* /");
    libraries +=
        message("<script>/*! ", lib.name, " ", banner_version(script), " (", lib.homepage,
                "), inlined unmodified from its npm package. Its licence, ", lib.licence, ":\n", licence, "*/\n");
    libraries.append(script);
    libraries += "\n</script>\n";
  }
  return libraries;
}

}  // namespace symbiomc::detail
