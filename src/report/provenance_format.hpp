#pragma once
// How every result file records its provenance (private to the result writers): the comment
// lines at the top of each CSV and the "files" / "options" members of each JSON summary.

#include <string>

#include <nlohmann/json.hpp>

#include "symbiomc/report/provenance.hpp"

namespace symbiomc::detail {

/// "# <role> <path> fnv1a64 <checksum>" per input file, then "# option <name>=<choice>".
[[nodiscard]] std::string provenance_comment_lines(const Provenance& provenance);

/// Sets json["files"] (role, path, fnv1a64 of each input) and json["options"] (name -> choice).
void add_provenance_json(nlohmann::json& json, const Provenance& provenance);

}  // namespace symbiomc::detail
