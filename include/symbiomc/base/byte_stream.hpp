#pragma once
// Flat binary encoding of accumulator state, for MPI messages and checkpoint files.
//
// Written by hand rather than with Boost.Serialization: the state to move is a handful of flat
// arrays of doubles and counters per accumulator, and it must round-trip bit for bit (results
// are compared byte for byte across ranks and after a resume). Boost's binary archives add a
// compiled library and a version-dependent archive header for no gain here; a length-checked
// memcpy of IEEE doubles is exact and easy to audit. Byte order is the machine's: checkpoint
// files carry a byte-order mark (see checkpoint.hpp) and are refused on a mismatch.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "symbiomc/base/error.hpp"

namespace symbiomc {

/// Appends values to a byte string. No alignment padding; lengths are u64 prefixes.
class ByteWriter {
 public:
  void u64(std::uint64_t v) { raw(v); }
  void f64(double v) { raw(v); }
  void boolean(bool v) { buffer_.push_back(v ? '\1' : '\0'); }
  void str(std::string_view s) {
    u64(s.size());
    buffer_.append(s);
  }
  void f64s(std::span<const double> values) { array(values); }
  void u64s(std::span<const std::uint64_t> values) { array(values); }

  [[nodiscard]] const std::string& bytes() const noexcept { return buffer_; }
  [[nodiscard]] std::string take() noexcept { return std::move(buffer_); }

 private:
  template <class T>
  void raw(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const char*>(&v);
    buffer_.append(p, sizeof(T));
  }
  template <class T>
  void array(std::span<const T> values) {
    u64(values.size());
    buffer_.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  }
  std::string buffer_;
};

/// Reads what a ByteWriter wrote, in the same order. Every read is bounds-checked: a truncated
/// or corrupt input throws InputError naming `context` and the byte offset, never reads past
/// the end or allocates an absurd length.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string context) : bytes_(bytes), context_(std::move(context)) {}

  std::uint64_t u64() { return raw<std::uint64_t>(); }
  double f64() { return raw<double>(); }
  bool boolean() {
    need(1, "a flag");
    const char c = bytes_[offset_++];
    if (c != '\0' && c != '\1') fail("a flag (0 or 1)");
    return c == '\1';
  }
  std::string str() {
    const std::uint64_t n = length(1, "a string");
    std::string s(bytes_.substr(offset_, n));
    offset_ += n;
    return s;
  }
  std::vector<double> f64s() { return array<double>("an array of numbers"); }
  std::vector<std::uint64_t> u64s() { return array<std::uint64_t>("an array of counts"); }

  /// A length read as u64 that must not exceed `limit` (e.g. the expected shape).
  std::uint64_t count_at_most(std::uint64_t limit, const char* what) {
    const std::uint64_t n = u64();
    if (n > limit) fail(what);
    return n;
  }

  /// Throws unless `elements` values of `bytes_each` bytes can still follow. A loader calls it
  /// with the shape it read before allocating for that shape, so that a damaged or hostile
  /// count is refused with a message instead of asking the allocator for terabytes.
  void require_room_for(std::uint64_t elements, std::size_t bytes_each, const char* what) const {
    if (elements > (bytes_.size() - offset_) / bytes_each) fail(what);
  }

  [[nodiscard]] std::size_t offset() const noexcept { return offset_; }
  [[nodiscard]] bool at_end() const noexcept { return offset_ == bytes_.size(); }
  /// Throws unless every byte has been read (trailing bytes mean a format mismatch).
  void expect_end() const {
    if (!at_end())
      throw InputError(
          message(context_, ": ", bytes_.size() - offset_, " unexpected bytes after the data at byte ", offset_));
  }
  [[nodiscard]] const std::string& context() const noexcept { return context_; }
  /// Throws InputError: "<context>: corrupt or truncated data at byte N: expected <what>".
  [[noreturn]] void fail(const char* what) const {
    throw InputError(message(context_, ": corrupt or truncated data at byte ", offset_, ": expected ", what));
  }

 private:
  void need(std::size_t n, const char* what) const {
    if (bytes_.size() - offset_ < n) fail(what);
  }
  std::uint64_t length(std::size_t element_size, const char* what) {
    const std::uint64_t n = u64();
    if (n > (bytes_.size() - offset_) / element_size) fail(what);
    return n;
  }
  template <class T>
  T raw() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), "a number");
    T v;
    std::memcpy(&v, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> array(const char* what) {
    const std::uint64_t n = length(sizeof(T), what);
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), bytes_.data() + offset_, n * sizeof(T));
    offset_ += n * sizeof(T);
    return v;
  }

  std::string_view bytes_;
  std::size_t offset_ = 0;
  std::string context_;
};

}  // namespace symbiomc
