// A result folder is written as a set, and every destination is checked before the run
// (issue 15, items 7-10 and 12): the folder holds the files of one run or of none, a second
// process on the same --out is refused naming the lock, a disk-full error leaves the previous
// results whole, and no option can overwrite a result file, a checkpoint or a user's file.
#include "symbiomc/base/result_folder.hpp"

#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "support/cli_run.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/checksum.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::read_text;
using test::ScratchDir;
using test::write_text;

/// Every regular file of `dir` with its bytes.
std::map<std::string, std::string> folder_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files[entry.path().filename().string()] = read_text(entry.path());
  return files;
}

/// Names in `parent` that start with `stem` followed by '.': the lock and new-folder siblings.
std::vector<std::string> siblings(const fs::path& parent, const std::string& stem) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(parent)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(stem + ".", 0) == 0) names.push_back(name);
  }
  return names;
}

std::vector<std::string> ishigami(const std::string& out, const std::string& seed, const std::string& runs = "2000") {
  return {"uncertainty", "--model", "ishigami", "--runs", runs, "--seed", seed, "--out", out, "--quiet"};
}

// ---- ResultFolder and verify_result_folder, in the library

TEST(ResultFolder, CommitSwapsTheNewSetInWithAManifestAndLeavesNoSibling) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "out";
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "a.csv", "first\n");
    write_text(fs::path(folder.staging()) / "run.log", "wall 1\n");
    EXPECT_FALSE(fs::exists(out));  // nothing is in place before commit
    folder.commit();
  }
  EXPECT_EQ(read_text(out / "a.csv"), "first\n");
  EXPECT_EQ(read_text(out / "manifest.csv"),
            "file,bytes,fnv1a_64\na.csv,6," + checksum_hex(fnv1a_64("first\n")) + "\n");
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "b.csv", "second\n");
    folder.commit();
  }
  // The old set is gone as a whole: a.csv was a file of the first run only.
  EXPECT_FALSE(fs::exists(out / "a.csv"));
  EXPECT_EQ(read_text(out / "b.csv"), "second\n");
  EXPECT_NO_THROW(verify_result_folder(out));
  EXPECT_TRUE(siblings(dir.path(), "out").empty());
}

TEST(ResultFolder, WithoutCommitTheOldFolderIsUntouchedAndTheNewOneRemoved) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "out";
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "a.csv", "kept\n");
    folder.commit();
  }
  const auto before = folder_files(out);
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "a.csv", "half-written");  // then an error: no commit
  }
  EXPECT_EQ(folder_files(out), before);
  EXPECT_TRUE(siblings(dir.path(), "out").empty());
}

TEST(ResultFolder, MisusedPathsAreRefusedNamingThem) {
  const ScratchDir dir;
  EXPECT_THROW(ResultFolder("", "--out"), InputError);
  write_text(dir.path() / "file", "x");
  try {
    ResultFolder folder((dir.path() / "file").string(), "--out");
    ADD_FAILURE() << "a file as --out was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a directory"), std::string::npos) << e.what();
  }
  // The current directory would be swapped away under the shell that runs symbiomc.
  EXPECT_THROW(ResultFolder(".", "--out"), InputError);
  EXPECT_THROW(ResultFolder(fs::current_path().parent_path().string(), "--out"), InputError);
}

TEST(ResultFolder, AFileTheUserPutThereIsNeverDeleted) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "out";
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "a.csv", "x\n");
    folder.commit();
  }
  write_text(out / "notes.txt", "mine");
  try {
    ResultFolder folder(out.string(), "--out");
    ADD_FAILURE() << "a folder holding a user's file was claimed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find((out / "notes.txt").string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_text(out / "notes.txt"), "mine");
  // A folder that symbiomc did not write (no manifest) must be empty.
  const fs::path other = dir.path() / "other";
  fs::create_directory(other);
  write_text(other / "data.csv", "a,b\n");
  EXPECT_THROW(ResultFolder(other.string(), "--out"), InputError);
  EXPECT_EQ(read_text(other / "data.csv"), "a,b\n");
  EXPECT_TRUE(siblings(dir.path(), "out").empty());
}

