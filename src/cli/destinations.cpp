#include "destinations.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::cli {

namespace {

namespace fs = std::filesystem;

/// True when `path` starts like the page symbiomc writes (report/template.html).
bool is_symbiomc_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(256, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.starts_with("<!doctype html>") && head.find("symbiomc report page") != std::string::npos;
}

fs::path normalised(const std::string& path) {
  std::error_code ec;
  return fs::absolute(fs::path(path), ec).lexically_normal();
}

}  // namespace

void check_report_destination(const std::string& path, std::string_view option) {
  check_file_destination(path, option);
  std::error_code ec;
  if (fs::exists(path, ec) && !is_symbiomc_report(path))
    throw InputError(SourceLocation{path, 0, 0},
                     message("exists and is not an HTML report written by symbiomc; ", option,
                             " would replace it: name a new file (e.g. report.html)"));
}

std::unique_ptr<ResultFolder> claim_destinations(const Destinations& d) {
  struct Named {
    std::string option, path;
  };
  std::vector<Named> files;
  if (!d.report.empty()) files.push_back({"--report", d.report});
  if (!d.dump_runs.empty()) files.push_back({"--dump-runs", d.dump_runs});
  if (d.long_run && !d.long_run->checkpoint.empty()) files.push_back({"--checkpoint", d.long_run->checkpoint});
  for (std::size_t i = 0; i < files.size(); ++i)
    for (std::size_t j = i + 1; j < files.size(); ++j)
      if (normalised(files[i].path) == normalised(files[j].path))
        throw InputError(message(files[i].option, " and ", files[j].option, " name the same file ", files[i].path));

  auto folder = std::make_unique<ResultFolder>(d.out_dir, "--out");
  for (const auto& [option, path] : files)
    if (folder->contains(path))
      throw InputError(SourceLocation{path, 0, 0},
                       message("is inside --out ", d.out_dir, ", which is replaced as a whole by the results; put ",
                               option, " beside it"));
  if (!d.report.empty()) check_report_destination(d.report, "--report");
  if (!d.dump_runs.empty()) check_file_destination(d.dump_runs, "--dump-runs");
  if (d.long_run && !d.long_run->checkpoint.empty()) {
    const std::string& checkpoint = d.long_run->checkpoint;
    check_file_destination(checkpoint, "--checkpoint");
    std::error_code ec;
    const bool continues_resumed =
        !d.long_run->resume.empty() && normalised(d.long_run->resume) == normalised(checkpoint);
    if (fs::exists(checkpoint, ec) && !continues_resumed)
      throw InputError(SourceLocation{checkpoint, 0, 0},
                       message("exists; --checkpoint would replace it. To continue that run, add --resume ", checkpoint,
                               "; to start afresh, delete it or name another file"));
  }
  return folder;
}

}  // namespace symbiomc::cli
