// Tests of segmented execution, checkpoints and resume (issue 8): a checkpoint file round-trips
// and is refused when damaged or written by another study, naming the difference; a study
// interrupted after some segments and resumed gives the same bits as an uninterrupted one
// (uncertainty with QMC replicates, Sobol' through a --target-ci-width doubling, Morris);
// segments computed in any order and folded in index order (what MPI ranks do) give the same
// bits; and the real executable, stopped by SIGINT or SIGTERM mid-run, writes a checkpoint
// from which `--resume` reproduces the uninterrupted result files byte for byte.

#include "symbiomc/sampling/checkpoint.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <boost/crc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "support/cancel_after.hpp"
#include "support/files.hpp"
#include "support/loaded_case.hpp"
#include "support/paths.hpp"
#include "support/random.hpp"
#include "support/scratch_dir.hpp"
#include "support/shuffled_scheduler.hpp"
#include "symbiomc/model/analytic_models.hpp"
#include "symbiomc/studies/sensitivity.hpp"
#include "symbiomc/studies/shapley_study.hpp"
#include "symbiomc/studies/uncertainty.hpp"

extern char** environ;

namespace symbiomc {
namespace {

namespace fs = std::filesystem;
using test::BIOMASS_CASE;
using test::BIOMASS_DISTRIBUTIONS;
using test::LoadedCase;
using test::read_text;
using test::ScratchDir;

using test::ShuffledScheduler;

// ---- the file

TEST(CheckpointFile, RoundTripsEveryField) {
  const Checkpoint original{"sobol", {{"seed", "7"}, {"base runs", "1024"}}, 12, true, std::string("\0state\xff", 7)};
  const Checkpoint back = decode_checkpoint(encode_checkpoint(original), "x.ckpt");
  EXPECT_EQ(back.study, "sobol");
  EXPECT_EQ(back.identity, original.identity);
  EXPECT_EQ(back.next_segment, 12u);
  EXPECT_TRUE(back.finished);
  EXPECT_EQ(back.state, original.state);
}

TEST(CheckpointFile, DamagedTruncatedAndForeignFilesAreRefusedNamingTheFile) {
  const std::string bytes = encode_checkpoint({"uncertainty", {{"seed", "1"}}, 3, false, "abc"});
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x10;
  auto message_of = [](const std::string& b) {
    try {
      (void)decode_checkpoint(b, "runs/a.ckpt");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(message_of(flipped).find("runs/a.ckpt"), std::string::npos);
  EXPECT_NE(message_of(flipped).find("CRC-64"), std::string::npos);
  for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{30}, bytes.size() - 1})
    EXPECT_NE(message_of(bytes.substr(0, n)).find("runs/a.ckpt"), std::string::npos) << "prefix of " << n << " bytes";
  EXPECT_NE(message_of("name,value\nseed,1\n").find("not a symbiomc checkpoint"), std::string::npos);
}

TEST(CheckpointFile, ResumingAnotherStudyNamesEveryDifference) {
  const Checkpoint saved{"uncertainty", {{"seed", "1"}, {"runs", "1000"}, {"option x", "a"}}, 3, false, ""};
  try {
    require_same_study(saved, "uncertainty", {{"seed", "2"}, {"runs", "1000"}, {"bins", "64"}}, "c.ckpt");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("c.ckpt"), std::string::npos) << m;
    EXPECT_NE(m.find("seed was 1, now 2"), std::string::npos) << m;
    EXPECT_NE(m.find("option x was a, now not given"), std::string::npos) << m;
    EXPECT_NE(m.find("bins was not given, now 64"), std::string::npos) << m;
    EXPECT_EQ(m.find("runs"), std::string::npos) << m;
  }
  EXPECT_THROW(require_same_study(saved, "sobol", saved.identity, "c.ckpt"), InputError);
  EXPECT_NO_THROW(require_same_study(saved, "uncertainty", saved.identity, "c.ckpt"));
}

/// `bytes` (a checkpoint) as another format version would have written it: the version field,
/// which follows the magic line, replaced, and the CRC-64 recomputed so that only the version
/// differs.
std::string with_format_version(std::string bytes, std::uint64_t version) {
  constexpr std::size_t VERSION_OFFSET = std::string_view("SYMBIOMC-CHECKPOINT\n").size();
  std::memcpy(bytes.data() + VERSION_OFFSET, &version, sizeof version);
  boost::crc_optimal<64, 0x42F0E1EBA9EA3693ULL, 0, 0, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size() - 8);
  const std::uint64_t sum = crc.checksum();
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, sizeof sum);
  return bytes;
}

