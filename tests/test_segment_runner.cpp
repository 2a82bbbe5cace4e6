// Tests of the segmented-study skeleton (run_segmented, sampling/segment_runner.hpp) through a
// toy study that knows nothing of models or statistics: sums of index-defined pseudo-random
// numbers. It shows that a new study is one type satisfying SegmentedStudy, and that the
// skeleton alone gives what the real studies rely on: the same bits for 1, 2 and 4 threads and
// for segments computed out of order, an early stop when fold says so, a checkpoint after every
// segment from which a resume ends with the same state, and a cancel that throws
// RunInterrupted after writing a checkpoint.

#include "symbiomc/sampling/segment_runner.hpp"

#include <gtest/gtest.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "support/random.hpp"
#include "support/scratch_dir.hpp"
#include "support/shuffled_scheduler.hpp"
#include "symbiomc/base/rng.hpp"

namespace symbiomc {
namespace {

using test::ScratchDir;

constexpr std::uint64_t SEED = 2024;
constexpr std::size_t NUMBERS_PER_ITEM = 1000;

/// The numbers of work item `item`, a pure function of the item.
void fill_item(std::uint64_t item, std::vector<double>& numbers) {
  Engine engine = make_engine(SEED, Stream::sampling, item);
  for (double& x : numbers) x = next_open_unit(engine) * 1e3 - 123.456;  // rounding makes the order matter
}

/// What a block and a segment hold: a sum and a count.
struct ToySum {
  double sum = 0.0;
  std::uint64_t count = 0;
};

/// The toy study: `items` work items of NUMBERS_PER_ITEM numbers, `per_segment` items per
/// segment, `per_wave` items per wave; the state is the running sum and every segment's sum.
/// With `stop_at` > 0, fold stops the study once that many numbers are folded.
class ToyStudy {
 public:
  using Block = ToySum;
  using Segment = ToySum;

  ToyStudy(std::uint64_t items, std::uint64_t per_segment, std::uint64_t per_wave, std::uint64_t stop_at = 0)
      : items_(items), per_segment_(per_segment), per_wave_(per_wave), stop_at_(stop_at), scratch_([] {
          return std::vector<double>(NUMBERS_PER_ITEM);
        }) {}

  [[nodiscard]] std::string kind() const { return "toy"; }
  [[nodiscard]] std::vector<IdentityEntry> identity() const {
    return {{"items", std::to_string(items_)}, {"per segment", std::to_string(per_segment_)}};
  }
  [[nodiscard]] std::uint64_t segment_count() const { return (items_ + per_segment_ - 1) / per_segment_; }
  [[nodiscard]] ItemRange segment_items(std::uint64_t index) const {
    return {index * per_segment_, std::min(items_, (index + 1) * per_segment_)};
  }
  [[nodiscard]] std::uint64_t wave_items() const { return per_wave_; }
  [[nodiscard]] Block run_block(std::uint64_t item) const {
    std::vector<double>& numbers = scratch_.local();  // per-thread scratch: run_block is called concurrently
    fill_item(item, numbers);
    Block block;
    for (double x : numbers) block.sum += x;
    block.count = numbers.size();
    return block;
  }
  [[nodiscard]] Segment empty_segment() const { return {}; }
  void absorb_wave(Segment& segment, std::span<const Block> blocks) const {
    for (const Block& b : blocks) {
      segment.sum += b.sum;
      segment.count += b.count;
    }
  }
  void save_segment(const Segment& segment, ByteWriter& out) const {
    out.f64(segment.sum);
    out.u64(segment.count);
  }
  [[nodiscard]] Segment load_segment(ByteReader& in) const {
    Segment segment;
    segment.sum = in.f64();
    segment.count = in.u64();
    return segment;
  }
  bool fold(std::uint64_t index, Segment&& segment) {
    EXPECT_EQ(index, segment_sums_.size()) << "segments must be folded in index order";
    total_.sum += segment.sum;
    total_.count += segment.count;
    segment_sums_.push_back(segment.sum);
    return stop_at_ == 0 || total_.count < stop_at_;
  }
  void save_state(ByteWriter& out) const {
    out.f64(total_.sum);
    out.u64(total_.count);
    out.f64s(segment_sums_);
  }
  void load_state(ByteReader& in) {
    total_.sum = in.f64();
    total_.count = in.u64();
    segment_sums_ = in.f64s();
  }
  [[nodiscard]] StudyProgress progress() const { return {total_.count, items_ * NUMBERS_PER_ITEM}; }
  [[nodiscard]] std::string interrupted_message() const {
    return "interrupted after " + std::to_string(total_.count) + " numbers";
  }

