#include "init_command.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "symbiomc/base/error.hpp"

namespace symbiomc::cli {

void add_init_command(CLI::App& app, InitArgs& args) {
  auto* cmd = app.add_subcommand(
      "init", "Write a small commented starter case (two plants, one exchange) and its distributions file into DIR");
  cmd->add_option("DIR", args.directory, "New (or empty) directory for the case")->required();
}

int run_init_command(const InitArgs& args, std::ostream& out) {
  namespace fs = std::filesystem;
  const fs::path dir(args.directory);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw InputError(SourceLocation{args.directory}, "exists and is not a directory (expected a new or empty one)");
    // Never write over someone's files: a case is started in a new place.
    if (!fs::is_empty(dir, ec) || ec)
      throw InputError(SourceLocation{args.directory},
                       "is not empty (expected a new or empty directory; symbiomc init never overwrites files)");
  }
  fs::create_directories(dir, ec);
  if (ec) throw InputError(SourceLocation{args.directory}, message("cannot create the directory: ", ec.message()));
  for (const auto& file : starter_case_files()) {
    const fs::path path = dir / std::string(file.path);
    std::ofstream stream(path, std::ios::binary);
    stream << file.text;
    stream.close();
    if (!stream) throw InputError(SourceLocation{path.string()}, "cannot write the file");
  }
  const std::string d = args.directory;
  const std::string dist = (dir / "distributions.csv").string();
  out << "wrote a starter case to " << d << " (" << starter_case_files().size()
      << " files; the comments in each say what to change)\nnext:\n"
      << "  symbiomc check --case " << d << " --distributions " << dist << "\n"
      << "  symbiomc balance --case " << d << " --flows\n"
      << "  symbiomc uncertainty --case " << d << " --distributions " << dist << " --out " << d << "-uncertainty\n"
      << "  symbiomc sensitivity --case " << d << " --distributions " << dist << " --out " << d << "-sensitivity\n";
  return 0;
}

}  // namespace symbiomc::cli