// Format version 1 held 6 failure counts per mode; version 2 holds 7 (curve_not_increasing).
TEST(CheckpointFile, AnotherFormatVersionIsRefusedNamingBothVersions) {
  const std::string bytes = encode_checkpoint({"uncertainty", {{"seed", "1"}}, 3, false, "abc"});
  EXPECT_NO_THROW((void)decode_checkpoint(with_format_version(bytes, 2), "a.ckpt"));
  for (const std::uint64_t version : {1, 3}) {
    try {
      (void)decode_checkpoint(with_format_version(bytes, version), "runs/a.ckpt");
      ADD_FAILURE() << "format version " << version << " was accepted";
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("runs/a.ckpt"), std::string::npos) << m;
      EXPECT_NE(m.find("format version " + std::to_string(version) + " (written by " +
                       (version == 1 ? "an older" : "a newer") + " symbiomc)"),
                std::string::npos)
          << m;
      EXPECT_NE(m.find("reads only format version 2"), std::string::npos) << m;
    }
  }
}

// ---- interrupted and resumed studies, in the library

/// Sets `cancel` once `after` progress reports have arrived (progress is reported per fold).
using test::CancelAfter;

UncertaintyConfig small_uncertainty() {
  UncertaintyConfig c;
  c.runs = 30000;
  c.seed = 11;
  c.method = SamplingMethod::qmc;
  c.replicates = 4;
  c.block_size = 512;
  c.segment_blocks = 3;
  c.histogram_bins = 128;
  return c;
}

void expect_same(const UncertaintyResult& a, const UncertaintyResult& b) {
  ASSERT_EQ(a.runs, b.runs);
  EXPECT_EQ(a.runs_with_failure, b.runs_with_failure);
  EXPECT_EQ(a.failures, b.failures);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t o = 0; o < a.outputs.size(); ++o) {
    EXPECT_TRUE(a.outputs[o].stats == b.outputs[o].stats) << a.outputs[o].label.output;
    EXPECT_TRUE(a.outputs[o].replicate_means == b.outputs[o].replicate_means) << a.outputs[o].label.output;
  }
  ASSERT_EQ(a.comparisons.size(), b.comparisons.size());
  for (std::size_t p = 0; p < a.comparisons.size(); ++p)
    EXPECT_TRUE(a.comparisons[p].comparison == b.comparisons[p].comparison);
}

TEST(Resume, UncertaintyInterruptedAfterSomeSegmentsEndsWithTheSameBits) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  const UncertaintyResult whole = run_uncertainty(c.model, c.problem, small_uncertainty());

  UncertaintyConfig first = small_uncertainty();
  CancelAfter cancel(4);
  first.cancel = &cancel.flag;
  first.progress = cancel.callback();
  first.checkpoint.path = dir.sub("u.ckpt");
  first.checkpoint.every_seconds = 1e9;  // only the final checkpoint, written on the interruption
  EXPECT_THROW((void)run_uncertainty(c.model, c.problem, first), RunInterrupted);
  const Checkpoint saved = read_checkpoint(dir.sub("u.ckpt"));
  EXPECT_EQ(saved.study, "uncertainty");
  EXPECT_FALSE(saved.finished);
  EXPECT_GE(saved.next_segment, 1u);

  UncertaintyConfig second = small_uncertainty();
  second.checkpoint.resume_path = dir.sub("u.ckpt");
  expect_same(run_uncertainty(c.model, c.problem, second), whole);

  // Resuming with another seed is refused.
  second.seed = 12;
  EXPECT_THROW((void)run_uncertainty(c.model, c.problem, second), InputError);
}

TEST(Resume, UncertaintyCheckpointedAfterEverySegmentResumesFromTheLastOne) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  const UncertaintyResult whole = run_uncertainty(c.model, c.problem, small_uncertainty());
  UncertaintyConfig config = small_uncertainty();
  config.checkpoint.path = dir.sub("u.ckpt");
  config.checkpoint.every_seconds = 0;
  expect_same(run_uncertainty(c.model, c.problem, config), whole);
  EXPECT_TRUE(read_checkpoint(dir.sub("u.ckpt")).finished);
  // A finished checkpoint resumes to the same result without computing anything.
  UncertaintyConfig again = small_uncertainty();
  again.checkpoint.resume_path = dir.sub("u.ckpt");
  expect_same(run_uncertainty(c.model, c.problem, again), whole);
}

