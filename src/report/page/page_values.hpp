#pragma once
// How a number goes into the page's data blob and into the chart CSV files beside the page.

#include <nlohmann/json.hpp>

#include <cmath>
#include <utility>

#include "symbiomc/base/number_format.hpp"

namespace symbiomc::detail {

/// A number for the page, rounded to `digits` significant digits: six for values a reader
/// sees printed (flows, means, quantiles), four for sensitivity indices and effects, which
/// are drawn and printed with two or three; the blob stays small. NaN and infinities become
/// null, which the page shows as a dash. The CSV files keep every digit (csv_number).
inline nlohmann::json page_number(double x, int digits = 6) {
  if (!std::isfinite(x)) return nullptr;
  return round_to_significant(x, digits);
}

/// A sensitivity index or effect for the page (four significant digits).
inline nlohmann::json page_index(double x) { return page_number(x, 4); }

/// A confidence interval for the page: [low, high].
inline nlohmann::json page_interval(std::pair<double, double> ci) {
  return nlohmann::json::array({page_number(ci.first), page_number(ci.second)});
}

}  // namespace symbiomc::detail
