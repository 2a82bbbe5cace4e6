#pragma once
// Where a result writer puts one of its files (private to the result writers): every writer
// names its files relative to the result folder it was given.

#include <filesystem>
#include <string>

namespace symbiomc::detail {

/// directory/name, as the path string write_file_atomically takes.
[[nodiscard]] inline std::string result_file_path(const std::string& directory, const char* name) {
  return (std::filesystem::path(directory) / name).string();
}

}  // namespace symbiomc::detail
