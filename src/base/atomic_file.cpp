#include "symbiomc/base/atomic_file.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw InputError(SourceLocation{path, 0, 0}, message("cannot create directory: ", ec.message()));
  const fs::path temporary = target.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(SourceLocation{path, 0, 0}, "cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temporary, ec);
      throw InputError(SourceLocation{path, 0, 0}, "write failed (disk full?)");
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw InputError(SourceLocation{path, 0, 0}, message("cannot move the finished file into place: ", ec.message()));
  }
}

}  // namespace symbiomc
