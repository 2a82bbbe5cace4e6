#pragma once
// An ImportanceOutcome as bytes (byte_stream.hpp): what a checkpoint and a segment hold once the
// blocks that feed the importance measures are all folded (GivenDataStatistics::finish_importance),
// in place of their sums - a few hundred kilobytes instead of tens of megabytes. Private to the
// studies stage.

#include <cstdint>

#include "given_data_statistics.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/studies/decision_analysis.hpp"

namespace symbiomc::detail {

/// Every field but those the plan fixes (delta_outputs, targets), which load takes from it.
void save_importance_outcome(const ImportanceOutcome& outcome, ByteWriter& out);
/// What save_importance_outcome wrote, shaped as `plan` says; ByteReader::fail on a mismatch.
[[nodiscard]] ImportanceOutcome load_importance_outcome(ByteReader& in, const GivenDataPlan& plan);

}  // namespace symbiomc::detail
