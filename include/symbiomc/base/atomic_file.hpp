#pragma once
// Output files are written to a temporary file in the same directory and renamed into place,
// so an error or an interruption never leaves a half-written result behind.

#include <string>

namespace symbiomc {

/// Writes `content` to `path` atomically (temp file + rename). Creates the parent directory.
/// Throws InputError naming the path when it cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace symbiomc