TEST(Resume, DumpRunsWithACheckpointIsRefused) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  UncertaintyConfig config = small_uncertainty();
  config.dump_runs_path = "/tmp/never.csv";
  config.checkpoint.path = "/tmp/never.ckpt";
  EXPECT_THROW((void)run_uncertainty(c.model, c.problem, config), InputError);
  EXPECT_FALSE(fs::exists("/tmp/never.csv"));
}

std::string sobol_bytes(const SobolResult& r) {
  ByteWriter out;
  out.u64(r.base_runs);
  out.u64(r.model_runs);
  out.boolean(r.target_reached);
  for (const auto& e : r.estimates) save(out, e);
  for (const auto& s : r.convergence) {
    out.u64(s.base_runs);
    for (const auto& e : s.modes) save(out, e);
  }
  out.u64s(r.dropped_base_samples);
  return out.take();
}

SobolConfig doubling_sobol() {
  SobolConfig c;
  c.base_runs = 256;
  c.seed = 5;
  c.target_ci_width = 0.02;  // forces several doublings on Ishigami
  c.max_base_runs = 8192;
  c.base_block = 64;
  c.segment_blocks = 2;
  return c;
}

TEST(Resume, SobolInterruptedDuringTheDoublingEndsWithTheSameBits) {
  const auto model = parse_model_spec("ishigami");
  const Problem problem = uniform_problem(*model, "ishigami");
  const ScratchDir dir;
  const SobolResult whole = run_sobol(*model, problem, doubling_sobol());
  ASSERT_GT(whole.base_runs, 256u) << "the target should force a doubling";

  SobolConfig first = doubling_sobol();
  CancelAfter cancel(9);
  first.cancel = &cancel.flag;
  first.progress = cancel.callback();
  first.checkpoint.path = dir.sub("s.ckpt");
  EXPECT_THROW((void)run_sobol(*model, problem, first), RunInterrupted);
  SobolConfig second = doubling_sobol();
  second.checkpoint.resume_path = dir.sub("s.ckpt");
  const SobolResult resumed = run_sobol(*model, problem, second);
  EXPECT_EQ(resumed.base_runs, whole.base_runs);
  EXPECT_EQ(resumed.convergence.size(), whole.convergence.size());
  EXPECT_EQ(sobol_bytes(resumed), sobol_bytes(whole));

  SobolConfig shuffled = doubling_sobol();
  ShuffledScheduler scheduler;
  shuffled.scheduler = &scheduler;
  EXPECT_EQ(sobol_bytes(run_sobol(*model, problem, shuffled)), sobol_bytes(whole));
}

TEST(Resume, MorrisInterruptedEndsWithTheSameBits) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  MorrisConfig base;
  base.trajectories = 200;
  base.block = 8;
  base.segment_blocks = 2;
  base.seed = 3;
  const MorrisResult whole = run_morris(c.model, c.problem, base);
  MorrisConfig first = base;
  CancelAfter cancel(5);
  first.cancel = &cancel.flag;
  first.progress = cancel.callback();
  first.checkpoint.path = dir.sub("m.ckpt");
  EXPECT_THROW((void)run_morris(c.model, c.problem, first), RunInterrupted);
  MorrisConfig second = base;
  second.checkpoint.resume_path = dir.sub("m.ckpt");
  const MorrisResult resumed = run_morris(c.model, c.problem, second);
  ASSERT_EQ(resumed.estimates.size(), whole.estimates.size());
  EXPECT_EQ(resumed.model_runs, whole.model_runs);
  for (std::size_t m = 0; m < whole.estimates.size(); ++m)
    for (std::size_t i = 0; i < whole.estimates[m].effects.size(); ++i) {
      EXPECT_EQ(resumed.estimates[m].effects[i].mu_star, whole.estimates[m].effects[i].mu_star);
      EXPECT_EQ(resumed.estimates[m].effects[i].sigma, whole.estimates[m].effects[i].sigma);
    }
}

