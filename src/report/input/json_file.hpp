#pragma once
// A JSON result file (balance.json, summary.json, sobol.json, morris.json) read for the report,
// with accessors that name the file, the JSON path and what was expected when something is
// missing or of the wrong type: the file may be hand-edited or come from another version.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace symbiomc::detail {

class JsonFile {
 public:
  using json = nlohmann::json;

  /// Reads and parses `path`; `producer` names the command that writes it ("`symbiomc balance
  /// --out DIR`") in every message. Throws InputError with file:line:column for malformed JSON
  /// and when the top level is not an object.
  JsonFile(std::string path, std::string producer);

  [[nodiscard]] const json& root() const noexcept { return root_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// Throws InputError: "<file>: <where>: <what> (is this the file written by <producer>?)".
  [[noreturn]] void fail(const std::string& where, const std::string& what) const;

  // `where` is the JSON path of `object` ("" = the top level, "modes[2].flows[0]"), so that a
  // message names the member that is wrong.
  const json& member(const json& object, std::string_view key, const std::string& where) const;
  const json& array(const json& object, std::string_view key, const std::string& where) const;
  const json& object(const json& object, std::string_view key, const std::string& where) const;
  /// A number; null (how the writers store NaN) becomes NaN.
  double number(const json& object, std::string_view key, const std::string& where) const;
  double number_or(const json& object, std::string_view key, const std::string& where, double fallback) const;
  std::string text(const json& object, std::string_view key, const std::string& where) const;
  std::string text_or(const json& object, std::string_view key, const std::string& where, std::string fallback) const;
  bool boolean_or(const json& object, std::string_view key, const std::string& where, bool fallback) const;
  /// [low, high] of an interval stored as a two-element array.
  std::pair<double, double> interval(const json& object, std::string_view key, const std::string& where) const;

  /// "where.key", or "key" at the top level.
  static std::string join(const std::string& where, std::string_view key);
  /// "where.key[index]".
  static std::string at(const std::string& where, std::string_view key, std::size_t index);
  /// "a number", "a string", ... for messages.
  static std::string kind(const json& value);

 private:
  std::string path_;
  std::string producer_;
  json root_;
};

}  // namespace symbiomc::detail
