// docs/tutorial.md walks a planner from `symbiomc init` to a checked, analysed case of their own
// (cases/sugar_mill). This test does every step of it, in order, in a scratch directory, and
// fails when the text and what the program prints part ways, so the tutorial cannot go stale.
//
// The tutorial's markup (docs/tutorial.md says the same to its editors):
//   ```console [exit=N]   lines `$ COMMAND` are run with /bin/sh in the scratch directory, the
//                         built symbiomc first on PATH; the lines after each, up to the next
//                         `$ ` or the fence, are what it prints (stdout, then stderr). A command
//                         may go on over lines ending in ` \`. exit=N: the exit code every
//                         command of the block must give (default 0).
//   ```LANG file=PATH     the reader writes this text to PATH (the whole file).
//   ```diff file=PATH     the reader edits PATH: each run of `-` lines, found exactly once as
//                         consecutive lines, becomes the `+` lines that follow it; `+` lines
//                         with no `-` before them are added at the end.
// Any other fence is an illustration and may not contain a `$ ` line. Output is compared
// exactly, after one normalisation: `<elapsed>` in the text stands for a duration the program
// measured (digits, '.', and a unit s/ms/min), which differs from run to run.
// When the steps are done, the reader's case directory must equal cases/sugar_mill (and its
// distributions.csv distributions/sugar_mill.csv): the bundled case is the tutorial's result.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/scratch_dir.hpp"

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::read_text;

const std::string TUTORIAL = test::SOURCE_DIR + "/docs/tutorial.md";
/// The directory the tutorial has the reader create, and the bundled case it becomes.
const std::string READER_CASE_DIR = "sugar_mill";
const std::string BUNDLED_CASE = test::SOURCE_DIR + "/cases/sugar_mill";
const std::string BUNDLED_DISTRIBUTIONS = test::SOURCE_DIR + "/distributions/sugar_mill.csv";

/// One thing the reader does: run a command and see its output, write a file, or edit one.
struct Step {
  enum class Kind { command, write_file, edit_file } kind = Kind::command;
  int doc_line = 0;  ///< 1-based line in the tutorial where the step's text starts
  std::string text;  ///< the command (continuations joined), or the file path
  std::string body;  ///< expected output, or the file's text, or the diff lines
  int expected_exit = 0;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
  std::string text;
  for (std::size_t i = from; i < to; ++i) text += lines[i] + "\n";
  return text;
}

/// The value of `key=VALUE` among a fence's words, or "" when absent.
std::string fence_attribute(const std::string& info, const std::string& key) {
  std::istringstream words(info);
  for (std::string word; words >> word;)
    if (word.rfind(key + "=", 0) == 0) return word.substr(key.size() + 1);
  return "";
}

/// Every step of the tutorial text, in order. A malformed block is a test failure naming its line.
std::vector<Step> parse_steps(const std::string& doc) {
  const std::vector<std::string> lines = split_lines(doc);
  std::vector<Step> steps;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) continue;
    const std::string info = lines[i].substr(3);
    const std::size_t open = i;
    std::size_t close = open + 1;
    while (close < lines.size() && lines[close].rfind("```", 0) != 0) ++close;
    if (close == lines.size()) {
      ADD_FAILURE() << TUTORIAL << ":" << open + 1 << ": fence never closed";
      return steps;
    }
    const std::string language = info.substr(0, info.find(' '));
    const std::string file = fence_attribute(info, "file");
    if (language == "console") {
      const std::string exit_text = fence_attribute(info, "exit");
      const int expected_exit = exit_text.empty() ? 0 : std::stoi(exit_text);
      for (std::size_t j = open + 1; j < close;) {
        if (lines[j].rfind("$ ", 0) != 0) {
          ADD_FAILURE() << TUTORIAL << ":" << j + 1 << ": console block line before any `$ ` command";
          return steps;
        }
        Step step{Step::Kind::command, static_cast<int>(j + 1), "", "", expected_exit};
        std::string command = lines[j].substr(2);
        // A continued line joins the next with one space (the shell reads the same words).
        while (command.size() >= 2 && command.compare(command.size() - 2, 2, " \\") == 0 && j + 1 < close) {
          const std::string& next = lines[++j];
          command =
              command.substr(0, command.size() - 1) + next.substr(std::min(next.find_first_not_of(' '), next.size()));
        }
        step.text = command;
        std::size_t end = ++j;
        while (end < close && lines[end].rfind("$ ", 0) != 0) ++end;
        step.body = join(lines, j, end);
        steps.push_back(step);
        j = end;
      }
    } else if (!file.empty()) {
      const auto kind = language == "diff" ? Step::Kind::edit_file : Step::Kind::write_file;
      steps.push_back({kind, static_cast<int>(open + 1), file, join(lines, open + 1, close), 0});
    } else {
      for (std::size_t j = open + 1; j < close; ++j) {
        if (lines[j].rfind("$ ", 0) == 0) {
          ADD_FAILURE() << TUTORIAL << ":" << j + 1 << ": a `$ ` command outside a console block would not be run";
        }
      }
    }
    i = close;
  }
  return steps;
}

