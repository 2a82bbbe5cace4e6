#pragma once
// Output files are written to a temporary file in the same directory and renamed into place,
// so an error or an interruption never leaves a half-written result behind.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace symbiomc {

/// A file written piece by piece (e.g. --dump-runs, whose runs arrive segment by segment) into
/// "<path>.<pid>-<random>.tmp" (unique, so concurrent writers never share one), which commit() renames to `path`.
/// Destroyed without commit (an error, an interruption), it removes the temporary, so `path` either holds the complete
/// file or is left as it was.
class AtomicFileWriter {
 public:
  /// Creates the parent directory and opens the temporary file. Throws InputError naming
  /// `path` (and `purpose`, e.g. "--dump-runs", when given) when either fails.
  explicit AtomicFileWriter(std::string path, std::string_view purpose = {});
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  /// Appends `bytes`; a failure surfaces in commit().
  void write(std::string_view bytes);
  /// Flushes, closes and renames the temporary into place. Throws InputError naming the path
  /// when a write failed (disk full?) or the rename fails; the temporary is then removed.
  void commit();

 private:
  std::string path_;
  std::filesystem::path temporary_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Writes `content` to `path` atomically (temp file + rename). Creates the parent directory.
/// Throws InputError naming the path when it cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);

/// Checks, before a long computation, that a file can later be written at `path` (named
/// `option` in messages, e.g. "--dump-runs"): not empty, not a directory, in a directory that
/// exists or can be created (it is created) and that accepts a new file (a probe is created and
/// removed). Throws InputError naming the path and the reason.
void check_file_destination(const std::string& path, std::string_view option);

}  // namespace symbiomc
