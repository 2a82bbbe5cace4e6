#pragma once
// The checksum that identifies an input file in provenance records, checkpoints and across
// MPI ranks: FNV-1a 64 (Fowler, Noll & Vo; IETF draft-eastlake-fnv, section 2). Fast and
// stable across platforms; it detects a changed file, it is not a cryptographic hash.

#include <cstdint>
#include <string>
#include <string_view>

namespace symbiomc {

[[nodiscard]] std::uint64_t fnv1a_64(std::string_view bytes) noexcept;

/// FNV-1a 64 of a file's bytes, read in chunks. Throws InputError naming `path` when it
/// cannot be opened.
[[nodiscard]] std::uint64_t file_checksum(const std::string& path);

/// 16 lower-case hex digits, the form written into result files.
[[nodiscard]] std::string checksum_hex(std::uint64_t checksum);

}  // namespace symbiomc
