#include "symbiomc/base/result_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <system_error>
#include <vector>

#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/checksum.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace fs = std::filesystem;

namespace {

struct ManifestEntry {
  std::uintmax_t bytes = 0;
  std::string checksum;
};

/// The manifest of `dir`, file name → entry; nullopt-like empty map plus `found` = false when
/// there is none. Throws InputError naming the manifest when a row is malformed.
std::map<std::string, ManifestEntry> read_manifest(const fs::path& dir, bool& found) {
  std::map<std::string, ManifestEntry> entries;
  const fs::path path = dir / RESULT_MANIFEST;
  std::error_code ec;
  found = fs::is_regular_file(path, ec);
  if (!found) return entries;
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path.string(), 0, 0}, "cannot open the manifest for reading");
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 || line.empty()) continue;  // the header
    const auto first = line.find(',');
    const auto second = first == std::string::npos ? first : line.find(',', first + 1);
    if (second == std::string::npos)
      throw InputError(SourceLocation{path.string(), number, 0}, "expected file,bytes,fnv1a_64");
    ManifestEntry entry;
    try {
      entry.bytes = std::stoull(line.substr(first + 1, second - first - 1));
    } catch (const std::exception&) {
      throw InputError(SourceLocation{path.string(), number, 0}, "expected a byte count in the second column");
    }
    entry.checksum = line.substr(second + 1);
    entries[line.substr(0, first)] = entry;
  }
  return entries;
}

/// The first entry of `dir` that symbiomc did not write ("" when there is none): with a
/// manifest, anything it does not list other than itself and run.log; without, anything.
std::string foreign_entry(const fs::path& dir) {
  bool has_manifest = false;
  const auto listed = read_manifest(dir, has_manifest);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (!has_manifest) return name;
    const bool ours = name == RESULT_MANIFEST || name == RUN_LOG || listed.count(name) > 0;
    if (!ours || !fs::is_regular_file(dir / name)) return name;
  }
  return {};
}

std::string random_hex() {
  std::random_device device;
  const std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return checksum_hex(value);
}

}  // namespace

ResultFolder::ResultFolder(const std::string& path, std::string_view option) : given_(path), option_(option) {
  if (path.empty()) throw InputError(message(option_, ": expected a directory, got an empty path"));
  std::error_code ec;
  target_ = fs::absolute(fs::path(path), ec).lexically_normal();
  if (!target_.has_filename()) target_ = target_.parent_path();  // a trailing '/'
  const fs::path cwd = fs::current_path(ec);
  const auto target_end = std::mismatch(cwd.begin(), cwd.end(), target_.begin(), target_.end()).second;
  if (target_end == target_.end())
    throw InputError(message(option_, " ", path,
                             ": is the current directory or contains it; the folder is replaced as a whole, so name "
                             "a folder of its own (e.g. results/run1)"));
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec))
    throw InputError(SourceLocation{path, 0, 0}, message("exists and is not a directory (", option_, ")"));
  fs::create_directories(target_.parent_path(), ec);
  if (ec)
    throw InputError(SourceLocation{target_.parent_path().string(), 0, 0},
                     message("cannot create directory (", option_, "): ", ec.message()));
  lock_ = target_.parent_path() / (target_.filename().string() + ".lock");
  take_lock();
  try {
    if (fs::is_directory(target_, ec)) {
      if (const std::string foreign = foreign_entry(target_); !foreign.empty())
        throw InputError(
            SourceLocation{(target_ / foreign).string(), 0, 0},
            message("was not written by symbiomc, and ", option_, " ", path,
                    " is replaced as a whole by the new results; move it away or choose another ", option_));
    }
    staging_ = target_.parent_path() /
               message(target_.filename().string(), ".partial-", static_cast<long>(::getpid()), "-", random_hex());
    if (!fs::create_directory(staging_, ec) || ec)
      throw InputError(
          SourceLocation{staging_.string(), 0, 0},
          message("cannot create the folder for the new results (", option_, "): ", ec ? ec.message() : "it exists"));
  } catch (...) {
    release_lock();
    throw;
  }
}

ResultFolder::~ResultFolder() {
  if (!done_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  release_lock();
}

bool ResultFolder::contains(const std::string& file) const {
  if (file.empty()) return false;
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(file), ec).lexically_normal();
  const auto inside_end = std::mismatch(target_.begin(), target_.end(), absolute.begin(), absolute.end()).first;
  return inside_end == target_.end();
}

