#pragma once
// Where a result came from: the tool version, the case, the options and every input file with
// its checksum. Every result writer records it, so a study can be reproduced from its files.

#include <string>
#include <utility>
#include <vector>

namespace symbiomc {

struct InputFileRecord {
  std::string role;  ///< "case", "distributions", "correlations"
  std::string path;
  std::string checksum;  ///< FNV-1a 64, hex
};

/// Where a result came from (never the thread count: results do not depend on it).
struct Provenance {
  std::string tool_version;
  std::string case_name;  ///< or "model:<spec>" for built-in models
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<InputFileRecord> files;
};

}  // namespace symbiomc
