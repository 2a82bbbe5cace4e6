#pragma once
// When a result file was written, for the report's provenance: the result files carry no date
// of their own, so that they stay byte-identical between identical runs; their modification
// time stands in for it.

#include <filesystem>
#include <string>

namespace symbiomc::detail {

/// The modification time of `file` as "YYYY-MM-DD HH:MM UTC"; "" when it cannot be read.
[[nodiscard]] std::string written_at(const std::filesystem::path& file);

}  // namespace symbiomc::detail