void ResultFolder::take_lock() {
  // Another process may unlink the lock file between our open and our flock (it removes the
  // file when it releases its lock): then we hold a lock on a file nobody else sees. Lock, then
  // check that the path still names the locked file, and try again if not.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int fd = ::open(lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int code = errno;
      throw InputError(SourceLocation{lock_.string(), 0, 0},
                       message("cannot create the lock file of ", option_, " ", given_, ": ", std::strerror(code)));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int code = errno;
      ::close(fd);
      if (code == EWOULDBLOCK)
        throw InputError(SourceLocation{lock_.string(), 0, 0},
                         message("locked: another symbiomc process is writing ", option_, " ", given_,
                                 "; wait for it to finish or choose another ", option_));
      throw InputError(SourceLocation{lock_.string(), 0, 0}, message("cannot lock: ", std::strerror(code)));
    }
    struct stat held {};
    struct stat named {};
    if (::fstat(fd, &held) == 0 && ::stat(lock_.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino) {
      lock_fd_ = fd;
      return;
    }
    ::close(fd);
  }
  throw InputError(SourceLocation{lock_.string(), 0, 0}, "cannot lock: the lock file keeps being replaced");
}

void ResultFolder::release_lock() noexcept {
  if (lock_fd_ < 0) return;
  ::unlink(lock_.c_str());  // while still held, so no one locks the file we are removing
  ::close(lock_fd_);
  lock_fd_ = -1;
}

void ResultFolder::commit() {
  // The manifest: every file of the new folder but the run log, in name order.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(staging_))
    if (entry.is_regular_file() && entry.path().filename() != RUN_LOG)
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::string manifest = "file,bytes,fnv1a_64\n";
  for (const auto& name : names)
    manifest += message(name, ",", fs::file_size(staging_ / name), ",",
                        checksum_hex(file_checksum((staging_ / name).string())), "\n");
  write_file_atomically((staging_ / RESULT_MANIFEST).string(), manifest);

  const auto keep = [&](const std::string& why) {
    done_ = true;
    throw InputError(SourceLocation{given_, 0, 0}, message(why, "; the new results are kept in ", staging_.string()));
  };
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int code = errno;
      keep(message("cannot move the new results into place: ", std::strerror(code)));
    }
    done_ = true;
    release_lock();
    return;
  }
  if (const std::string foreign = foreign_entry(target_); !foreign.empty())
    keep(message(foreign, " appeared in it during the run and was not written by symbiomc"));
  // One atomic exchange: readers see the old set or the new one, never a mix.
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
    const int exchange_error = errno;
    if (exchange_error != EINVAL && exchange_error != ENOSYS)
      keep(message("cannot swap the new results in: ", std::strerror(exchange_error)));
    // No atomic exchange on this file system: the old folder aside, the new one in.
    const fs::path aside = staging_.string() + "-old";
    if (::rename(target_.c_str(), aside.c_str()) != 0) {
      const int code = errno;
      keep(message("cannot move the old results aside: ", std::strerror(code)));
    }
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int code = errno;
      ::rename(aside.c_str(), target_.c_str());
      keep(message("cannot move the new results into place: ", std::strerror(code)));
    }
    fs::remove_all(aside, ec);
  } else {
    fs::remove_all(staging_, ec);  // now the old folder
  }
  done_ = true;
  release_lock();
}

void verify_result_folder(const fs::path& dir) {
  bool has_manifest = false;
  const auto listed = read_manifest(dir, has_manifest);
  if (!has_manifest) return;
  const std::string manifest = (dir / RESULT_MANIFEST).string();
  for (const auto& [name, entry] : listed) {
    const fs::path file = dir / name;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
      throw InputError(SourceLocation{file.string(), 0, 0},
                       message("missing: ", manifest, " lists it as a file of the run that wrote this folder"));
    if (fs::file_size(file, ec) != entry.bytes || checksum_hex(file_checksum(file.string())) != entry.checksum)
      throw InputError(SourceLocation{file.string(), 0, 0},
                       message("does not come from the run that wrote this folder (its size or checksum differs from ",
                               manifest, "); rerun the study to rewrite the folder"));
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file() && (extension == ".csv" || extension == ".json") && name != RESULT_MANIFEST &&
        !listed.count(name))
      throw InputError(SourceLocation{entry.path().string(), 0, 0},
                       message("is not listed in ", manifest,
                               ", so it does not come from the run that wrote this folder; move it away"));
  }
}

}  // namespace symbiomc
