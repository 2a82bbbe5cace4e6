#include "symbiomc/sampling/checkpoint.hpp"

#include <boost/crc.hpp>

#include <fstream>
#include <iterator>
#include <map>

#include "symbiomc/base/atomic_file.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

constexpr std::string_view MAGIC = "SYMBIOMC-CHECKPOINT\n";
/// Raised whenever a study's folded state changes layout, so that an old checkpoint is refused
/// by its version, naming both, rather than by whatever its state happens to fail.
/// 2: a run fails for one of 7 reasons (curve_not_increasing was added), not 6.
constexpr std::uint64_t FORMAT_VERSION = 2;
constexpr std::uint64_t BYTE_ORDER_MARK = 0x0102030405060708ULL;

/// CRC-64/ECMA-182 (Boost.CRC): detects a truncated or damaged file before its state is used.
std::uint64_t crc64(std::string_view bytes) {
  boost::crc_optimal<64, 0x42F0E1EBA9EA3693ULL, 0, 0, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace

std::string identity_text(const std::vector<IdentityEntry>& identity) {
  std::string text;
  for (const auto& [key, value] : identity) text += key + "=" + value + "\n";
  return text;
}

std::string encode_checkpoint(const Checkpoint& checkpoint) {
  std::string bytes(MAGIC);
  ByteWriter body;
  body.u64(FORMAT_VERSION);
  body.u64(BYTE_ORDER_MARK);
  body.str(checkpoint.study);
  body.u64(checkpoint.identity.size());
  for (const auto& [key, value] : checkpoint.identity) {
    body.str(key);
    body.str(value);
  }
  body.u64(checkpoint.next_segment);
  body.boolean(checkpoint.finished);
  body.str(checkpoint.state);
  bytes += body.bytes();
  ByteWriter crc;
  crc.u64(crc64(bytes));
  return bytes + crc.bytes();
}

Checkpoint decode_checkpoint(std::string_view bytes, const std::string& path) {
  const std::string context = "checkpoint " + path;
  if (bytes.substr(0, MAGIC.size()) != MAGIC)
    throw InputError(SourceLocation{path, 0, 0},
                     "not a symbiomc checkpoint (it does not start with SYMBIOMC-CHECKPOINT)");
  if (bytes.size() < MAGIC.size() + 8) throw InputError(SourceLocation{path, 0, 0}, "checkpoint is truncated");
  ByteReader header(bytes.substr(MAGIC.size()), context);
  const std::uint64_t version = header.u64();
  if (version != FORMAT_VERSION)
    throw InputError(SourceLocation{path, 0, 0},
                     message("checkpoint has format version ", version, " (written by ",
                             version < FORMAT_VERSION ? "an older" : "a newer", " symbiomc); this symbiomc reads only ",
                             "format version ", FORMAT_VERSION, ", so it cannot resume from it: start the study ",
                             "again without --resume"));
  const std::uint64_t mark = header.u64();
  if (mark != BYTE_ORDER_MARK)
    throw InputError(SourceLocation{path, 0, 0}, "checkpoint was written on a machine with another byte order");
  const std::string_view payload = bytes.substr(0, bytes.size() - 8);
  ByteReader tail(bytes.substr(bytes.size() - 8), context);
  if (tail.u64() != crc64(payload))
    throw InputError(SourceLocation{path, 0, 0}, "checkpoint is damaged or truncated (CRC-64 mismatch)");

  ByteReader in(payload.substr(MAGIC.size() + 16), context);
  Checkpoint checkpoint;
  checkpoint.study = in.str();
  const std::uint64_t entries = in.count_at_most(payload.size(), "the number of identity entries");
  for (std::uint64_t i = 0; i < entries; ++i) {
    std::string key = in.str();
    std::string value = in.str();
    checkpoint.identity.emplace_back(std::move(key), std::move(value));
  }
  checkpoint.next_segment = in.u64();
  checkpoint.finished = in.boolean();
  checkpoint.state = in.str();
  in.expect_end();
  return checkpoint;
}

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  write_file_atomically(path, encode_checkpoint(checkpoint));
}

Checkpoint read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open the checkpoint for reading (--resume)");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(SourceLocation{path, 0, 0}, "cannot read the checkpoint");
  return decode_checkpoint(bytes, path);
}

void require_same_study(const Checkpoint& saved, std::string_view study, const std::vector<IdentityEntry>& identity,
                        const std::string& path) {
  if (saved.study != study)
    throw InputError(SourceLocation{path, 0, 0}, message("cannot resume: the checkpoint was written by a ", saved.study,
                                                         " run, this is a ", study, " run"));
  const std::map<std::string, std::string> before(saved.identity.begin(), saved.identity.end());
  const std::map<std::string, std::string> now(identity.begin(), identity.end());
  std::vector<std::string> differences;
  for (const auto& [key, value] : before) {
    const auto it = now.find(key);
    if (it == now.end())
      differences.push_back(message(key, " was ", value, ", now not given"));
    else if (it->second != value)
      differences.push_back(message(key, " was ", value, ", now ", it->second));
  }
  for (const auto& [key, value] : now)
    if (!before.count(key)) differences.push_back(message(key, " was not given, now ", value));
  if (differences.empty()) return;
  std::string text;
  for (const auto& d : differences) text += (text.empty() ? "" : "; ") + d;
  throw InputError(SourceLocation{path, 0, 0},
                   message("cannot resume: this run differs from the one that wrote the checkpoint (", text,
                           "); rerun with the same inputs and options, or start afresh without --resume"));
}

}  // namespace symbiomc