/// Length of the measured duration at the start of `text` (`0.42 s`, `12 ms`, `3 min`), or 0.
std::size_t duration_length(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) != 0 || text[at] == '.')) ++at;
  if (at == 0) return 0;
  if (at < text.size() && text[at] == ' ') ++at;
  for (const std::string_view unit : {"min", "ms", "s"}) {
    if (text.substr(at, unit.size()) == unit) return at + unit.size();
  }
  return 0;
}

/// The program's output against the text: equal, where `<elapsed>` in the text stands for one
/// measured duration. (By hand rather than with std::regex, whose matcher recurses once per character.)
bool output_matches(const std::string& expected, const std::string& actual) {
  const std::string_view hole = "<elapsed>";
  std::size_t in_expected = 0, in_actual = 0;
  for (;;) {
    const std::size_t next_hole = expected.find(hole, in_expected);
    const std::size_t literal = (next_hole == std::string::npos ? expected.size() : next_hole) - in_expected;
    if (actual.compare(in_actual, literal, expected, in_expected, literal) != 0) return false;
    in_actual += literal;
    if (next_hole == std::string::npos) return in_actual == actual.size();
    const std::size_t duration = duration_length(std::string_view(actual).substr(in_actual));
    if (duration == 0) return false;
    in_actual += duration;
    in_expected = next_hole + hole.size();
  }
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout, then stderr
};

/// `text` as one single-quoted shell word.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// Runs `command` with /bin/sh in `dir`, the built symbiomc first on PATH.
CommandResult run_in(const fs::path& dir, const std::string& command) {
  // Captured beside the working folder, so that a command listing it never sees them.
  const fs::path out = dir.string() + ".stdout", err = dir.string() + ".stderr";
  const std::string bin_dir = fs::path(test::BINARY).parent_path().string();
  const std::string line = "cd " + shell_quoted(dir.string()) + " && PATH=" + shell_quoted(bin_dir) +
                           ":\"$PATH\" /bin/sh -c " + shell_quoted(command) + " >" + shell_quoted(out.string()) +
                           " 2>" + shell_quoted(err.string());
  const int status = std::system(line.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = read_text(out) + read_text(err);
  fs::remove(out);
  fs::remove(err);
  return result;
}

/// Applies a ```diff block to `text`; a `-` run that is not found exactly once is a failure.
std::string apply_edit(const std::string& text, const Step& step) {
  std::vector<std::string> lines = split_lines(text);
  const std::vector<std::string> diff = split_lines(step.body);
  for (std::size_t i = 0; i < diff.size();) {
    std::vector<std::string> removed, added;
    while (i < diff.size() && diff[i].rfind('-', 0) == 0) removed.push_back(diff[i++].substr(1));
    while (i < diff.size() && diff[i].rfind('+', 0) == 0) added.push_back(diff[i++].substr(1));
    if (removed.empty() && added.empty()) {
      ADD_FAILURE() << TUTORIAL << ":" << step.doc_line << ": diff line '" << diff[i]
                    << "' starts with neither - nor +";
      return text;
    }
    if (removed.empty()) {
      lines.insert(lines.end(), added.begin(), added.end());
      continue;
    }
    std::vector<std::size_t> found;
    for (std::size_t at = 0; at + removed.size() <= lines.size(); ++at) {
      if (std::equal(removed.begin(), removed.end(), lines.begin() + static_cast<std::ptrdiff_t>(at))) {
        found.push_back(at);
      }
    }
    if (found.size() != 1) {
      ADD_FAILURE() << TUTORIAL << ":" << step.doc_line << ": the lines to replace, starting '" << removed.front()
                    << "', occur " << found.size() << " times in " << step.text << " (expected once)";
      return text;
    }
    const auto at = lines.begin() + static_cast<std::ptrdiff_t>(found.front());
    lines.erase(at, at + static_cast<std::ptrdiff_t>(removed.size()));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(found.front()), added.begin(), added.end());
  }
  return join(lines, 0, lines.size());
}

/// A step whose result differs from the text: where, and both versions.
struct Mismatch {
  int doc_line = 0;
  std::string what;
};