// ---- checkpoints whose CRC holds but whose contents disagree (issue 15, item 6)

/// Rewrites the checkpoint at `path` with another segment counter and finished flag, and a
/// correct CRC: what an edited file or a faulty writer would give.
void rewrite_counter(const std::string& path, std::uint64_t next_segment, bool finished) {
  Checkpoint checkpoint = read_checkpoint(path);
  checkpoint.next_segment = next_segment;
  checkpoint.finished = finished;
  write_checkpoint(path, checkpoint);
}

/// Resumes `resume` from copies of the finished checkpoint `path` whose counter is past the
/// end, reset to 0, or one short (finished or not): each is refused naming the file; the
/// checkpoint as written resumes.
template <class Resume>
void expect_inconsistent_counters_refused(const ScratchDir& dir, const std::string& path, Resume resume) {
  const Checkpoint saved = read_checkpoint(path);
  ASSERT_TRUE(saved.finished);
  ASSERT_GE(saved.next_segment, 2u);
  const std::uint64_t n = saved.next_segment;
  const std::vector<std::pair<std::uint64_t, bool>> edits{
      {n + 1000, false}, {n + 1000, true}, {0, false}, {n - 1, false}, {n - 1, true}};
  for (const auto& [next, finished] : edits) {
    const std::string edited = dir.sub("edited.ckpt");
    fs::copy_file(path, edited, fs::copy_options::overwrite_existing);
    rewrite_counter(edited, next, finished);
    try {
      resume(edited);
      ADD_FAILURE() << "counter " << next << (finished ? " (finished)" : "") << " of " << n << " was trusted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(edited + ": inconsistent checkpoint"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(resume(path));
}

TEST(Resume, UncertaintyCheckpointWhoseCounterDisagreesWithItsStateIsRefused) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  UncertaintyConfig config = small_uncertainty();
  config.checkpoint.path = dir.sub("u.ckpt");
  (void)run_uncertainty(c.model, c.problem, config);
  expect_inconsistent_counters_refused(dir, dir.sub("u.ckpt"), [&](const std::string& path) {
    UncertaintyConfig again = small_uncertainty();
    again.checkpoint.resume_path = path;
    (void)run_uncertainty(c.model, c.problem, again);
  });
}

TEST(Resume, MorrisCheckpointWhoseCounterDisagreesWithItsStateIsRefused) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  MorrisConfig config;
  config.trajectories = 60;
  config.block = 8;
  config.segment_blocks = 2;
  config.seed = 3;
  config.checkpoint.path = dir.sub("m.ckpt");
  (void)run_morris(c.model, c.problem, config);
  expect_inconsistent_counters_refused(dir, dir.sub("m.ckpt"), [&](const std::string& path) {
    MorrisConfig again = config;
    again.checkpoint = {};
    again.checkpoint.resume_path = path;
    (void)run_morris(c.model, c.problem, again);
  });
}

TEST(Resume, SobolCheckpointWhoseCounterDisagreesWithItsStateIsRefused) {
  const auto model = parse_model_spec("ishigami");
  const Problem problem = uniform_problem(*model, "ishigami");
  const ScratchDir dir;
  SobolConfig config;
  config.base_runs = 512;
  config.seed = 5;
  config.base_block = 64;
  config.segment_blocks = 2;
  config.checkpoint.path = dir.sub("s.ckpt");
  (void)run_sobol(*model, problem, config);
  expect_inconsistent_counters_refused(dir, dir.sub("s.ckpt"), [&](const std::string& path) {
    SobolConfig again = config;
    again.checkpoint = {};
    again.checkpoint.resume_path = path;
    (void)run_sobol(*model, problem, again);
  });
}

TEST(Resume, ShapleyCheckpointWhoseCounterDisagreesWithItsStateIsRefused) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  ShapleyConfig config;
  config.permutations = 40;
  config.variance_runs = 1500;
  config.outer = 2;
  config.inner = 2;
  config.permutation_block = 8;
  config.variance_block = 512;
  config.segment_blocks = 2;  // segments of variance blocks, then of permutation blocks
  config.seed = 13;
  config.checkpoint.path = dir.sub("sh.ckpt");
  (void)run_shapley(c.model, c.problem, config);
  expect_inconsistent_counters_refused(dir, dir.sub("sh.ckpt"), [&](const std::string& path) {
    ShapleyConfig again = config;
    again.checkpoint = {};
    again.checkpoint.resume_path = path;
    (void)run_shapley(c.model, c.problem, again);
  });
}

