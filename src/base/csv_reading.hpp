#pragma once
// What every CSV reader of the project shares, so that all input files are read and complained
// about the same way: the file's bytes (read once, so that the checksum covers exactly what is
// parsed), numbers parsed exactly, and the one translation of the tokenizer's errors
// (base/csv_records.hpp) into located messages ("file:line: ..."). Private to src/.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/csv_records.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace detail {

/// The file's bytes; InputError "path: cannot read <what> file: <reason>" when it cannot be read.
[[nodiscard]] std::string read_file_bytes(const std::string& path, std::string_view what);
/// Parses a whole (trimmed) cell as a double: optional sign, decimal or exponent form,
/// correctly rounded. NaN is refused; infinities ("inf", "-inf") only when allowed.
[[nodiscard]] bool parse_number(std::string_view text, double& out, bool allow_infinite = false) noexcept;
/// A CSV file's text as CsvRecords (base/csv_records.hpp) can read it. That reads line by line, so a
/// double-quoted cell holding a line break (as spreadsheets export a note or a citation) would
/// be cut in two; here every such line break becomes `placeholder`, a control character the
/// file does not contain, which `restore` turns back. The reader's line numbers then count
/// records: `physical_line` maps them back to the line of the file where the record starts.
struct FoldedCsv {
  std::string text;
  char placeholder = '\0';                ///< '\0' when no cell holds a line break
  std::vector<std::size_t> record_start;  ///< [reader line - 1] -> 1-based line in the file

  [[nodiscard]] std::size_t physical_line(std::size_t reader_line) const noexcept {
    return reader_line >= 1 && reader_line <= record_start.size() ? record_start[reader_line - 1] : reader_line;
  }
  /// Puts back the line breaks of a cell read from `text` ("\r\n" in the file gives "\n").
  void restore(std::string& cell) const;
};
/// Folds `bytes` (the whole file, read from `path`) as FoldedCsv describes. Lines whose first
/// character is '#' (after a UTF-8 byte order mark on the first line) are comments, as for the
/// reader, and their quotes do not count. A double quote opens or closes a quoted stretch
/// wherever it stands, as it does for the reader.
[[nodiscard]] FoldedCsv fold_quoted_line_breaks(std::string_view bytes, const std::string& path);

/// Message, with path and line, for `error`, met while reading `folded` (the text of `path`).
/// Lines are reported as lines of the file, where the record starts. `columns` are the known
/// column names (for "did you mean"); `synonyms` maps names users bring from elsewhere
/// (SALib's "lower", "upper") to ours for the same hint.
[[nodiscard]] std::string csv_error_message(const CsvSyntaxError& error, const std::string& path,
                                            const FoldedCsv& folded, const std::vector<std::string>& columns,
                                            const std::vector<std::pair<std::string, std::string>>& synonyms = {});
/// The error for a file with no header line (CsvProblem::no_header), the same for every reader:
/// "empty file" when the file has no bytes, else "no header line (only comments or blank
/// lines)", at the last line the reader reached (`reader_line`, at least line 1), followed by
/// "; expected a header naming the columns 'a', 'b'" (", at least 'a', 'b'" when the file has
/// optional columns too).
[[nodiscard]] InputError no_header_error(const std::string& path, const FoldedCsv& folded, std::size_t reader_line,
                                         bool empty_file, const std::vector<std::string>& required,
                                         bool has_optional_columns);
/// "'a', 'b', 'c'".
[[nodiscard]] std::string quoted_list(const std::vector<std::string>& items);
}  // namespace detail

}  // namespace symbiomc