/// Does every step of `doc` in `dir`; returns the steps whose result differs from the text.
std::vector<Mismatch> follow_tutorial(const std::string& doc, const fs::path& dir) {
  std::vector<Mismatch> mismatches;
  for (const Step& step : parse_steps(doc)) {
    switch (step.kind) {
      case Step::Kind::write_file:
        test::write_text(dir / step.text, step.body);
        break;
      case Step::Kind::edit_file:
        test::write_text(dir / step.text, apply_edit(read_text(dir / step.text), step));
        break;
      case Step::Kind::command: {
        const CommandResult result = run_in(dir, step.text);
        if (result.exit_code != step.expected_exit) {
          mismatches.push_back({step.doc_line, "`" + step.text + "` exited with " + std::to_string(result.exit_code) +
                                                   ", the text says " + std::to_string(step.expected_exit) +
                                                   "\n--- it printed:\n" + result.output});
        }
        if (!output_matches(step.body, result.output)) {
          mismatches.push_back({step.doc_line, "`" + step.text + "` printed other text than the tutorial shows" +
                                                   "\n--- the tutorial:\n" + step.body + "--- the program:\n" +
                                                   result.output});
        }
        break;
      }
    }
  }
  return mismatches;
}

/// The reader's case directory against the bundled case: same files, same bytes.
void expect_reader_case_is_bundled_case(const fs::path& reader_case) {
  std::vector<std::string> bundled_files;
  for (const auto& entry : fs::directory_iterator(BUNDLED_CASE)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;  // the case's notes, not something the tutorial writes
    bundled_files.push_back(name);
    EXPECT_TRUE(fs::exists(reader_case / name)) << "the tutorial never writes " << name << " of " << BUNDLED_CASE;
  }
  for (const auto& entry : fs::directory_iterator(reader_case)) {
    const std::string name = entry.path().filename().string();
    const std::string bundled = name == "distributions.csv" ? BUNDLED_DISTRIBUTIONS : BUNDLED_CASE + "/" + name;
    if (name != "distributions.csv" && !fs::exists(bundled)) {
      if (entry.is_directory()) continue;  // result folders the tutorial's runs write
      ADD_FAILURE() << "the tutorial leaves " << name << " in the case, which " << BUNDLED_CASE << " lacks";
      continue;
    }
    EXPECT_EQ(read_text(entry.path()), read_text(bundled))
        << "the tutorial's " << READER_CASE_DIR << "/" << name << " differs from " << bundled;
  }
}

TEST(Tutorial, EveryStepPrintsWhatTheTextShowsAndEndsWithTheBundledCase) {
  const test::ScratchDir scratch;
  const std::vector<Mismatch> mismatches = follow_tutorial(read_text(TUTORIAL), scratch.path());
  for (const Mismatch& m : mismatches) ADD_FAILURE() << TUTORIAL << ":" << m.doc_line << ": " << m.what;
  expect_reader_case_is_bundled_case(scratch.path() / READER_CASE_DIR);
}

TEST(Tutorial, HasStepsOfEveryKindAndEveryCommand) {
  const std::vector<Step> steps = parse_steps(read_text(TUTORIAL));
  std::set<std::string> commands;
  int writes = 0, edits = 0;
  for (const Step& step : steps) {
    if (step.kind == Step::Kind::command) {
      std::istringstream words(step.text);
      std::string program, command;
      words >> program >> command;
      if (program == "symbiomc") commands.insert(command);
    }
    writes += step.kind == Step::Kind::write_file;
    edits += step.kind == Step::Kind::edit_file;
  }
  for (const char* needed : {"init", "check", "balance", "uncertainty", "sensitivity"}) {
    EXPECT_TRUE(commands.count(needed) == 1) << "the tutorial never runs `symbiomc " << needed << "`";
  }
  EXPECT_GT(writes, 0);
  EXPECT_GT(edits, 0);
}

// The comparison must catch a stale number: the same tutorial with one digit changed in the
// first output of `balance` fails at exactly that command, and nowhere else.
TEST(Tutorial, AChangedNumberInTheTextIsCaught) {
  const std::string doc = read_text(TUTORIAL);
  const std::size_t balance = doc.find("$ symbiomc balance");
  ASSERT_NE(balance, std::string::npos);
  const std::size_t block_end = doc.find("\n```", balance);
  ASSERT_NE(block_end, std::string::npos);
  std::size_t digit = doc.find_first_of("123456789", doc.find('\n', balance));
  ASSERT_LT(digit, block_end) << "the first balance output shows no number";
  std::string stale = doc.substr(0, block_end + 4);  // up to and including that block's closing fence
  stale[digit] = stale[digit] == '9' ? '8' : static_cast<char>(stale[digit] + 1);
  const test::ScratchDir scratch;
  const std::vector<Mismatch> mismatches = follow_tutorial(stale, scratch.path());
  ASSERT_EQ(mismatches.size(), 1u);
  const auto line_of_balance = 1 + std::count(doc.begin(), doc.begin() + static_cast<std::ptrdiff_t>(balance), '\n');
  EXPECT_EQ(mismatches.front().doc_line, line_of_balance);
}

}  // namespace
}  // namespace symbiomc
