#include "report/provenance_format.hpp"

#include <sstream>

namespace symbiomc::detail {

std::string provenance_comment_lines(const Provenance& provenance) {
  std::ostringstream out;
  for (const auto& f : provenance.files) out << "# " << f.role << " " << f.path << " fnv1a64 " << f.checksum << "\n";
  for (const auto& [name, choice] : provenance.options) out << "# option " << name << "=" << choice << "\n";
  return out.str();
}

void add_provenance_json(nlohmann::json& json, const Provenance& provenance) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : provenance.files) files.push_back({{"role", f.role}, {"path", f.path}, {"fnv1a64", f.checksum}});
  nlohmann::json options = nlohmann::json::object();
  for (const auto& [name, choice] : provenance.options) options[name] = choice;
  json["files"] = std::move(files);
  json["options"] = std::move(options);
}

}  // namespace symbiomc::detail
