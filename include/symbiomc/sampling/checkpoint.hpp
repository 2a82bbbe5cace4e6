#pragma once
// The checkpoint file of a segmented study. A checkpoint holds the folded state of every
// segment completed so far (in index order), the index of the next segment and the study's
// identity: its options and the checksums of its input files. Resuming recomputes nothing that
// was folded and, because segments are index-defined, ends with the same bytes as an
// uninterrupted run. A checkpoint written by a different study (other inputs, other options)
// is refused with a message naming every difference. This file is only the format; when
// checkpoints are written and read is the segment runner's (segment_runner.hpp).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symbiomc {

struct CheckpointOptions {
  std::string path;            ///< --checkpoint FILE: write checkpoints here ("" = never)
  double every_seconds = 600;  ///< --checkpoint-every: at most this long between checkpoints (0 = after every segment)
  std::string resume_path;     ///< --resume FILE: continue from this checkpoint ("" = start afresh)
  /// Told when the last checkpoint of a completed study cannot be written, which then does not
  /// fail the study (its results are complete); empty = that failure is an error.
  std::function<void(const std::string&)> warn;
};

/// One line of a study's identity, e.g. {"seed", "2024"} or {"file distributions", "<checksum>"}.
using IdentityEntry = std::pair<std::string, std::string>;

/// "key=value" lines, the form compared across MPI ranks.
[[nodiscard]] std::string identity_text(const std::vector<IdentityEntry>& identity);

struct Checkpoint {
  std::string study;                    ///< "uncertainty", "sobol" or "morris"
  std::vector<IdentityEntry> identity;  ///< what must match for a resume
  std::uint64_t next_segment = 0;       ///< segments [0, next_segment) are folded into `state`
  bool finished = false;                ///< the study needed no further segment
  std::string state;                    ///< the study's folded state (its own encoding)
};

/// The file's bytes: magic, format version, byte-order mark, fields, CRC-64 of all before it.
[[nodiscard]] std::string encode_checkpoint(const Checkpoint& checkpoint);
/// Inverse of encode_checkpoint. Throws InputError naming `path` when the bytes are not a
/// checkpoint, come from another format version or byte order, or fail the CRC.
[[nodiscard]] Checkpoint decode_checkpoint(std::string_view bytes, const std::string& path);
/// Atomically replaces `path` (temporary file + rename): a crash mid-write leaves the previous one.
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);
[[nodiscard]] Checkpoint read_checkpoint(const std::string& path);
/// Throws InputError, naming `path` and every differing entry, unless `saved` was written by
/// the same kind of study with the same identity.
void require_same_study(const Checkpoint& saved, std::string_view study, const std::vector<IdentityEntry>& identity,
                        const std::string& path);

}  // namespace symbiomc