TEST(ResultFolder, ASecondClaimIsRefusedNamingTheLock) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "out";
  ResultFolder first(out.string(), "--out");
  try {
    ResultFolder second(out.string(), "--out");
    ADD_FAILURE() << "two claims on one folder";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "out.lock").string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("another symbiomc process"), std::string::npos) << e.what();
  }
  first.commit();
  EXPECT_FALSE(fs::exists(dir.path() / "out.lock"));  // released, and removed
  EXPECT_NO_THROW(ResultFolder(out.string(), "--out"));
}

TEST(ResultFolder, ReportCheckRefusesAFolderMixingTwoRuns) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "out";
  {
    ResultFolder folder(out.string(), "--out");
    write_text(fs::path(folder.staging()) / "a.csv", "run 1\n");
    write_text(fs::path(folder.staging()) / "b.json", "{}\n");
    folder.commit();
  }
  EXPECT_NO_THROW(verify_result_folder(out));
  write_text(out / "a.csv", "run 2\n");  // same size, another run's content
  try {
    verify_result_folder(out);
    ADD_FAILURE() << "a changed file was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find((out / "a.csv").string()), std::string::npos) << e.what();
  }
  write_text(out / "a.csv", "run 1\n");
  write_text(out / "c.csv", "stray\n");  // a result file the manifest does not list
  EXPECT_THROW(verify_result_folder(out), InputError);
  fs::remove(out / "c.csv");
  fs::remove(out / "b.json");
  EXPECT_THROW(verify_result_folder(out), InputError);
}

// ---- write_file_atomically

TEST(AtomicFile, AFailedRenameSaysWhyNotSuccess) {
  const ScratchDir dir;
  const fs::path target = dir.path() / "target";
  fs::create_directories(target / "inside");  // a non-empty directory cannot be replaced by a file
  try {
    write_file_atomically(target.string(), "x");
    ADD_FAILURE() << "the rename onto a directory succeeded";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot move the finished file into place: Is a directory"), std::string::npos) << what;
    EXPECT_EQ(what.find(": Success"), std::string::npos) << what;
  }
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().extension(), "") << "left behind: " << entry.path();
}

TEST(AtomicFile, TwoWritersOfOneFileUseTheirOwnTemporaries) {
  const ScratchDir dir;
  const std::string path = (dir.path() / "f.csv").string();
  AtomicFileWriter a(path);
  AtomicFileWriter b(path);
  a.write("from a\n");
  b.write("from b\n");
  a.commit();
  b.commit();  // with one shared "f.csv.tmp", a's rename took b's temporary away
  EXPECT_EQ(read_text(path), "from b\n");
}

// ---- the commands: destinations checked before the run

TEST(Destinations, AnUnwritableOutIsRefusedBeforeTheRun) {
  const ScratchDir dir;
  write_text(dir.path() / "file", "x");
  const std::string checkpoint = dir.sub("ck.bin");
  // A checkpoint after every segment shows whether the run started.
  auto args = ishigami(dir.sub("file/out"), "1", "200000");
  args.insert(args.end(), {"--checkpoint", checkpoint, "--checkpoint-every", "0"});
  const CliRun r = test::run_symbiomc(args);
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find(dir.sub("file")), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(checkpoint)) << "the run started before --out was checked";
}

TEST(Destinations, DumpRunsNamingADirectoryIsRefusedBeforeTheRun) {
  const ScratchDir dir;
  fs::create_directory(dir.path() / "runs");
  const CliRun r = test::run_symbiomc([&] {
    auto args = ishigami(dir.sub("u"), "1");
    args.insert(args.end(), {"--dump-runs", dir.sub("runs")});
    return args;
  }());
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find(dir.sub("runs") + ": is a directory; --dump-runs expects a file name"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "u"));
}

TEST(Destinations, EmptyOutIsRefusedForEveryCommand) {
  const ScratchDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"uncertainty", "--model", "ishigami", "--runs", "100", "--out", ""},
                                             {"sensitivity", "--model", "ishigami", "--base-runs", "64", "--out", ""},
                                             {"balance", "--case", test::BIOMASS_CASE, "--out", ""}}) {
    const CliRun r = test::run_symbiomc(args);
    EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--out: expected a directory, got an empty path"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists("summary.csv"));
  EXPECT_FALSE(fs::exists("balance.json"));
}

