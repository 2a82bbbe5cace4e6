#pragma once
// `symbiomc init DIR`: writes a small, commented starter case (two plants, one exchange, a
// baseline and one synergy mode) and a matching distributions file, which every command runs
// as they are: the shortest way from nothing to a case of one's own.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace symbiomc::cli {

struct InitArgs {
  std::string directory;
};

/// One file of the starter case: its path relative to DIR and its text.
struct TemplateFile {
  std::string_view path;
  std::string_view text;
};

/// The starter case's files (init_template.cpp); the distributions file is `distributions.csv`.
[[nodiscard]] std::vector<TemplateFile> starter_case_files();

void add_init_command(CLI::App& app, InitArgs& args);
/// Writes the starter case into args.directory, which must be absent or empty (InputError
/// otherwise); prints what was written and the commands to run next.
int run_init_command(const InitArgs& args, std::ostream& out);

}  // namespace symbiomc::cli