  /// The folded state's bytes: what "the same bits" compares.
  [[nodiscard]] std::string state_bytes() const {
    ByteWriter out;
    save_state(out);
    return out.take();
  }
  [[nodiscard]] const ToySum& total() const { return total_; }
  [[nodiscard]] std::size_t segments_folded() const { return segment_sums_.size(); }

 private:
  std::uint64_t items_, per_segment_, per_wave_, stop_at_;
  mutable tbb::enumerable_thread_specific<std::vector<double>> scratch_;
  ToySum total_;
  std::vector<double> segment_sums_;
};

static_assert(SegmentedStudy<ToyStudy>);
static_assert(!ReportsWithinSegments<ToyStudy>);
static_assert(!SegmentedStudy<ToySum>);

/// The state a serial loop reaches: blocks summed in order, segments folded in order.
std::string serial_state(std::uint64_t items, std::uint64_t per_segment) {
  ToyStudy reference(items, per_segment, 1);
  std::vector<double> numbers(NUMBERS_PER_ITEM);
  for (std::uint64_t s = 0; s * per_segment < items; ++s) {
    ToySum segment;
    for (std::uint64_t item = s * per_segment; item < std::min(items, (s + 1) * per_segment); ++item) {
      fill_item(item, numbers);
      double sum = 0.0;
      for (double x : numbers) sum += x;
      segment.sum += sum;
      segment.count += numbers.size();
    }
    reference.fold(s, std::move(segment));
  }
  return reference.state_bytes();
}

using test::ShuffledScheduler;

TEST(SegmentRunner, SameBitsForOneTwoAndFourThreadsAsASerialLoop) {
  // The toy's sums depend on the order of the additions (summing the blocks backwards gives
  // other bits), so a merge in completion order would show below.
  const ToyStudy blocks(103, 10, 1);
  double forward = 0.0, backward = 0.0;
  for (std::uint64_t item = 0; item < 103; ++item) forward += blocks.run_block(item).sum;
  for (std::uint64_t item = 103; item-- > 0;) backward += blocks.run_block(item).sum;
  ASSERT_NE(forward, backward);

  const std::string expected = serial_state(103, 10);
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    ToyStudy study(103, 10, 4);
    const SegmentRunOutcome outcome = run_segmented(study, {});
    EXPECT_TRUE(outcome.root);
    EXPECT_EQ(outcome.folded, 11u);
    EXPECT_EQ(study.total().count, 103 * NUMBERS_PER_ITEM);
    EXPECT_EQ(study.state_bytes(), expected) << threads << " threads";
  }
}

TEST(SegmentRunner, SegmentsComputedOutOfOrderAreFoldedInIndexOrder) {
  ToyStudy study(57, 4, 3);
  ShuffledScheduler scheduler(7, 3);
  SegmentRunOptions options;
  options.scheduler = &scheduler;
  EXPECT_EQ(run_segmented(study, options).folded, 15u);
  EXPECT_EQ(study.state_bytes(), serial_state(57, 4));
}

TEST(SegmentRunner, FoldReturningFalseStopsTheStudy) {
  // 8 items per segment: the stop at 20 items is decided when segment 2 (items 16..23) is folded.
  ToyStudy study(100, 8, 3, 20 * NUMBERS_PER_ITEM);
  std::vector<std::uint64_t> reported;
  SegmentRunOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    EXPECT_EQ(total, 100 * NUMBERS_PER_ITEM);
    reported.push_back(done);
  };
  EXPECT_EQ(run_segmented(study, options).folded, 3u);
  EXPECT_EQ(study.segments_folded(), 3u);
  EXPECT_EQ(study.total().count, 24 * NUMBERS_PER_ITEM);
  EXPECT_EQ(reported, (std::vector<std::uint64_t>{8 * NUMBERS_PER_ITEM, 16 * NUMBERS_PER_ITEM, 24 * NUMBERS_PER_ITEM}));