TEST(Destinations, AReportOverAResultFileIsRefused) {
  const ScratchDir dir;
  const fs::path u = dir.path() / "u";
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(ishigami(u.string(), "1"))));
  const std::string summary = read_text(u / "summary.json");
  // --report inside --out, and `report --out` over a result file: both refused, nothing replaced.
  auto with_report = ishigami(u.string(), "2");
  with_report.insert(with_report.end(), {"--report", (u / "summary.json").string()});
  CliRun r = test::run_symbiomc(with_report);
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find((u / "summary.json").string()), std::string::npos) << r.err;
  r = test::run_symbiomc({"report", "--in", u.string(), "--out", (u / "summary.json").string(), "--quiet"});
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find("not an HTML report written by symbiomc"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(u / "summary.json"), summary);
  // `report --out` naming a directory.
  r = test::run_symbiomc({"report", "--in", u.string(), "--out", dir.path().string(), "--quiet"});
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find(dir.path().string() + ": is a directory"), std::string::npos) << r.err;
  // A report written by symbiomc may be rewritten.
  const std::string html = dir.sub("r.html");
  EXPECT_TRUE(test::succeeded(test::run_symbiomc({"report", "--in", u.string(), "--out", html, "--quiet"})));
  EXPECT_TRUE(test::succeeded(test::run_symbiomc({"report", "--in", u.string(), "--out", html, "--quiet"})));
}

TEST(Destinations, ACheckpointIsNotOverwrittenWithoutResume) {
  const ScratchDir dir;
  const std::string checkpoint = dir.sub("ck.bin");
  auto args = ishigami(dir.sub("u"), "1", "20000");
  args.insert(args.end(), {"--segment-blocks", "2", "--checkpoint", checkpoint, "--checkpoint-every", "0"});
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(args)));
  const std::string saved = read_text(checkpoint);
  const CliRun again = test::run_symbiomc(args);
  EXPECT_EQ(again.code, cli::EXIT_INPUT_ERROR) << again.err;
  EXPECT_NE(again.err.find(checkpoint + ": exists; --checkpoint would replace it"), std::string::npos) << again.err;
  EXPECT_EQ(read_text(checkpoint), saved);
  // Continuing it, into the same file, is what --resume is for.
  args.insert(args.end(), {"--resume", checkpoint});
  EXPECT_TRUE(test::succeeded(test::run_symbiomc(args)));
}

TEST(Destinations, ReportRefusesAResultFolderMixingTwoRuns) {
  const ScratchDir dir;
  const fs::path a = dir.path() / "a";
  const fs::path b = dir.path() / "b";
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(ishigami(a.string(), "1"))));
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(ishigami(b.string(), "2"))));
  fs::copy_file(b / "quantiles.csv", a / "quantiles.csv", fs::copy_options::overwrite_existing);
  const CliRun r = test::run_symbiomc({"report", "--in", a.string(), "--out", dir.sub("r.html"), "--quiet"});
  EXPECT_EQ(r.code, cli::EXIT_INPUT_ERROR) << r.err;
  EXPECT_NE(r.err.find((a / "quantiles.csv").string() + ": does not come from the run that wrote this folder"),
            std::string::npos)
      << r.err;
}

// ---- real processes: two on one --out, and a full disk

/// Runs `command` with /bin/sh and returns its exit code (-1 when it did not exit).
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string command = test::shell_quoted(test::BINARY);
  for (const auto& arg : args) command += " " + test::shell_quoted(arg);
  return command;
}