TEST(Resume, AFinalCheckpointThatCannotBeWrittenDoesNotCostTheResults) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const ScratchDir dir;
  const UncertaintyResult whole = run_uncertainty(c.model, c.problem, small_uncertainty());
  UncertaintyConfig config = small_uncertainty();
  fs::create_directories(dir.path() / "ck" / "inside");  // a non-empty directory: the rename fails
  config.checkpoint.path = dir.sub("ck");
  config.checkpoint.every_seconds = 1e9;  // only the final checkpoint
  std::vector<std::string> warnings;
  config.checkpoint.warn = [&](const std::string& text) { warnings.push_back(text); };
  expect_same(run_uncertainty(c.model, c.problem, config), whole);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(dir.sub("ck")), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("the study is complete"), std::string::npos) << warnings[0];
}

TEST(Segments, ComputedInAnyOrderAndFoldedInOrderGiveTheSameBits) {
  const LoadedCase c(BIOMASS_CASE, BIOMASS_DISTRIBUTIONS);
  const UncertaintyResult whole = run_uncertainty(c.model, c.problem, small_uncertainty());
  UncertaintyConfig config = small_uncertainty();
  ShuffledScheduler scheduler;
  config.scheduler = &scheduler;
  expect_same(run_uncertainty(c.model, c.problem, config), whole);
  EXPECT_GT(scheduler.shuffled_calls(), 0) << "no segments were computed out of order";
}

// ---- the executable, stopped by a signal

