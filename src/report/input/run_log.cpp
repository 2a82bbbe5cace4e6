#include "report/input/run_log.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

namespace symbiomc::detail {

nlohmann::json read_run_log(const std::filesystem::path& dir) {
  nlohmann::json log = nlohmann::json::object();
  std::ifstream in(dir / "run.log");
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    double number = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), number);
    if (r.ec == std::errc() && r.ptr == value.data() + value.size() && std::isfinite(number))
      log[key] = number;
    else
      log[key] = value;
  }
  return log;
}

}  // namespace symbiomc::detail
