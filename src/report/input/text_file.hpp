#pragma once
// The whole of a result file as text, for the readers of the report's inputs.

#include <string>

namespace symbiomc::detail {

/// The bytes of `path`; throws InputError naming the file when it cannot be opened or read.
[[nodiscard]] std::string read_text_file(const std::string& path);

}  // namespace symbiomc::detail