/// Starts the symbiomc executable with `args`, stdout and stderr to files in `dir`.
pid_t spawn_symbiomc(const std::vector<std::string>& args, const ScratchDir& dir) {
  std::vector<std::string> argv_text{test::BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = dir.sub("stdout.txt"), err = dir.sub("stderr.txt");
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << test::BINARY;
  return pid;
}

void interrupt_and_resume(int signal_number) {
  const ScratchDir dir;
  const std::vector<std::string> study{"uncertainty",
                                       "--case",
                                       BIOMASS_CASE,
                                       "--distributions",
                                       BIOMASS_DISTRIBUTIONS,
                                       "--runs",
                                       "200000",
                                       "--seed",
                                       "9",
                                       "--block-size",
                                       "128",
                                       "--quiet",
                                       "--threads",
                                       "2"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = study;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  const std::string checkpoint = dir.sub("run.ckpt");
  const pid_t pid = spawn_symbiomc(
      with({"--out", dir.sub("interrupted"), "--checkpoint", checkpoint, "--checkpoint-every", "0"}), dir);
  ASSERT_GT(pid, 0);
  // Wait for the first periodic checkpoint, then stop the run mid-way.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(checkpoint)) << read_text(dir.sub("stderr.txt"));
  kill(pid, signal_number);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping cleanly";
  ASSERT_EQ(WEXITSTATUS(status), cli::EXIT_INTERRUPTED) << read_text(dir.sub("stderr.txt"));
  EXPECT_NE(read_text(dir.sub("stderr.txt")).find("--resume " + checkpoint), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.sub("interrupted")));  // no half-written results
  const Checkpoint saved = read_checkpoint(checkpoint);
  EXPECT_FALSE(saved.finished);
  EXPECT_GE(saved.next_segment, 1u);

  std::ostringstream out, err;
  ASSERT_EQ(cli::run_cli(with({"--out", dir.sub("resumed"), "--resume", checkpoint}), out, err), 0) << err.str();
  ASSERT_EQ(cli::run_cli(with({"--out", dir.sub("whole")}), out, err), 0) << err.str();
  for (const char* file : {"summary.csv", "quantiles.csv", "histograms.csv", "comparisons.csv", "failures.csv",
                           "thresholds.csv", "summary.json"})
    EXPECT_EQ(read_text(dir.path() / "resumed" / file), read_text(dir.path() / "whole" / file)) << file;
}

TEST(ResumeCli, ACheckpointOfAnOlderFormatVersionIsRefusedWithExit2NamingBothVersions) {
  const ScratchDir dir;
  const std::vector<std::string> study{"uncertainty",
                                       "--case",
                                       test::SAMPLING_DATA + "/linear",
                                       "--distributions",
                                       test::SAMPLING_DATA + "/linear.csv",
                                       "--runs",
                                       "2000",
                                       "--seed",
                                       "4",
                                       "--quiet"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = study;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  const std::string checkpoint = dir.sub("run.ckpt");
  std::ostringstream out, err;
  ASSERT_EQ(cli::run_cli(with({"--out", dir.sub("first"), "--checkpoint", checkpoint}), out, err), 0) << err.str();
  test::write_text(checkpoint, with_format_version(read_text(checkpoint), 1));
  std::ostringstream resumed_out, resumed_err;
  EXPECT_EQ(cli::run_cli(with({"--out", dir.sub("resumed"), "--resume", checkpoint}), resumed_out, resumed_err),
            cli::EXIT_INPUT_ERROR);
  const std::string m = resumed_err.str();
  EXPECT_NE(m.find(checkpoint + ": checkpoint has format version 1 (written by an older symbiomc)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("reads only format version 2"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(dir.sub("resumed")));
}

TEST(ResumeCli, SigintMidRunWritesACheckpointAndResumeGivesIdenticalFiles) { interrupt_and_resume(SIGINT); }
TEST(ResumeCli, SigtermMidRunWritesACheckpointAndResumeGivesIdenticalFiles) { interrupt_and_resume(SIGTERM); }

// Memory is set by the case and the options, never by --runs, from the first second: no list
// of blocks or segments is made up front (issue 14 measured 3.4 GB within seconds for 2^40
// runs). Each run is stopped by SIGINT once it has run at least a second and written its first
// checkpoint (so that the handler is installed and both runs are caught at the same stage), and
// its peak resident set is read from the kernel (wait4's rusage).
long peak_rss_kib_of_interrupted_run(const std::string& runs) {
  const ScratchDir dir;
  const std::string checkpoint = dir.sub("run.ckpt");
  const pid_t pid = spawn_symbiomc({"uncertainty",
                                    "--case",
                                    BIOMASS_CASE,
                                    "--distributions",
                                    BIOMASS_DISTRIBUTIONS,
                                    "--runs",
                                    runs,
                                    "--method",
                                    "mc",
                                    "--seed",
                                    "5",
                                    "--threads",
                                    "2",
                                    "--quiet",
                                    "--checkpoint",
                                    checkpoint,
                                    "--checkpoint-every",
                                    "0",
                                    "--out",
                                    dir.sub("out")},
                                   dir);
  EXPECT_GT(pid, 0);
  if (pid <= 0) return -1;
  const auto start = std::chrono::steady_clock::now();
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < start + std::chrono::minutes(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_until(std::max(std::chrono::steady_clock::now(), start + std::chrono::seconds(1)));
  EXPECT_TRUE(fs::exists(checkpoint)) << runs << " runs: " << read_text(dir.sub("stderr.txt"));
  kill(pid, SIGINT);
  int status = 0;
  rusage usage{};
  EXPECT_EQ(wait4(pid, &status, 0, &usage), pid);
  EXPECT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping cleanly";
  EXPECT_EQ(WEXITSTATUS(status), cli::EXIT_INTERRUPTED) << runs << " runs: " << read_text(dir.sub("stderr.txt"));
  EXPECT_FALSE(fs::exists(dir.sub("out")));
  return usage.ru_maxrss;  // KiB on Linux
}

TEST(MemoryCli, PeakMemoryDoesNotGrowWithTheRequestedRuns) {
  const long small = peak_rss_kib_of_interrupted_run("67108864");      // 2^26 runs
  const long huge = peak_rss_kib_of_interrupted_run("1099511627776");  // 2^40 runs
  std::cout << "[ memory ] peak RSS at the first checkpoint: " << small / 1024 << " MiB for 2^26 runs, " << huge / 1024
            << " MiB for 2^40 runs\n";
  ASSERT_GT(small, 0);
  // Relative, not absolute: under AddressSanitizer the same run peaks near 620 MiB (shadow
  // memory and quarantine), in the optimised build near 110 MiB; 2^40 runs must cost what 2^26 do.
  EXPECT_LE(huge, small + small / 8 + 8 * 1024) << "peak memory grows with --runs";
}

}  // namespace
}  // namespace symbiomc
