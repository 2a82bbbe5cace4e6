#pragma once
// What every CSV reader of the project shares, so that all input files are read and complained
// about the same way: the file's bytes (read once, so that the checksum covers exactly what is
// parsed), numbers parsed exactly, and the one translation of fast-cpp-csv-parser's exceptions
// into located messages ("file:line: ..."). Private to src/ (the parser's header is heavy).

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symbiomc {

namespace detail {

/// The file's bytes; InputError "path: cannot read <what> file: <reason>" when it cannot be read.
[[nodiscard]] std::string read_file_bytes(const std::string& path, std::string_view what);
/// Parses a whole (trimmed) cell as a double: optional sign, decimal or exponent form,
/// correctly rounded. NaN is refused; infinities ("inf", "-inf") only when allowed.
[[nodiscard]] bool parse_number(std::string_view text, double& out, bool allow_infinite = false) noexcept;
/// Message, with path and line, for an exception thrown by fast-cpp-csv-parser (io::error::*)
/// while reading `path`; `reader_line` is the reader's current line, for header errors that
/// carry none. `columns` are the known column names (for "did you mean"); `synonyms` maps
/// names users bring from elsewhere (SALib's "lower", "upper") to ours for the same hint.
[[nodiscard]] std::string csv_error_message(const std::exception& error, const std::string& path,
                                            std::size_t reader_line, const std::vector<std::string>& columns,
                                            const std::vector<std::pair<std::string, std::string>>& synonyms = {});
/// "'a', 'b', 'c'".
[[nodiscard]] std::string quoted_list(const std::vector<std::string>& items);
}  // namespace detail

}  // namespace symbiomc
