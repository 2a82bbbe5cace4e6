#pragma once
// Running `symbiomc ...` from a test: in-process through cli::run_cli (CLI11's TApp idea: no
// process, the exit code and both streams captured), at a given thread count, or as the real
// executable when main()'s hand-over, a signal or a crash that would take the test program
// down is what is being tested.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "files.hpp"
#include "paths.hpp"

namespace symbiomc::test {

/// What one `symbiomc` call gave back.
struct CliRun {
  int code = -1;  ///< exit code; -1 when the process did not exit normally (a signal)
  std::string out;
  std::string err;
};

/// `symbiomc <args...>` in-process (args without the program name).
inline CliRun run_symbiomc(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliRun result;
  result.code = cli::run_cli(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

/// `symbiomc <args...> --threads <threads>` in-process, inside an arena of that many slots: on
/// a machine with fewer cores the default arena would cap the concurrency (and with it the
/// wave size the samplers derive from it), so the arena makes 8 threads really mean 8.
inline CliRun run_symbiomc_with_threads(std::vector<std::string> args, int threads) {
  args.insert(args.end(), {"--threads", std::to_string(threads)});
  CliRun result;
  // The outer limit first: an arena created under the default limit (cores - 1 workers) would
  // warn that its request for more workers is ignored.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] { result = run_symbiomc(args); });
  return result;
}

/// Runs `symbiomc <args...> --out OUT --quiet` at 1, 2 and 8 threads, OUT = <dir>/<label>_t<threads>,
/// and expects each of `files` (names inside OUT) non-empty and byte-identical across the three
/// runs: results must not depend on the thread count. Only run.log may differ, and the
/// 8-thread one must say so. With `dump_runs`, --dump-runs OUT_runs.csv is compared too.
inline void expect_identical_across_threads(const std::filesystem::path& dir, const std::string& label,
                                            const std::vector<std::string>& args, const std::vector<std::string>& files,
                                            bool dump_runs = false) {
  std::map<int, std::string> outs;
  for (const int threads : {1, 2, 8}) {
    const std::string out = (dir / (label + "_t" + std::to_string(threads))).string();
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--out", out, "--quiet"});
    if (dump_runs) full.insert(full.end(), {"--dump-runs", out + "_runs.csv"});
    const CliRun r = run_symbiomc_with_threads(full, threads);
    ASSERT_EQ(r.code, 0) << label << " threads " << threads << ": " << r.err;
    outs[threads] = out;
  }
  std::vector<std::string> compared;  // suffixes of OUT
  for (const auto& name : files) compared.push_back("/" + name);
  if (dump_runs) compared.emplace_back("_runs.csv");
  for (const auto& suffix : compared) {
    const std::string reference = read_text(outs[1] + suffix);
    EXPECT_FALSE(reference.empty()) << label << ": " << suffix << " is empty";
    for (const int threads : {2, 8})
      EXPECT_TRUE(read_text(outs[threads] + suffix) == reference)
          << label << ": " << suffix << " differs between 1 and " << threads << " threads";
  }
  EXPECT_NE(read_text(outs[8] + "/run.log").find("threads 8"), std::string::npos) << label;
}

/// Success when the call exited 0; else a failure that shows the exit code and stderr, for
/// EXPECT_TRUE(succeeded(run_symbiomc({...}))).
inline ::testing::AssertionResult succeeded(const CliRun& run) {
  if (run.code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "symbiomc exited " << run.code << ": " << run.err;
}

/// `text` as one single-quoted shell word.
inline std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// The real executable (SYMBIOMC_BINARY) with `args`, its stdout and stderr captured in
/// stdout.txt and stderr.txt of `capture_dir`.
inline CliRun run_binary(const std::vector<std::string>& args, const std::filesystem::path& capture_dir) {
  const std::filesystem::path out = capture_dir / "stdout.txt";
  const std::filesystem::path err = capture_dir / "stderr.txt";
  std::string command = shell_quoted(BINARY);
  for (const auto& arg : args) command += " " + shell_quoted(arg);
  command += " >" + shell_quoted(out.string()) + " 2>" + shell_quoted(err.string());
  const int status = std::system(command.c_str());
  CliRun result;
  if (status != -1 && WIFEXITED(status)) result.code = WEXITSTATUS(status);
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

}  // namespace symbiomc::test
