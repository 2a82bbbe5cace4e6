#include "symbiomc/base/checksum.hpp"

#include <cstdio>
#include <fstream>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

constexpr std::uint64_t FNV_OFFSET_BASIS = 14695981039346656037ULL;
constexpr std::uint64_t FNV_PRIME = 1099511628211ULL;

std::uint64_t fnv1a_continue(std::uint64_t hash, const char* bytes, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= FNV_PRIME;
  }
  return hash;
}

}  // namespace

std::uint64_t fnv1a_64(std::string_view bytes) noexcept {
  return fnv1a_continue(FNV_OFFSET_BASIS, bytes.data(), bytes.size());
}

std::uint64_t file_checksum(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open file");
  std::uint64_t hash = FNV_OFFSET_BASIS;
  char buffer[65536];
  while (in) {
    in.read(buffer, sizeof buffer);
    hash = fnv1a_continue(hash, buffer, static_cast<std::size_t>(in.gcount()));
  }
  return hash;
}

std::string checksum_hex(std::uint64_t checksum) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(checksum));
  return text;
}

}  // namespace symbiomc
