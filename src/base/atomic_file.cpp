#include "symbiomc/base/atomic_file.hpp"

#include <system_error>
#include <utility>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

AtomicFileWriter::AtomicFileWriter(std::string path, std::string_view purpose)
    : path_(std::move(path)), temporary_(path_ + ".tmp") {
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
  std::error_code ec;
  std::filesystem::rename(temporary_, path_, ec);
  if (ec)
    throw InputError(SourceLocation{path_, 0, 0}, message("cannot move the finished file into place: ", ec.message()));
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFileWriter file(path);
  file.write(content);
  file.commit();
}

}  // namespace symbiomc