TEST(ResultFolderProcesses, ASecondProcessOnTheSameOutIsRefusedNamingTheLock) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "u";
  // The first process holds the lock from before its computation until its folder is in place;
  // the second starts once the lock exists, so the two surely overlap.
  const std::string first =
      command_line({"uncertainty", "--case", test::BIOMASS_CASE, "--distributions", test::BIOMASS_DISTRIBUTIONS,
                    "--runs", "300000", "--seed", "1", "--out", out.string(), "--quiet", "--threads", "1"});
  const std::string second = command_line(ishigami(out.string(), "2"));
  const std::string script = first + " 2>" + test::shell_quoted(dir.sub("first.err")) + " & pid=$!; " +
                             "while [ ! -e " + test::shell_quoted(out.string() + ".lock") +
                             " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; " + second + " 2>" +
                             test::shell_quoted(dir.sub("second.err")) + "; echo $? > " +
                             test::shell_quoted(dir.sub("second.code")) + "; wait $pid";
  EXPECT_EQ(shell("bash -c " + test::shell_quoted(script)), 0) << read_text(dir.path() / "first.err");
  EXPECT_EQ(read_text(dir.path() / "second.code"), "2\n");
  const std::string err = read_text(dir.path() / "second.err");
  EXPECT_NE(err.find(out.string() + ".lock: locked: another symbiomc process is writing --out " + out.string()),
            std::string::npos)
      << err;
  // The folder holds the first run's files, all of them.
  EXPECT_NO_THROW(verify_result_folder(out));
  EXPECT_NE(read_text(out / "summary.json").find("\"seed\": 1"), std::string::npos);
  EXPECT_TRUE(test::succeeded(test::run_symbiomc({"report", "--in", out.string(), "--out", dir.sub("r.html")})));
  EXPECT_EQ(siblings(dir.path(), "u").size(), 0u);
}

TEST(ResultFolderProcesses, TwoProcessesStartedTogetherLeaveOneRunsFiles) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "u";
  for (int trial = 0; trial < 4; ++trial) {
    const std::string a = command_line(ishigami(out.string(), "1", "3000000"));
    const std::string b = command_line(ishigami(out.string(), "2", "3000000"));
    const std::string script = a + " 2>" + test::shell_quoted(dir.sub("a.err")) + " & pa=$!; " + b + " 2>" +
                               test::shell_quoted(dir.sub("b.err")) + " & pb=$!; wait $pa; echo $? > " +
                               test::shell_quoted(dir.sub("a.code")) + "; wait $pb; echo $? > " +
                               test::shell_quoted(dir.sub("b.code"));
    (void)shell("bash -c " + test::shell_quoted(script));
    const std::string codes = read_text(dir.path() / "a.code") + read_text(dir.path() / "b.code");
    // Both finished one after the other, or one was refused naming the lock.
    EXPECT_TRUE(codes == "0\n0\n" || codes == "0\n2\n" || codes == "2\n0\n") << codes;
    for (const char* err : {"a.err", "b.err"}) {
      const std::string text = read_text(dir.path() / err);
      EXPECT_TRUE(text.empty() || text.find(".lock: locked") != std::string::npos) << text;
    }
    EXPECT_NO_THROW(verify_result_folder(out)) << "trial " << trial;
    EXPECT_EQ(siblings(dir.path(), "u").size(), 0u) << "trial " << trial;
  }
}

TEST(ResultFolderProcesses, ADiskFullErrorLeavesThePreviousResultsWhole) {
  const ScratchDir dir;
  const fs::path out = dir.path() / "u";
  ASSERT_TRUE(test::succeeded(test::run_symbiomc(ishigami(out.string(), "1", "20000"))));
  const auto before = folder_files(out);
  // RLIMIT_FSIZE of 8 KiB: the small files fit, histograms.csv does not. The signal is ignored
  // so that the write fails with EFBIG, as on a full disk.
  const std::string script = "trap '' XFSZ; ulimit -f 8; exec " + command_line(ishigami(out.string(), "2", "20000")) +
                             " 2>" + test::shell_quoted(dir.sub("err.txt"));
  EXPECT_EQ(shell("bash -c " + test::shell_quoted(script)), cli::EXIT_INPUT_ERROR);
  const std::string err = read_text(dir.path() / "err.txt");
  EXPECT_NE(err.find("write failed (disk full?)"), std::string::npos) << err;
  EXPECT_EQ(folder_files(out), before) << "the folder mixes two runs";
  EXPECT_EQ(siblings(dir.path(), "u").size(), 0u);
}

}  // namespace
}  // namespace symbiomc