  // Stopped shy of its last segment, the study counts as finished: a resume computes nothing.
  const ScratchDir dir("symbiomc_segment_runner");
  ToyStudy checkpointed(100, 8, 3, 20 * NUMBERS_PER_ITEM);
  options = {};
  options.checkpoint.path = dir.sub("stop.ckpt");
  options.checkpoint.every_seconds = 0;
  (void)run_segmented(checkpointed, options);
  const Checkpoint saved = read_checkpoint(dir.sub("stop.ckpt"));
  EXPECT_TRUE(saved.finished);
  EXPECT_EQ(saved.next_segment, 3u);
  ToyStudy resumed(100, 8, 3, 20 * NUMBERS_PER_ITEM);
  SegmentRunOptions resume;
  resume.checkpoint.resume_path = dir.sub("stop.ckpt");
  resume.progress = [](std::uint64_t, std::uint64_t) { ADD_FAILURE() << "a finished study folded a segment"; };
  (void)run_segmented(resumed, resume);
  EXPECT_EQ(resumed.state_bytes(), study.state_bytes());
}

TEST(SegmentRunner, CheckpointAfterEverySegmentThenResumeGivesTheSameState) {
  const ScratchDir dir("symbiomc_segment_runner");
  const std::string whole = serial_state(45, 5);
  const std::uint64_t segments = 9;
  for (std::uint64_t stop_after = 1; stop_after < segments; ++stop_after) {
    // Cancel once `stop_after` segments are folded (progress is reported per fold); the skeleton
    // notices at the next wave, so exactly those segments are in the checkpoint.
    const std::string path = dir.sub("toy" + std::to_string(stop_after) + ".ckpt");
    std::atomic<bool> cancel{false};
    ToyStudy first(45, 5, 2);
    SegmentRunOptions options;
    options.cancel = &cancel;
    options.checkpoint.path = path;
    options.checkpoint.every_seconds = 0;  // after every segment
    std::uint64_t folds = 0;
    options.progress = [&](std::uint64_t, std::uint64_t) {
      if (++folds == stop_after) cancel = true;
    };
    EXPECT_THROW((void)run_segmented(first, options), RunInterrupted);
    const Checkpoint saved = read_checkpoint(path);
    EXPECT_EQ(saved.study, "toy");
    EXPECT_FALSE(saved.finished);
    EXPECT_EQ(saved.next_segment, stop_after);
    EXPECT_EQ(saved.state, first.state_bytes());

    ToyStudy second(45, 5, 2);
    SegmentRunOptions resume;
    resume.checkpoint.resume_path = path;
    resume.checkpoint.path = path;  // continues the same checkpoint file
    resume.checkpoint.every_seconds = 0;
    EXPECT_EQ(run_segmented(second, resume).folded, segments);
    EXPECT_EQ(second.state_bytes(), whole) << "resumed after " << stop_after << " segments";
    const Checkpoint last = read_checkpoint(path);
    EXPECT_TRUE(last.finished);
    EXPECT_EQ(last.next_segment, segments);
    EXPECT_EQ(last.state, whole);
  }
}

TEST(SegmentRunner, CancelThrowsRunInterruptedAfterWritingACheckpoint) {
  const ScratchDir dir("symbiomc_segment_runner");
  const std::string path = dir.sub("cancelled.ckpt");
  std::atomic<bool> cancel{true};  // e.g. Ctrl-C before the first wave
  ToyStudy study(30, 5, 2);
  SegmentRunOptions options;
  options.cancel = &cancel;
  options.checkpoint.path = path;
  try {
    (void)run_segmented(study, options);
    FAIL() << "not interrupted";
  } catch (const RunInterrupted& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("interrupted after 0 numbers"), std::string::npos) << text;
    EXPECT_NE(text.find("--resume " + path), std::string::npos) << text;
  }
  const Checkpoint saved = read_checkpoint(path);
  EXPECT_FALSE(saved.finished);
  EXPECT_EQ(saved.next_segment, 0u);

  // Without --checkpoint the interruption is reported as it is, and nothing is written.
  ToyStudy plain(30, 5, 2);
  SegmentRunOptions no_file;
  no_file.cancel = &cancel;
  EXPECT_THROW((void)run_segmented(plain, no_file), RunInterrupted);

  // A checkpoint of another study is refused.
  ToyStudy other(31, 5, 2);
  SegmentRunOptions resume;
  resume.checkpoint.resume_path = path;
  EXPECT_THROW((void)run_segmented(other, resume), InputError);
}

}  // namespace
}  // namespace symbiomc
