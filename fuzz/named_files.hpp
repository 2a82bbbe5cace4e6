#pragma once
// One fuzz input as several files. The readers fuzzed here take a directory of files (a case
// folder, a result folder), so a fuzz input is cut into files at lines "=== <name>", and a
// fuzzer can mutate every file of the folder at once, delete one or add one:
//
//   === flows.csv
//   id,from,to,...
//   === modes.csv
//   ...
//
// Only names from the target's list are written (no '/', so nothing lands outside the scratch
// folder); a section with any other name is dropped, and text before the first marker (if
// any) goes to the first name of the list. The files are written into a scratch folder per process under
// $TMPDIR (scripts/fuzz.sh points TMPDIR into its own scratch directory), emptied before each
// input, so a file of the previous input never leaks into the next one.

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace symbiomc::fuzz {

struct NamedFile {
  std::string_view name;
  std::string_view text;
};

/// Cuts `input` into files at "=== <name>" lines (see the top of this file).
inline std::vector<NamedFile> split_named_files(std::string_view input, std::span<const std::string_view> names) {
  constexpr std::string_view MARKER = "=== ";
  std::vector<NamedFile> files;
  std::string_view current = names.front();
  bool keep = true;
  std::size_t begin = 0;
  bool before_first_marker = true;
  auto close = [&](std::size_t end) {
    // Nothing before the first marker: no file, so that a case can lack names.front().
    if (keep && !(before_first_marker && end == begin)) files.push_back({current, input.substr(begin, end - begin)});
    before_first_marker = false;
  };
  std::size_t line = 0;
  while (line <= input.size()) {
    const std::size_t newline = input.find('\n', line);
    const std::size_t end = newline == std::string_view::npos ? input.size() : newline;
    const std::string_view text = input.substr(line, end - line);
    if (text.starts_with(MARKER)) {
      close(line);
      const std::string_view name = text.substr(MARKER.size());
      keep = false;
      for (std::string_view allowed : names)
        if (name == allowed) current = allowed, keep = true;
      begin = newline == std::string_view::npos ? input.size() : newline + 1;
    }
    if (newline == std::string_view::npos) break;
    line = newline + 1;
  }
  close(input.size());
  return files;
}

/// A folder of its own for this process, removed when the process ends normally (after a
/// crash it stays, inside fuzz.sh's scratch directory).
class ScratchFolder {
 public:
  explicit ScratchFolder(std::string_view leaf) {
    const char* tmp = std::getenv("TMPDIR");
    const std::filesystem::path base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    root_ = base / ("symbiomc-fuzz-" + std::to_string(::getpid()));
    path_ = root_ / leaf;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  /// Empties the folder and writes `files` into it (a later file of the same name wins).
  const std::filesystem::path& fill(const std::vector<NamedFile>& files) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    for (const NamedFile& file : files) {
      std::ofstream out(path_ / file.name, std::ios::binary | std::ios::trunc);
      out.write(file.text.data(), static_cast<std::streamsize>(file.text.size()));
    }
    return path_;
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path root_;
  std::filesystem::path path_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace symbiomc::fuzz
