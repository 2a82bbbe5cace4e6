#pragma once
// A result folder (--out DIR) is written as a set: the files of one run or none of them.
//
// Before the computation, ResultFolder checks DIR and claims it: it takes an advisory lock on
// the sibling file DIR.lock (flock; a second process on the same DIR is refused, naming the
// lock) and creates a fresh sibling folder DIR.partial-<pid>-<random>/ that the writers fill.
// commit() adds manifest.csv (every result file with its size and FNV-1a checksum) and swaps
// the new folder in with one rename (renameat2 RENAME_EXCHANGE; two renames where the file
// system lacks it), then removes the old folder's files. An error or an interruption before
// commit() leaves DIR as it was.
//
// Files a user put into DIR are never deleted: DIR must be missing, empty, or a folder that
// symbiomc wrote (its manifest.csv lists the files, plus run.log), with nothing else in it;
// otherwise the run is refused before it computes, naming the first foreign file. A folder
// without manifest.csv (written by hand, or by a symbiomc older than manifests) must be empty.

#include <filesystem>
#include <string>
#include <string_view>

namespace symbiomc {

/// The manifest's file name: "file,bytes,fnv1a_64" rows, one per result file of the run.
inline constexpr std::string_view RESULT_MANIFEST = "manifest.csv";
/// The run log (timings, threads): part of the set, but not checksummed, as it differs between
/// otherwise identical runs.
inline constexpr std::string_view RUN_LOG = "run.log";

class ResultFolder {
 public:
  /// Checks `path` (named `option` in messages, e.g. "--out") and claims it; throws InputError
  /// naming the path when it is empty, not a directory, the current directory, holds files
  /// symbiomc did not write, is locked by another process, or its parent is not writable.
  ResultFolder(const std::string& path, std::string_view option);
  ResultFolder(const ResultFolder&) = delete;
  ResultFolder& operator=(const ResultFolder&) = delete;
  /// Without commit(): removes the new folder and releases the lock; DIR is left as it was.
  ~ResultFolder();

  /// Where the writers put this run's files (the new sibling folder).
  [[nodiscard]] std::string staging() const { return staging_.string(); }
  /// DIR, as given.
  [[nodiscard]] const std::string& path() const noexcept { return given_; }
  /// True when `file` is DIR or lies inside it (lexically, after making both absolute).
  [[nodiscard]] bool contains(const std::string& file) const;

  /// Writes the manifest and swaps the new folder in. Throws InputError naming DIR when the
  /// swap fails or DIR meanwhile holds a foreign file; the new folder is then kept and named.
  void commit();

 private:
  std::string given_;
  std::string option_;
  std::filesystem::path target_;   ///< DIR, absolute and normalised
  std::filesystem::path lock_;     ///< DIR.lock
  std::filesystem::path staging_;  ///< DIR.partial-<pid>-<random>
  int lock_fd_ = -1;
  bool done_ = false;  ///< committed, or the new folder is to be kept after a failed swap

  void take_lock();
  void release_lock() noexcept;
};

/// Checks that every file listed in `dir`'s manifest.csv is there with its size and checksum,
/// and that no other .csv or .json file is: that the folder holds the files of one run. Throws
/// InputError naming the file otherwise. A folder without a manifest is accepted as it is.
void verify_result_folder(const std::filesystem::path& dir);

}  // namespace symbiomc
