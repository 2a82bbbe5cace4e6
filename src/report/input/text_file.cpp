#include "report/input/text_file.hpp"

#include <fstream>
#include <iterator>

#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open for reading");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(SourceLocation{path, 0, 0}, "read failed");
  return text;
}

}  // namespace symbiomc::detail
