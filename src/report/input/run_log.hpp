#pragma once
// run.log: the "key value" lines a study writes next to its results (threads, wall time),
// kept out of the result files so that those stay byte-identical across thread counts.

#include <nlohmann/json.hpp>

#include <filesystem>

namespace symbiomc::detail {

/// The lines of dir/run.log as a JSON object: a value that reads wholly as a finite number
/// becomes a number, any other a string. Lines without "key value" are skipped; a missing
/// file gives an empty object (the log is informative only).
[[nodiscard]] nlohmann::json read_run_log(const std::filesystem::path& dir);

}  // namespace symbiomc::detail
