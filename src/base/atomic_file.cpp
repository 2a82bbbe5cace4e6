#include "symbiomc/base/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>
#include <utility>

#include "symbiomc/base/checksum.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

/// "<path>.<pid>-<random>.tmp": unique per writer, so two processes writing the same file never
/// share (and truncate, or rename away) each other's temporary.
std::filesystem::path temporary_name(const std::string& path) {
  std::random_device device;
  const std::uint64_t random = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return message(path, ".", static_cast<long>(::getpid()), "-", checksum_hex(random).substr(0, 8), ".tmp");
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path, std::string_view purpose)
    : path_(std::move(path)), temporary_(temporary_name(path_)) {
  namespace fs = std::filesystem;
  const fs::path target(path_);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw InputError(SourceLocation{path_, 0, 0}, message("cannot create directory: ", ec.message()));
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!out_)
    throw InputError(SourceLocation{path_, 0, 0}, purpose.empty() ? std::string("cannot open for writing")
                                                                  : message("cannot open for writing (", purpose, ")"));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  // Not committed: an error or an interruption came first. Leave no partial file behind.
  if (out_.is_open()) out_.close();
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

void AtomicFileWriter::write(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void AtomicFileWriter::commit() {
  out_.flush();
  if (!out_) throw InputError(SourceLocation{path_, 0, 0}, "write failed (disk full?)");
  out_.close();
  if (!out_) throw InputError(SourceLocation{path_, 0, 0}, "write failed (disk full?)");
  // errno is read at once: the destructor's cleanup (or anything else) must not replace it.
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int code = errno;
    throw InputError(SourceLocation{path_, 0, 0},
                     message("cannot move the finished file into place: ", std::strerror(code)));
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFileWriter file(path);
  file.write(content);
  file.commit();
}

void check_file_destination(const std::string& path, std::string_view option) {
  namespace fs = std::filesystem;
  if (path.empty()) throw InputError(message(option, ": expected a file name, got an empty path"));
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw InputError(SourceLocation{path, 0, 0}, message("is a directory; ", option, " expects a file name"));
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec)
    throw InputError(SourceLocation{path, 0, 0}, message("cannot create its directory (", option, "): ", ec.message()));
  // A probe file: the only test that holds for root, read-only mounts and ACLs alike.
  const fs::path probe = temporary_name((parent / ".symbiomc-probe").string());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int code = errno;
    throw InputError(SourceLocation{path, 0, 0},
                     message("cannot write into ", parent.string(), " (", option, "): ", std::strerror(code)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace symbiomc
